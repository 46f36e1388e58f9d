package providertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
)

// Setup describes a provider under test and its fake.
type Setup struct {
	// Fake is a fresh fake that accepts KeyID/Secret.
	Fake   Fake
	KeyID  string
	Secret string
	// New builds the real provider pointed at endpoint (the fake's URL).
	New func(endpoint, keyID, secret string, opts providers.Options) (providers.Provider, error)
	// OtherLine is a line other than the default in the API's spelling
	// (as Fake.Put and Record.Line take it), for providers with lines.
	OtherLine string
}

// Conformance runs the behaviour every provider must show against its fake:
// create when missing, update on change, success when already correct,
// several records of one name listed, and errors classified (auth, clock
// skew, throttling, transient, garbage) without leaking the secret.
func Conformance(t *testing.T, s Setup) {
	t.Helper()
	const zone = "example.com"
	s.Fake.AddZone(zone)
	var wire wireLog
	srv := httptest.NewServer(wire.wrap(s.Fake))
	t.Cleanup(srv.Close)
	clock := providers.NewClock(nil)
	opts := providers.Options{Endpoint: srv.URL, Timeout: 5 * time.Second, Clock: clock}
	p, err := s.New(srv.URL, s.KeyID, s.Secret, opts)
	if err != nil {
		t.Fatalf("new provider: %v", err)
	}
	ctx := context.Background()
	noSecret := func(t *testing.T, err error) {
		t.Helper()
		if err != nil && strings.Contains(err.Error(), s.Secret) {
			t.Fatalf("error text leaks the secret: %v", err)
		}
	}

	t.Run("create when missing, then update, then nothing to do", func(t *testing.T) {
		recs, err := p.List(ctx, zone, "nas", "AAAA")
		if err != nil || len(recs) != 0 {
			t.Fatalf("List on empty zone = %v, %v; want none, nil", recs, err)
		}
		created, err := p.Create(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if created.ID == "" {
			t.Fatal("Create returned no record id")
		}
		if got := s.Fake.Records(zone); len(got) != 1 || got[0].Value != "2001:db8::1" || got[0].Name != "nas" || got[0].Type != "AAAA" {
			t.Fatalf("fake state after create = %+v", got)
		}
		recs, err = p.List(ctx, zone, "nas", "AAAA")
		if err != nil || len(recs) != 1 || recs[0].ID != created.ID || recs[0].Value != "2001:db8::1" {
			t.Fatalf("List after create = %+v, %v", recs, err)
		}
		w := s.Fake.Writes()
		upd := recs[0]
		upd.Value = "2001:db8::2"
		if _, err := p.Update(ctx, zone, upd); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if got := s.Fake.Records(zone); len(got) != 1 || got[0].Value != "2001:db8::2" {
			t.Fatalf("fake state after update = %+v", got)
		}
		if s.Fake.Writes() != w+1 {
			t.Fatalf("writes = %d, want %d", s.Fake.Writes(), w+1)
		}
		// Updating to the value already held is success, not an error.
		if _, err := p.Update(ctx, zone, upd); err != nil {
			t.Fatalf("Update to identical value: %v", err)
		}
		if got := s.Fake.Records(zone); len(got) != 1 || got[0].Value != "2001:db8::2" {
			t.Fatalf("fake state after identical update = %+v", got)
		}
	})

	t.Run("apex and A records", func(t *testing.T) {
		if _, err := p.Create(ctx, zone, providers.Record{Name: "@", Type: "A", Value: "192.0.2.7", TTL: 600}); err != nil {
			t.Fatalf("Create apex: %v", err)
		}
		recs, err := p.List(ctx, zone, "@", "A")
		if err != nil || len(recs) != 1 || recs[0].Value != "192.0.2.7" || recs[0].Name != "@" {
			t.Fatalf("List apex = %+v, %v", recs, err)
		}
		// A records of another name do not show up.
		recs, err = p.List(ctx, zone, "other", "A")
		if err != nil || len(recs) != 0 {
			t.Fatalf("List other = %+v, %v", recs, err)
		}
	})

	t.Run("several records of one name are all listed", func(t *testing.T) {
		s.Fake.Put(zone, providers.Record{Name: "multi", Type: "A", Value: "192.0.2.1", TTL: 600})
		s.Fake.Put(zone, providers.Record{Name: "multi", Type: "A", Value: "192.0.2.2", TTL: 600})
		recs, err := p.List(ctx, zone, "multi", "A")
		if err != nil || len(recs) != 2 {
			t.Fatalf("List multi = %+v, %v; want 2 records", recs, err)
		}
	})

	if lp, ok := p.(providers.LineProvider); ok && s.OtherLine != "" {
		t.Run("records on another line are listed with it and left alone", func(t *testing.T) {
			other := s.Fake.Put(zone, providers.Record{Name: "split", Type: "A", Value: "192.0.2.1", TTL: 600, Line: s.OtherLine})
			def := s.Fake.Put(zone, providers.Record{Name: "split", Type: "A", Value: "192.0.2.1", TTL: 600})
			recs, err := p.List(ctx, zone, "split", "A")
			if err != nil || len(recs) != 2 {
				t.Fatalf("List = %+v, %v", recs, err)
			}
			lines := map[string]string{}
			for _, r := range recs {
				lines[r.ID] = r.Line
			}
			if lines[other] != s.OtherLine || lines[def] != lp.DefaultLine() {
				t.Fatalf("lines = %v; want %s on %q and %s on %q", lines, other, s.OtherLine, def, lp.DefaultLine())
			}
			if _, err := p.Update(ctx, zone, providers.Record{ID: def, Name: "split", Type: "A", Value: "192.0.2.2", TTL: 600, Line: lp.DefaultLine()}); err != nil {
				t.Fatal(err)
			}
			for _, r := range s.Fake.Records(zone) {
				if r.ID == other && (r.Value != "192.0.2.1" || r.Line != s.OtherLine) {
					t.Fatalf("record on the other line changed: %+v", r)
				}
				if r.ID == def && r.Value != "192.0.2.2" {
					t.Fatalf("default-line record not updated: %+v", r)
				}
			}
		})
	}

	t.Run("paused records are listed as such", func(t *testing.T) {
		id := s.Fake.Put(zone, providers.Record{Name: "paused", Type: "A", Value: "192.0.2.1", TTL: 600, Disabled: true})
		recs, err := p.List(ctx, zone, "paused", "A")
		if err != nil || len(recs) != 1 || recs[0].ID != id || !recs[0].Disabled {
			t.Fatalf("List = %+v, %v; want record %s marked paused", recs, err, id)
		}
		en, ok := p.(providers.Enabler)
		if !ok {
			return
		}
		if err := en.Enable(ctx, zone, recs[0]); err != nil {
			t.Fatalf("Enable: %v", err)
		}
		recs, err = p.List(ctx, zone, "paused", "A")
		if err != nil || len(recs) != 1 || recs[0].Disabled {
			t.Fatalf("after Enable: %+v, %v", recs, err)
		}
	})

	t.Run("wrong secret is an auth error naming the provider", func(t *testing.T) {
		bad, err := s.New(srv.URL, s.KeyID, s.Secret+"-wrong", opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = bad.List(ctx, zone, "nas", "AAAA")
		if providers.KindOf(err) != providers.KindAuth {
			t.Fatalf("wrong secret: kind %v, err %v; want auth", providers.KindOf(err), err)
		}
		if pe := providers.AsError(err); pe == nil || pe.Code == "" || pe.Provider == "" {
			t.Fatalf("wrong secret: want provider and code in error, got %#v", pe)
		}
		if strings.Contains(err.Error(), s.Secret) {
			t.Fatalf("error leaks secret: %v", err)
		}
	})

	t.Run("unknown key id is an auth error", func(t *testing.T) {
		bad, _ := s.New(srv.URL, s.KeyID+"X", s.Secret, opts)
		_, err := bad.List(ctx, zone, "nas", "AAAA")
		if providers.KindOf(err) != providers.KindAuth {
			t.Fatalf("unknown key: kind %v, err %v; want auth", providers.KindOf(err), err)
		}
		noSecret(t, err)
	})

	t.Run("server clock a year ahead: clock-skew error, then the learned offset signs correctly", func(t *testing.T) {
		skewed := providers.NewClock(nil)
		o := opts
		o.Clock = skewed
		sp, _ := s.New(srv.URL, s.KeyID, s.Secret, o)
		s.Fake.SetNow(func() time.Time { return time.Now().Add(365 * 24 * time.Hour) })
		defer s.Fake.SetNow(time.Now)
		_, err := sp.List(ctx, zone, "nas", "AAAA")
		if providers.KindOf(err) != providers.KindClockSkew {
			t.Fatalf("skewed clock: kind %v, err %v; want clock-skew", providers.KindOf(err), err)
		}
		if off := skewed.Offset(); off < 364*24*time.Hour {
			t.Fatalf("clock offset after skew error = %v; want about a year", off)
		}
		if _, err := sp.List(ctx, zone, "nas", "AAAA"); err != nil {
			t.Fatalf("retry with learned offset: %v", err)
		}
	})

	faultCases := []struct {
		name  string
		fault Fault
		want  providers.Kind
	}{
		{"HTTP 500", Fault{Status: http.StatusInternalServerError, Body: "internal error"}, providers.KindTransient},
		{"garbage body", Fault{Status: http.StatusOK, Body: "<html>not json"}, providers.KindTransient},
		{"truncated JSON", Fault{Status: http.StatusOK, Body: `{"Response":{"RecordList":[`}, providers.KindTransient},
		{"connection reset", Fault{Reset: true}, providers.KindTransient},
		{"HTTP 429 with Retry-After", Fault{Status: http.StatusTooManyRequests, Body: "slow down", RetryAfter: "7"}, providers.KindThrottled},
	}
	for _, fc := range faultCases {
		t.Run("fault: "+fc.name, func(t *testing.T) {
			s.Fake.Faults().Push(fc.fault)
			_, err := p.List(ctx, zone, "nas", "AAAA")
			if got := providers.KindOf(err); got != fc.want {
				t.Fatalf("kind = %v (err %v); want %v", got, err, fc.want)
			}
			if fc.fault.RetryAfter != "" {
				if pe := providers.AsError(err); pe == nil || pe.RetryAfter != 7*time.Second {
					t.Fatalf("RetryAfter not carried: %#v", pe)
				}
			}
			noSecret(t, err)
			if _, err := p.List(ctx, zone, "nas", "AAAA"); err != nil {
				t.Fatalf("call after fault: %v", err)
			}
		})
	}

	// Every request made above, successes and failures alike, is checked:
	// the secret signs requests but never travels.
	t.Run("no request carries the secret", func(t *testing.T) {
		reqs := wire.all()
		if len(reqs) < 10 {
			t.Fatalf("only %d requests recorded", len(reqs))
		}
		for i, r := range reqs {
			if strings.Contains(r, s.Secret) || strings.Contains(r, url.QueryEscape(s.Secret)) {
				t.Fatalf("request %d carries the secret:\n%s", i, r)
			}
		}
	})

	t.Run("timeout is transient", func(t *testing.T) {
		o := opts
		o.Timeout = 200 * time.Millisecond
		sp, _ := s.New(srv.URL, s.KeyID, s.Secret, o)
		s.Fake.Faults().Push(Fault{Delay: 2 * time.Second})
		_, err := sp.List(ctx, zone, "nas", "AAAA")
		if providers.KindOf(err) != providers.KindTransient {
			t.Fatalf("timeout: kind %v, err %v", providers.KindOf(err), err)
		}
	})
}

// wireLog keeps every request as it arrived: method, URL, headers and body.
type wireLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *wireLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
		for k, vs := range r.Header {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(vs, ", "))
		}
		b.Write(body)
		l.mu.Lock()
		l.reqs = append(l.reqs, b.String())
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *wireLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.reqs...)
}
