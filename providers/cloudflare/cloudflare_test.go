package cloudflare

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/cloudflare/cloudflaretest"
	"github.com/eddns/eddns/providers/providertest"
)

const (
	token = "cf-TOKEN-never-printed-0123456789"
	zone  = "example.com"
)

func setup(t *testing.T) (*cloudflaretest.Fake, *httptest.Server, *Provider) {
	t.Helper()
	f := cloudflaretest.New(token)
	f.AddZone(zone)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	p, err := New(token, providers.Options{Endpoint: srv.URL + "/client/v4", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f, srv, p
}

func TestCreateListUpdateUnchanged(t *testing.T) {
	f, _, p := setup(t)
	ctx := context.Background()
	recs, err := p.List(ctx, zone, "nas", "AAAA")
	if err != nil || len(recs) != 0 {
		t.Fatalf("List on empty zone = %v, %v", recs, err)
	}
	created, err := p.Create(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1"})
	if err != nil || len(created.ID) != 32 {
		t.Fatalf("Create = %+v, %v", created, err)
	}
	got := f.Records(zone)
	if len(got) != 1 || got[0].Name != "nas" || got[0].Value != "2001:db8::1" || got[0].TTL != 1 {
		t.Fatalf("fake after create = %+v; want TTL 1 (automatic) for TTL 0", got)
	}
	recs, err = p.List(ctx, zone, "nas", "AAAA")
	if err != nil || len(recs) != 1 || recs[0].ID != created.ID || recs[0].Name != "nas" {
		t.Fatalf("List = %+v, %v", recs, err)
	}
	upd := recs[0]
	upd.Value, upd.TTL = "2001:db8::2", 300
	if _, err := p.Update(ctx, zone, upd); err != nil {
		t.Fatal(err)
	}
	if got := f.Records(zone); got[0].Value != "2001:db8::2" || got[0].TTL != 300 || f.Writes() != 2 {
		t.Fatalf("after update %+v, %d writes", got, f.Writes())
	}
	// Setting the value it already holds is success and no write.
	if _, err := p.Update(ctx, zone, upd); err != nil || f.Writes() != 2 {
		t.Fatalf("identical update: %v, %d writes", err, f.Writes())
	}
	// Apex.
	if _, err := p.Create(ctx, zone, providers.Record{Name: "@", Type: "A", Value: "192.0.2.1", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	if recs, err := p.List(ctx, zone, "@", "A"); err != nil || len(recs) != 1 || recs[0].Name != "@" || recs[0].TTL != 600 {
		t.Fatalf("apex List = %+v, %v", recs, err)
	}
	// The zone id was looked up once and cached.
	if n := f.Calls("zones"); n != 1 {
		t.Errorf("%d zone lookups, want 1", n)
	}
}

// A proxied record stays proxied through an update (PATCH sends content
// and ttl only); the fake enforces automatic TTL for proxied records.
func TestUpdateKeepsProxied(t *testing.T) {
	f, _, p := setup(t)
	id := f.Put(zone, providers.Record{Name: "www", Type: "A", Value: "192.0.2.1", TTL: 1})
	f.SetProxied(id, true)
	if _, err := p.Update(context.Background(), zone, providers.Record{ID: id, Name: "www", Type: "A", Value: "192.0.2.2", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	if !f.Proxied(id) {
		t.Error("update turned the orange cloud off")
	}
	if got := f.Records(zone); got[0].Value != "192.0.2.2" || got[0].TTL != 1 {
		t.Errorf("after update %+v", got)
	}
	created, err := p.Create(context.Background(), zone, providers.Record{Name: "new", Type: "A", Value: "192.0.2.3"})
	if err != nil || f.Proxied(created.ID) {
		t.Errorf("a new record is created unproxied: %v, proxied %v", err, f.Proxied(created.ID))
	}
}

// Records are paged: every page is fetched until total_pages.
func TestListPages(t *testing.T) {
	f, _, p := setup(t)
	for i := 0; i < 230; i++ {
		f.Put(zone, providers.Record{Name: "multi", Type: "A", Value: "192.0.2." + strconv.Itoa(i%250+1), TTL: 60})
	}
	f.Put(zone, providers.Record{Name: "other", Type: "A", Value: "192.0.2.1", TTL: 60})
	before := f.Calls("list")
	recs, err := p.List(context.Background(), zone, "multi", "A")
	if err != nil || len(recs) != 230 {
		t.Fatalf("List = %d records, %v; want 230", len(recs), err)
	}
	if n := f.Calls("list") - before; n != 3 {
		t.Errorf("%d list pages fetched, want 3", n)
	}
}

func TestIdenticalCreateIsSuccess(t *testing.T) {
	f, _, p := setup(t)
	id := f.Put(zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.9", TTL: 60})
	got, err := p.Create(context.Background(), zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.9", TTL: 60})
	if err != nil || got.ID != id {
		t.Fatalf("Create of an existing identical record = %+v, %v; want id %s", got, err, id)
	}
}

func TestErrors(t *testing.T) {
	f, srv, p := setup(t)
	ctx := context.Background()
	check := func(name string, err error, want providers.Kind, code string) {
		t.Helper()
		if providers.KindOf(err) != want {
			t.Errorf("%s: kind %v (%v), want %v", name, providers.KindOf(err), err, want)
		}
		if pe := providers.AsError(err); code != "" && (pe == nil || pe.Code != code || pe.Provider != Name) {
			t.Errorf("%s: error %#v, want code %s", name, pe, code)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("%s: error leaks the token: %v", name, err)
		}
	}
	bad, _ := New(token+"-wrong", providers.Options{Endpoint: srv.URL + "/client/v4"})
	_, err := bad.List(ctx, zone, "nas", "A")
	check("wrong token", err, providers.KindAuth, "10000")

	f.Faults().Push(providertest.Fault{Code: "971", RetryAfter: "30"})
	_, err = p.List(ctx, zone, "nas", "A")
	check("throttled", err, providers.KindThrottled, "971")
	if pe := providers.AsError(err); pe == nil || pe.RetryAfter != 30*time.Second || pe.HTTPStatus != http.StatusTooManyRequests {
		t.Errorf("throttled: %#v", pe)
	}
	f.Faults().Push(providertest.Fault{Status: 500, Body: "oops"})
	_, err = p.List(ctx, zone, "nas", "A")
	check("HTTP 500", err, providers.KindTransient, "")
	f.Faults().Push(providertest.Fault{Status: 200, Body: `{"success":true,"result":[`})
	_, err = p.List(ctx, zone, "nas", "A")
	check("truncated", err, providers.KindTransient, "")
	f.Faults().Push(providertest.Fault{Reset: true})
	_, err = p.List(ctx, zone, "nas", "A")
	check("reset", err, providers.KindTransient, "")

	_, err = p.List(ctx, "example.org", "nas", "A")
	check("unknown zone", err, providers.KindNotFound, "")

	_, err = p.Update(ctx, zone, providers.Record{ID: "0123456789abcdef0123456789abcdef", Name: "gone", Type: "A", Value: "192.0.2.1"})
	check("deleted record", err, providers.KindNotFound, "81044")

	_, err = p.Create(ctx, zone, providers.Record{Name: "ttl", Type: "A", Value: "192.0.2.1", TTL: 30})
	check("TTL below 60", err, providers.KindPermanent, "9006")
}

func TestSpecBuildsFromSettings(t *testing.T) {
	s := providers.NewSettings(map[string][]string{"api_token": {token}})
	p, err := Spec.New(s, providers.Options{})
	if err != nil || p.(*Provider).token != token || p.(*Provider).base.String() != DefaultEndpoint {
		t.Fatalf("Spec.New = %+v, %v", p, err)
	}
	if _, err := Spec.New(providers.NewSettings(nil), providers.Options{}); err == nil {
		t.Error("no token accepted")
	}
}

// The fake's global rate limit: past it every call is refused with 429 /
// 971 for the rest of the window, and the provider reports throttled with
// the server's Retry-After.
func TestRateLimit(t *testing.T) {
	f, _, p := setup(t)
	now := time.Now()
	f.SetNow(func() time.Time { return now })
	f.SetRateLimit(3, 5*time.Minute)
	ctx := context.Background()
	for i := 0; i < 2; i++ { // zone lookup + list, then list
		if _, err := p.List(ctx, zone, "nas", "A"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := p.List(ctx, zone, "nas", "A")
	pe := providers.AsError(err)
	if providers.KindOf(err) != providers.KindThrottled || pe.Code != "971" || pe.RetryAfter != 5*time.Minute {
		t.Fatalf("past the limit: %#v", pe)
	}
	now = now.Add(5*time.Minute + time.Second)
	if _, err := p.List(ctx, zone, "nas", "A"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}
