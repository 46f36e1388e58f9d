package webhook

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/providers/webhook/webhooktest"
)

const (
	token = "wh-TOKEN-never-printed-42"
	zone  = "example.com"
)

func setup(t *testing.T, tok string) (*webhooktest.Fake, *Provider) {
	t.Helper()
	f := webhooktest.New(token)
	f.AddZone(zone)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	p, err := New(Config{URL: srv.URL + "/update?host={fqdn}&ip={value}&secret=" + tok, Headers: []string{"Authorization: Bearer " + tok, "X-Extra:  kept "},
		Body: webhooktest.BodyTemplate}, providers.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}

func TestDeliverAndRemember(t *testing.T) {
	f, p := setup(t, token)
	ctx := context.Background()
	if recs, err := p.List(ctx, zone, "nas", "AAAA"); err != nil || len(recs) != 0 {
		t.Fatalf("List before any delivery = %v, %v", recs, err)
	}
	rec, err := p.Create(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600})
	if err != nil || rec.ID == "" {
		t.Fatalf("Create = %+v, %v", rec, err)
	}
	got := f.Records(zone)
	if len(got) != 1 || got[0].Value != "2001:db8::1" || got[0].Name != "nas" || got[0].TTL != 600 {
		t.Fatalf("delivered %+v", got)
	}
	if q := f.Queries(); len(q) != 1 || q[0] != "host=nas.example.com&ip=2001%3Adb8%3A%3A1&secret="+token {
		t.Errorf("URL placeholders: query %q", q)
	}
	// List now reports what was delivered, so an unchanged value is not sent again.
	recs, err := p.List(ctx, zone, "nas", "AAAA")
	if err != nil || len(recs) != 1 || recs[0].Value != "2001:db8::1" || recs[0].ID != rec.ID {
		t.Fatalf("List after delivery = %+v, %v", recs, err)
	}
	if _, err := p.Update(ctx, zone, providers.Record{ID: rec.ID, Name: "nas", Type: "AAAA", Value: "2001:db8::2", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	if got := f.Records(zone); got[0].Value != "2001:db8::2" || f.Writes() != 2 {
		t.Fatalf("after update %+v, %d writes", got, f.Writes())
	}
	// Apex: {name} is "@", {fqdn} the zone.
	if _, err := p.Create(ctx, zone, providers.Record{Name: "@", Type: "A", Value: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsKeepSecrets(t *testing.T) {
	f, good := setup(t, token)
	_, bad := setup(t, "wrong-"+token)
	// bad points at its own fake (expecting token) with the wrong token.
	ctx := context.Background()
	_, err := bad.Create(ctx, zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindAuth || providers.AsError(err).Code != "401" {
		t.Fatalf("wrong token: %v", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "update?") {
		t.Fatalf("error quotes a secret or the URL: %v", err)
	}
	f.Faults().Push(providertest.Fault{Status: 429, RetryAfter: "60"})
	_, err = good.Create(ctx, zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1"})
	if pe := providers.AsError(err); providers.KindOf(err) != providers.KindThrottled || pe.RetryAfter != time.Minute {
		t.Fatalf("throttled: %v", err)
	}
	f.Faults().Push(providertest.Fault{Status: 503})
	_, err = good.Create(ctx, zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindTransient {
		t.Fatalf("503: %v", err)
	}
	f.Faults().Push(providertest.Fault{Reset: true})
	_, err = good.Create(ctx, zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindTransient || strings.Contains(err.Error(), token) {
		t.Fatalf("reset: %v", err)
	}
	// A failed delivery is not remembered: List still says nothing was sent.
	if recs, _ := good.List(ctx, zone, "nas", "A"); len(recs) != 0 {
		t.Fatalf("a failed delivery was remembered: %+v", recs)
	}
}

func TestExpand(t *testing.T) {
	r := providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 300}
	got := expand(`{"h":"{fqdn}","n":"{name}","z":"{zone}","t":"{type}","v":"{value}","ttl":{ttl},"k":"{token}","keep":"{other}"}`, r, zone, "s3cr3t", nil)
	want := `{"h":"nas.example.com","n":"nas","z":"example.com","t":"AAAA","v":"2001:db8::1","ttl":300,"k":"s3cr3t","keep":"{other}"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := expand("{", r, zone, "", nil); got != "{" {
		t.Errorf("lone brace: %q", got)
	}
}

// TestTokenOption: `option token` (a masked field in LuCI) stands in for
// {token} in the URL (escaped), the header values and the body, and a
// wrong one fails without quoting it.
func TestTokenOption(t *testing.T) {
	f := webhooktest.New(token)
	f.AddZone(zone)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	settings := func(tok string) providers.Settings {
		return providers.NewSettings(map[string][]string{
			"url":    {srv.URL + "/update?host={fqdn}&ip={value}&secret={token}"},
			"header": {"Authorization: Bearer {token}"},
			"body":   {webhooktest.BodyTemplate},
			"token":  {tok},
		})
	}
	p, err := Spec.New(settings(token), providers.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.Create(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600}); err != nil {
		t.Fatalf("with the token: %v", err)
	}
	if q := f.Queries(); len(q) != 1 || q[0] != "host=nas.example.com&ip=2001%3Adb8%3A%3A1&secret="+url.QueryEscape(token) {
		t.Errorf("query %q", q)
	}
	bad, err := Spec.New(settings("wrong-"+token), providers.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Create(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1"})
	if providers.KindOf(err) != providers.KindAuth || strings.Contains(err.Error(), token) {
		t.Fatalf("wrong token: %v", err)
	}
	if _, err := Spec.New(providers.NewSettings(map[string][]string{"url": {"https://x/"}, "header": {"A: {token}"}, "token": {"a\nb"}}), providers.Options{}); err == nil {
		t.Error("a token with a line break accepted in a header")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, c := range []Config{
		{URL: "ftp://x/"}, {URL: "https://u:p@x/"}, {URL: "https://x/", Method: "DELETE"},
		{URL: "https://x/", Headers: []string{"no colon"}}, {URL: "https://x/", Headers: []string{"Bad Name: v"}},
	} {
		if _, err := New(c, providers.Options{}); err == nil {
			t.Errorf("%+v accepted", c)
		} else if strings.Contains(err.Error(), "u:p") {
			t.Errorf("error quotes the URL: %v", err)
		}
	}
	p, err := Spec.New(providers.NewSettings(map[string][]string{"url": {"https://x/u"}, "method": {"PUT"}, "header": {"A: 1", "B: 2"}}), providers.Options{})
	if err != nil || p.(*Provider).cfg.Method != "PUT" || len(p.(*Provider).headers) != 2 {
		t.Fatalf("Spec.New: %v", err)
	}
}

// FuzzExpand: any template expands without panicking, text outside the
// placeholders survives, and escaped values never bring a raw space or
// newline into a URL.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{webhooktest.BodyTemplate, "https://h/u?h={fqdn}&ip={value}", "{", "}{", "{{value}}", "{ttl", "ünï{name}"} {
		f.Add(s, "nas", "2001:db8::1")
	}
	f.Fuzz(func(t *testing.T, tmpl, name, value string) {
		r := providers.Record{Name: name, Type: "AAAA", Value: value, TTL: 60}
		out := expand(tmpl, r, zone, "t k", url.QueryEscape)
		if !strings.Contains(tmpl, "{") && out != tmpl {
			t.Fatalf("a template without placeholders changed: %q -> %q", tmpl, out)
		}
		if !strings.ContainsAny(tmpl, " \n") && strings.ContainsAny(out, " \n") {
			t.Fatalf("escaped expansion brought a space or newline: %q -> %q", tmpl, out)
		}
	})
}
