package powerdns

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/bindtest"
	"github.com/eddns/eddns/internal/pdnstest"
	"github.com/eddns/eddns/providers"
)

// These tests talk to a real pdns_server started for them
// (internal/pdnstest).

const zone = "example.test"

// served returns the enabled contents of name/typ as the server holds them.
func served(t *testing.T, srv *pdnstest.Server, name, typ string) []string {
	t.Helper()
	code, body := srv.Get("/api/v1/servers/localhost/zones/" + zone + ".")
	if code != http.StatusOK {
		t.Fatalf("GET zone: %d %s", code, body)
	}
	var z struct {
		RRsets []rrset `json:"rrsets"`
	}
	if err := json.Unmarshal(body, &z); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rs := range z.RRsets {
		if rs.Name == canonical(zone, name) && rs.Type == typ {
			for _, r := range rs.Records {
				if !r.Disabled {
					out = append(out, r.Content)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestPowerDNS(t *testing.T) {
	srv := pdnstest.Start(t, map[string][]string{zone: {
		"multi A 192.0.2.1", "multi A 192.0.2.2",
	}})
	p, err := New(srv.URL, srv.APIKey, "", providers.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("create, update, unchanged", func(t *testing.T) {
		recs, err := p.List(ctx, zone, "nas", "AAAA")
		if err != nil || len(recs) != 0 {
			t.Fatalf("List before create = %+v, %v", recs, err)
		}
		created, err := p.Create(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 120})
		if err != nil || created.ID == "" {
			t.Fatalf("Create = %+v, %v", created, err)
		}
		if got := served(t, srv, "nas", "AAAA"); !slices.Equal(got, []string{"2001:db8::1"}) {
			t.Fatalf("pdns holds %v after create", got)
		}
		recs, err = p.List(ctx, zone, "nas", "AAAA")
		if err != nil || len(recs) != 1 || recs[0].Value != "2001:db8::1" || recs[0].TTL != 120 || recs[0].ID != created.ID {
			t.Fatalf("List after create = %+v, %v", recs, err)
		}
		upd := recs[0]
		upd.Value = "2001:db8::2"
		if _, err := p.Update(ctx, zone, upd); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if got := served(t, srv, "nas", "AAAA"); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("pdns holds %v after update", got)
		}
		if _, err := p.Update(ctx, zone, upd); err != nil {
			t.Fatalf("Update to the same value: %v", err)
		}
		if got := served(t, srv, "nas", "AAAA"); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("pdns holds %v after unchanged update", got)
		}
	})

	t.Run("apex and default TTL", func(t *testing.T) {
		if _, err := p.Create(ctx, zone, providers.Record{Name: "@", Type: "A", Value: "192.0.2.7"}); err != nil {
			t.Fatalf("Create apex: %v", err)
		}
		recs, err := p.List(ctx, zone, "@", "A")
		if err != nil || len(recs) != 1 || recs[0].Value != "192.0.2.7" || recs[0].TTL != DefaultTTL || recs[0].Name != "@" {
			t.Fatalf("List apex = %+v, %v", recs, err)
		}
		// The apex NS and SOA made by pdnsutil are untouched.
		if got := served(t, srv, "@", "NS"); len(got) != 1 {
			t.Fatalf("apex NS = %v", got)
		}
	})

	t.Run("REPLACE replaces the whole RRset", func(t *testing.T) {
		recs, err := p.List(ctx, zone, "multi", "A")
		if err != nil || len(recs) != 2 {
			t.Fatalf("List multi = %+v, %v", recs, err)
		}
		if _, err := p.Update(ctx, zone, providers.Record{ID: recs[1].ID, Name: "multi", Type: "A", Value: "192.0.2.3", TTL: 60}); err != nil {
			t.Fatal(err)
		}
		if got := served(t, srv, "multi", "A"); !slices.Equal(got, []string{"192.0.2.3"}) {
			t.Fatalf("multi = %v", got)
		}
	})

	t.Run("a disabled record is never taken for a served one, and a write enables it", func(t *testing.T) {
		disable := func() {
			t.Helper()
			body := fmt.Sprintf(`{"rrsets":[{"name":"off.%s.","type":"A","ttl":60,"changetype":"REPLACE","records":[{"content":"192.0.2.50","disabled":true}]}]}`, zone)
			req, _ := http.NewRequest("PATCH", srv.URL+"/api/v1/servers/localhost/zones/"+zone+".", strings.NewReader(body))
			req.Header.Set("X-API-Key", srv.APIKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusNoContent {
				t.Fatalf("disable by hand: %v %v", resp, err)
			}
			resp.Body.Close()
			if got := served(t, srv, "off", "A"); len(got) != 0 {
				t.Fatalf("a disabled record is served: %v", got)
			}
		}
		disable()
		// PowerDNS 4.7 leaves disabled records out of an answer narrowed
		// by rrset_name; a server ignoring the filter sends the whole zone,
		// where the record carries "disabled": true. Either way List must
		// not report it as a served record.
		recs, err := p.List(ctx, zone, "off", "A")
		if err != nil || len(recs) > 1 || (len(recs) == 1 && !recs[0].Disabled) {
			t.Fatalf("List of a disabled record = %+v, %v", recs, err)
		}
		if err := p.Enable(ctx, zone, providers.Record{Name: "off", Type: "A", Value: "192.0.2.50", TTL: 60}); err != nil {
			t.Fatal(err)
		}
		if got := served(t, srv, "off", "A"); !slices.Equal(got, []string{"192.0.2.50"}) {
			t.Fatalf("off after Enable = %v (enabled)", got)
		}
		disable()
		if _, err := p.Create(ctx, zone, providers.Record{Name: "off", Type: "A", Value: "192.0.2.50", TTL: 60}); err != nil {
			t.Fatal(err)
		}
		if got := served(t, srv, "off", "A"); !slices.Equal(got, []string{"192.0.2.50"}) {
			t.Fatalf("off after Create = %v (enabled)", got)
		}
	})

	t.Run("a server that ignores rrset_name: disabled records come back marked", func(t *testing.T) {
		disable := fmt.Sprintf(`{"rrsets":[{"name":"off.%s.","type":"A","ttl":60,"changetype":"REPLACE","records":[{"content":"192.0.2.50","disabled":true}]}]}`, zone)
		req, _ := http.NewRequest("PATCH", srv.URL+"/api/v1/servers/localhost/zones/"+zone+".", strings.NewReader(disable))
		req.Header.Set("X-API-Key", srv.APIKey)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("disable by hand: %v %v", resp, err)
		}
		// A proxy that strips the query stands in for a server without the
		// filter (they answer GET zone with every RRset).
		target, _ := url.Parse(srv.URL)
		rp := httputil.NewSingleHostReverseProxy(target)
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.URL.RawQuery = ""
			rp.ServeHTTP(w, r)
		}))
		defer proxy.Close()
		pp, _ := New(proxy.URL, srv.APIKey, "", providers.Options{Timeout: 5 * time.Second})
		recs, err := pp.List(ctx, zone, "off", "A")
		if err != nil || len(recs) != 1 || !recs[0].Disabled || recs[0].Value != "192.0.2.50" {
			t.Fatalf("List through a filterless server = %+v, %v; want the record marked disabled", recs, err)
		}
		if err := pp.Enable(ctx, zone, recs[0]); err != nil {
			t.Fatal(err)
		}
		if got := served(t, srv, "off", "A"); !slices.Equal(got, []string{"192.0.2.50"}) {
			t.Fatalf("off after Enable = %v", got)
		}
	})

	t.Run("wrong API key is an auth error without the key", func(t *testing.T) {
		bad, _ := New(srv.URL, "not-the-key-"+srv.APIKey[:4], "", providers.Options{Timeout: 5 * time.Second})
		for _, call := range []func() error{
			func() error { _, err := bad.List(ctx, zone, "nas", "AAAA"); return err },
			func() error {
				_, err := bad.Update(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::bad", TTL: 60})
				return err
			},
		} {
			err := call()
			if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindAuth || pe.HTTPStatus != http.StatusUnauthorized {
				t.Fatalf("wrong key: %v; want an auth error (HTTP 401)", err)
			}
			if strings.Contains(err.Error(), srv.APIKey) || strings.Contains(err.Error(), "not-the-key") {
				t.Fatalf("error leaks a key: %v", err)
			}
		}
		if got := served(t, srv, "nas", "AAAA"); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("nas = %v after refused write", got)
		}
	})

	t.Run("a zone the server does not have", func(t *testing.T) {
		_, err := p.List(ctx, "not-here.test", "nas", "A")
		if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindNotFound {
			t.Fatalf("List on a missing zone: %v", err)
		}
		_, err = p.Update(ctx, "not-here.test", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", TTL: 60})
		if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindNotFound {
			t.Fatalf("Update on a missing zone: %v", err)
		}
	})

	t.Run("a malformed name is refused by the server", func(t *testing.T) {
		// The server checks the RRset name and answers 422 with a JSON error.
		_, err := p.Update(ctx, zone, providers.Record{Name: "a..b", Type: "A", Value: "192.0.2.1", TTL: 60})
		if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindPermanent || pe.HTTPStatus < 400 {
			t.Fatalf("bad name: %v; want a permanent HTTP error", err)
		}
	})

	t.Run("throttling by a proxy in front of the API", func(t *testing.T) {
		// pdns_server itself does not rate-limit its API; deployments put a
		// reverse proxy in front that answers 429 with Retry-After (RFC 6585
		// section 4). The request never reaches pdns.
		target, _ := url.Parse(srv.URL)
		rp := httputil.NewSingleHostReverseProxy(target)
		throttle := true
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if throttle && r.Method == "PATCH" {
				w.Header().Set("Retry-After", "30")
				http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
				return
			}
			rp.ServeHTTP(w, r)
		}))
		defer proxy.Close()
		pp, _ := New(proxy.URL, srv.APIKey, "", providers.Options{Timeout: 5 * time.Second})
		_, err := pp.Update(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::3", TTL: 60})
		if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindThrottled || pe.RetryAfter != 30*time.Second {
			t.Fatalf("throttled: %v; want throttled with Retry-After 30s", err)
		}
		throttle = false
		if _, err := pp.Update(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::3", TTL: 60}); err != nil {
			t.Fatal(err)
		}
		if got := served(t, srv, "nas", "AAAA"); !slices.Equal(got, []string{"2001:db8::3"}) {
			t.Fatalf("nas = %v", got)
		}
	})
}

func TestServerDown(t *testing.T) {
	port := bindtest.FreePort(t, "127.0.0.1")
	p, err := New(fmt.Sprintf("http://127.0.0.1:%d", port), "key", "", providers.Options{Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.List(context.Background(), zone, "nas", "A"); providers.KindOf(err) != providers.KindTransient {
		t.Fatalf("List from a closed port: %v; want transient", err)
	}
}

func TestNew(t *testing.T) {
	for _, c := range []struct{ endpoint, key, server, want string }{
		{"http://ns:8081", "k", "", "http://ns:8081/api/v1/servers/localhost/zones/example.test."},
		{"https://ns/api/v1/", "k", "", "https://ns/api/v1/servers/localhost/zones/example.test."},
		{"https://ns/pdns", "k", "other", "https://ns/pdns/api/v1/servers/other/zones/example.test."},
		{"", "k", "", ""},
		{"http://ns", "", "", ""},
		{"ftp://ns", "k", "", ""},
		{"http://ns", "k", "a/b", ""},
	} {
		p, err := New(c.endpoint, c.key, c.server, providers.Options{})
		if c.want == "" {
			if err == nil {
				t.Errorf("New(%q, %q, %q) accepted", c.endpoint, c.key, c.server)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q): %v", c.endpoint, err)
			continue
		}
		if got := p.zoneURL("Example.Test", nil); got != c.want {
			t.Errorf("zone URL = %q, want %q", got, c.want)
		}
	}
}
