package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/eddns/eddns/authverify"
	"github.com/eddns/eddns/internal/bindtest"
	"github.com/eddns/eddns/internal/pdnstest"
	"github.com/eddns/eddns/state"
)

// The real eddns binary against real DNS servers: BIND 9 (rfc2136) and the
// PowerDNS Authoritative Server (powerdns), each started inside the
// scenario's namespace. The Env's fake provider is not used here; the Env
// gives the namespace, the state directory and the daemon helpers.

// where runs a server process in e's namespace.
func where(e *Env) bindtest.Where {
	return bindtest.Where{Prefix: []string{"ip", "netns", "exec", e.NS.Name()},
		Do: func(fn func() error) error { return e.NS.Do(e.T, fn) }}
}

// served asks server, inside e's namespace, what name holds.
func served(t *testing.T, e *Env, server, fqdn string, typ dnsmessage.Type) []string {
	t.Helper()
	var got []string
	if err := e.NS.Do(t, func() (err error) {
		got, err = bindtest.Query(server, fqdn, typ)
		return err
	}); err != nil {
		t.Fatalf("query %s at %s: %v", fqdn, server, err)
	}
	slices.Sort(got)
	return got
}

// onceSays runs eddns once and wants exit 0 with the record's outcome.
func onceSays(t *testing.T, e *Env, outcome string) {
	t.Helper()
	r := e.Exec("once")
	if r.Code != 0 || !strings.Contains(r.Stdout, "www.example.com  AAAA") || !strings.Contains(r.Stdout, "  "+outcome+" ") {
		t.Fatalf("once: exit %d, want 0 and %q:\n%s%s", r.Code, outcome, r.Stdout, r.Stderr)
	}
}

func rfc2136Section(server, keyName, secret string) string {
	return fmt.Sprintf("config provider 'p'\n\toption type 'rfc2136'\n\toption server '%s'\n\toption key_name '%s'\n\toption key_secret '%s'\n\toption timeout '3'\n\n",
		server, keyName, secret)
}

// noSecret fails when secret shows up in text or the state directory.
func noSecret(t *testing.T, e *Env, text, secret string) {
	t.Helper()
	for where, s := range map[string]string{"output": text, "state dir": e.StateFiles()} {
		if strings.Contains(s, secret) {
			t.Errorf("the secret appears in the %s:\n%s", where, s)
		}
	}
}

// TestRFC2136AgainstBIND: eddns once creates, updates and leaves alone a
// record on a real BIND 9 with a TSIG key; a wrong key and a server that is
// down fail the record with a clear error and change nothing.
func TestRFC2136AgainstBIND(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	srv := bindtest.Start(t, bindtest.Options{Where: where(e), Zones: []bindtest.Zone{{Name: Zone, Records: "@ NS ns1\nns1 A 127.0.0.1\n"}}})
	fqdn := "www." + Zone
	cfg := func(section, value string) {
		e.WriteRaw(e.Global(3600) + section + staticRecord("web", value))
	}

	cfg(rfc2136Section(srv.Addr, srv.KeyName, srv.KeySecret), "2001:db8::1")
	onceSays(t, e, "created")
	if got := served(t, e, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::1"}) {
		t.Fatalf("BIND serves %v after create", got)
	}

	cfg(rfc2136Section(srv.Addr, srv.KeyName, srv.KeySecret), "2001:db8::2")
	onceSays(t, e, "updated")
	if got := served(t, e, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
		t.Fatalf("BIND serves %v after update", got)
	}
	// named logs each applied change ("updating zone ...: adding an RR").
	updates := strings.Count(srv.Log(), "adding an RR")
	if updates != 2 {
		t.Fatalf("BIND logged %d added RRs for a create and an update, want 2:\n%s", updates, srv.Log())
	}
	onceSays(t, e, "unchanged")
	if n := strings.Count(srv.Log(), "adding an RR"); n != updates {
		t.Fatalf("an unchanged pass sent %d updates to BIND", n-updates)
	}

	t.Run("wrong secret", func(t *testing.T) {
		wrong := bindtest.NewSecret()
		cfg(rfc2136Section(srv.Addr, srv.KeyName, wrong), "2001:db8::bad")
		r := e.Exec("once")
		out := r.Stdout + r.Stderr
		if r.Code != 1 || !strings.Contains(out, "BADSIG") || !strings.Contains(out, fqdn) {
			t.Fatalf("wrong secret: exit %d, want 1 naming BADSIG and the record:\n%s", r.Code, out)
		}
		noSecret(t, e, out, wrong)
		noSecret(t, e, out, srv.KeySecret)
		if got := served(t, e, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("BIND serves %v after a refused update", got)
		}
	})

	t.Run("unknown key", func(t *testing.T) {
		cfg(rfc2136Section(srv.Addr, "someone-else", srv.KeySecret), "2001:db8::bad")
		r := e.Exec("once")
		if out := r.Stdout + r.Stderr; r.Code != 1 || !strings.Contains(out, "BADKEY") {
			t.Fatalf("unknown key: exit %d, want 1 naming BADKEY:\n%s", r.Code, out)
		}
	})

	t.Run("server down", func(t *testing.T) {
		down := fmt.Sprintf("127.0.0.1:%d", bindtest.FreePort(t, "127.0.0.1"))
		cfg(rfc2136Section(down, srv.KeyName, srv.KeySecret), "2001:db8::3")
		r := e.Exec("once")
		if out := r.Stdout + r.Stderr; r.Code != 1 || !strings.Contains(out, "refused") {
			t.Fatalf("server down: exit %d, want 1 with connection refused:\n%s", r.Code, out)
		}
	})
}

// TestVerifyAuthoritativeBIND: the daemon writes through rfc2136 and then
// asks the zone's authoritative server (found through NS at BIND itself,
// the resolver of this test) until it serves the value; status says so.
func TestVerifyAuthoritativeBIND(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	srv := bindtest.Start(t, bindtest.Options{Where: where(e), Zones: []bindtest.Zone{{Name: Zone, Records: "@ NS ns1\nns1 A 127.0.0.1\n"}}})
	e.Environ = append(e.Environ, authverify.TestEnv+"="+srv.Addr)
	e.WriteRaw(e.Global(3600) + rfc2136Section(srv.Addr, srv.KeyName, srv.KeySecret) +
		staticRecord("web", "2001:db8::443") + "\toption verify 'authoritative'\n\n")
	d := e.Start()
	rs := e.WaitStatus("web", "verified at the authoritative servers", func(rs state.RecordStatus) bool {
		return strings.HasPrefix(rs.Verify, "verified at 1 of 1 authoritative servers") && rs.VerifiedAt != nil
	})
	if !strings.Contains(rs.Verify, "ns1.example.com ok") {
		t.Errorf("status does not name the server that agrees: %q", rs.Verify)
	}
	if got := served(t, e, srv.Addr, "www."+Zone, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::443"}) {
		t.Fatalf("BIND serves %v", got)
	}
	noSecret(t, e, d.Log()+e.StatusJSON(), srv.KeySecret)
}

// TestOnceVerifyAuthoritative: eddns once waits for the authoritative
// servers too and prints which agree.
func TestOnceVerifyAuthoritative(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	srv := bindtest.Start(t, bindtest.Options{Where: where(e), Zones: []bindtest.Zone{{Name: Zone, Records: "@ NS ns1\nns1 A 127.0.0.1\n"}}})
	e.Environ = append(e.Environ, authverify.TestEnv+"="+srv.Addr)
	e.WriteRaw(e.Global(3600) + rfc2136Section(srv.Addr, srv.KeyName, srv.KeySecret) +
		staticRecord("web", "2001:db8::445") + "\toption verify 'authoritative'\n\n")
	r := e.Exec("once")
	if r.Code != 0 || !strings.Contains(r.Stdout, "created") || !strings.Contains(r.Stdout, "verified at 1 of 1 authoritative servers") ||
		!strings.Contains(r.Stdout, "ns1.example.com ok") {
		t.Fatalf("once: exit %d:\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestVerifyAuthoritativeNotAll: the zone has a second name server that
// does not answer; while the daemon keeps asking, status names the server
// that serves the value and the one that does not.
func TestVerifyAuthoritativeNotAll(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	srv := bindtest.Start(t, bindtest.Options{Where: where(e), Zones: []bindtest.Zone{{Name: Zone,
		Records: "@ NS ns1\n@ NS ns2\nns1 A 127.0.0.1\nns2 A 127.0.0.2\n"}}}) // nothing listens on 127.0.0.2
	e.Environ = append(e.Environ, authverify.TestEnv+"="+srv.Addr)
	e.WriteRaw(e.Global(3600) + rfc2136Section(srv.Addr, srv.KeyName, srv.KeySecret) +
		staticRecord("web", "2001:db8::444") + "\toption verify 'authoritative'\n\n")
	e.Start()
	rs := e.WaitStatus("web", "a pending check naming both servers", func(rs state.RecordStatus) bool {
		return strings.HasPrefix(rs.Verify, "pending: 1 of 2 authoritative servers serve it: ")
	})
	t.Logf("status: %s", rs.Verify)
	if !strings.HasSuffix(rs.Verify, "ns1.example.com ok; ns2.example.com: 127.0.0.2: connection refused") || rs.VerifiedAt != nil {
		t.Errorf("status = %q (verified_at %v)", rs.Verify, rs.VerifiedAt)
	}
}

// TestPowerDNSServer: eddns once against a real pdns_server: create,
// update, unchanged, a wrong API key, and a throttling proxy in front.
func TestPowerDNSServer(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	srv := pdnstest.StartIn(t, map[string][]string{Zone: nil}, where(e))
	section := func(endpoint, key string) string {
		return fmt.Sprintf("config provider 'p'\n\toption type 'powerdns'\n\toption endpoint '%s'\n\toption api_key '%s'\n\toption timeout '3'\n\n", endpoint, key)
	}
	cfg := func(endpoint, key, value string) {
		e.WriteRaw(e.Global(3600) + section(endpoint, key) + staticRecord("web", value))
	}
	fqdn := "www." + Zone

	cfg(srv.URL, srv.APIKey, "2001:db8::1")
	onceSays(t, e, "created")
	if got := served(t, e, srv.DNSAddr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::1"}) {
		t.Fatalf("pdns serves %v after create", got)
	}
	cfg(srv.URL, srv.APIKey, "2001:db8::2")
	onceSays(t, e, "updated")
	if got := served(t, e, srv.DNSAddr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
		t.Fatalf("pdns serves %v after update", got)
	}
	onceSays(t, e, "unchanged")

	t.Run("wrong API key", func(t *testing.T) {
		const wrong = "e2e-WRONG-pdns-key"
		cfg(srv.URL, wrong, "2001:db8::bad")
		r := e.Exec("once")
		out := r.Stdout + r.Stderr
		if r.Code != 1 || !strings.Contains(out, "HTTP 401") || !strings.Contains(out, "powerdns") {
			t.Fatalf("wrong key: exit %d, want 1 with HTTP 401:\n%s", r.Code, out)
		}
		noSecret(t, e, out, wrong)
		noSecret(t, e, out, srv.APIKey)
		if got := served(t, e, srv.DNSAddr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("pdns serves %v after a refused write", got)
		}
	})

	t.Run("throttled by a proxy", func(t *testing.T) {
		// A rate-limiting reverse proxy in front of the API answers 429
		// with Retry-After (RFC 6585 section 4); pdns itself never does.
		proxy := serveInNS(t, e.NS, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		}))
		cfg(proxy, srv.APIKey, "2001:db8::3")
		r := e.Exec("once")
		if out := r.Stdout + r.Stderr; r.Code != 1 || !strings.Contains(out, "throttled") {
			t.Fatalf("throttled: exit %d, want 1 naming throttling:\n%s", r.Code, out)
		}
	})
}
