package e2e

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/httpdns/httpdnstest"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/state"
)

// The HTTPDNS account of the verification scenarios. The secret is 20
// characters, as the service issues them, and distinctive.
const (
	httpdnsAccount = "0123456789abcdef0123456789abcdef"
	httpdnsSecret  = "e2eHTTPDNSsecret0042"
)

// startHTTPDNS serves a fake HTTPDNS service inside e's namespace that knows
// the account above with secret and whitelists Zone, and returns it with
// the httpdns section 'h' pointing at it.
func startHTTPDNS(t *testing.T, e *Env, secret string, windowSec int) (*httpdnstest.Fake, string) {
	t.Helper()
	hf := httpdnstest.New()
	hf.AddAccount(httpdnsAccount, secret)
	hf.AllowDomain(Zone)
	url := serveInNS(t, e.NS, hf) + httpdnstest.Path
	section := fmt.Sprintf("config httpdns 'h'\n\toption url '%s'\n\toption account_id '%s'\n\toption secret '%s'\n\toption timeout '2'\n\toption verify_window '%d'\n\n",
		url, httpdnsAccount, secret, windowSec)
	return hf, section
}

// TestVerifyVisible: the HTTPDNS service starts handing out a written value
// a moment after the provider accepts it (its answer cache). The daemon
// keeps asking and status.json says "verified after ..." with the time.
func TestVerifyVisible(t *testing.T) {
	t.Parallel()
	const value = "2001:db8::443"
	e := NewEnv(t, AliDNS)
	hf, section := startHTTPDNS(t, e, httpdnsSecret, 10)
	hf.SetCacheDelay(1500 * time.Millisecond)
	// The service follows the provider, like real resolvers do.
	e.Fake.OnWrite(func(_ string, zone string, rec providers.Record) {
		hf.SetRecord(rec.Name+"."+zone, rec.Type, netip.MustParseAddr(rec.Value))
	})
	e.WriteConfig(section + staticRecord("web", value) + "\toption verify 'h'\n\n")
	d := e.Start()
	e.WaitPublished("web", "www", "AAAA", value)
	rs := e.WaitStatus("web", "verified", func(rs state.RecordStatus) bool {
		return strings.HasPrefix(rs.Verify, "verified after ") && rs.VerifiedAt != nil
	})
	if rs.LastChange == nil || rs.VerifiedAt.Before(*rs.LastChange) {
		t.Errorf("verified_at %v is not after the write at %v", rs.VerifiedAt, rs.LastChange)
	}
	// The value was not visible at the first query: the daemon waited.
	if n := hf.Requests(); n < 2 {
		t.Errorf("%d HTTPDNS queries, want at least 2 (not yet visible, then visible)", n)
	}
	if q := hf.LastQuery(); q.Get("host") != "www."+Zone || q.Get("qtype") != "AAAA" {
		t.Errorf("last HTTPDNS query %v, want host www.%s qtype AAAA", q, Zone)
	}
	d.WaitLogLine("verified: resolvers serve the new value", "www.example.com")
	if rs.Calls.List != 1 || e.Fake.Writes() != 1 {
		t.Errorf("a verified record cost calls %+v and %d writes, want one lookup and one write", rs.Calls, e.Fake.Writes())
	}
	d.Stop()
	assertNoLeak(t, e, d, httpdnsSecret)
}

// TestVerifyNeverVisible: the HTTPDNS service never hands out the written
// value. After the 3 s window status.json says "not visible after 3s", and
// the daemon looks the record up at the provider once more; the provider
// holds the right value, so nothing is rewritten.
func TestVerifyNeverVisible(t *testing.T) {
	t.Parallel()
	const value = "2001:db8::444"
	e := NewEnv(t, TencentCloud)
	hf, section := startHTTPDNS(t, e, httpdnsSecret, 3)
	e.WriteConfig(section + staticRecord("web", value) + "\toption verify 'h'\n\n")
	d := e.Start()
	e.WaitPublished("web", "www", "AAAA", value)
	rs := e.WaitStatus("web", "not visible", func(rs state.RecordStatus) bool {
		return strings.HasPrefix(rs.Verify, "not visible after 3s")
	})
	if rs.VerifiedAt != nil {
		t.Errorf("verified_at set for a value never seen: %+v", rs)
	}
	if hf.Requests() < 2 {
		t.Errorf("%d HTTPDNS queries within the window, want several", hf.Requests())
	}
	list := apiAction[TencentCloud].List
	rs = e.WaitStatus("web", "one more lookup at the provider", func(rs state.RecordStatus) bool {
		return rs.Calls.List == 2 && rs.LastSuccess != nil
	})
	if rs.Calls.Create != 1 || rs.Calls.Update != 0 || rs.Calls.Failed != 0 {
		t.Errorf("calls after the re-check = %+v, want the create and two lookups only", rs.Calls)
	}
	// The re-check found the record correct: no rewrite, and no further
	// round of checking (over a bounded window).
	sent := e.Requests()
	if later := observe(1500*time.Millisecond, e.Requests); later != sent {
		t.Errorf("%d more provider requests after the re-check", later-sent)
	}
	if w, l := e.Fake.Writes(), e.Fake.Calls(list); w != 1 || l != 2 {
		t.Errorf("%d writes and %d lookups at the fake, want 1 and 2", w, l)
	}
	assertValue(t, e, "www", "AAAA", value)
	if rs, _ := e.RecordStatus("web"); !strings.HasPrefix(rs.Verify, "not visible after 3s") {
		t.Errorf("verify = %q after the re-check, want the failed verification kept", rs.Verify)
	}
	d.WaitLogLine("level=WARN", "verification failed", "www.example.com")
	d.Stop()
	assertNoLeak(t, e, d, httpdnsSecret)
}
