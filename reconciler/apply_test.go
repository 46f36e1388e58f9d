package reconciler

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/alidns"
	"github.com/eddns/eddns/providers/alidns/alidnstest"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/state"
)

const (
	keyID  = "LTAI-test-key"
	secret = "alidns-test-secret-value"
)

type rig struct {
	fake  *alidnstest.Fake
	store *state.Store
	r     *Reconciler
	dir   string
	logs  *strings.Builder
}

func newRig(t *testing.T, dryRun bool) *rig {
	t.Helper()
	fake := alidnstest.New(keyID, secret)
	fake.AddZone("example.com")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	prov, err := alidns.New(keyID, secret, providers.Options{Endpoint: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, warn, err := state.Open(dir)
	if err != nil || warn != "" {
		t.Fatalf("state.Open: %v %q", err, warn)
	}
	logs := &strings.Builder{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return &rig{fake: fake, store: store, dir: dir, logs: logs,
		r: &Reconciler{Name: "ali", Provider: prov, Store: store, DryRun: dryRun, Log: log}}
}

func rec(name, typ string) *config.Record {
	return &config.Record{Section: name, Enabled: true, Provider: "ali", Zone: "example.com", Name: name, Type: typ, TTL: 600, Source: "static"}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestApplyCreatesUpdatesThenDoesNothing(t *testing.T) {
	g := newRig(t, false)
	ctx := context.Background()
	r := rec("nas", "AAAA")

	res := g.r.Apply(ctx, r, addr("2001:db8::1"), false)
	if res.Outcome != Created || res.Err != nil || res.Calls.List != 1 || res.Calls.Create != 1 {
		t.Fatalf("first apply = %+v; want created after one list", res)
	}
	res = g.r.Apply(ctx, r, addr("2001:db8::2"), false)
	if res.Outcome != Updated || res.Calls.List != 0 || res.Calls.Update != 1 {
		t.Fatalf("changed value = %+v; want one update with the cached id and no lookup", res)
	}
	before := g.fake.Calls("DescribeSubDomainRecords") + g.fake.Calls("UpdateDomainRecord") + g.fake.Calls("AddDomainRecord")
	res = g.r.Apply(ctx, r, addr("2001:db8::2"), false)
	after := g.fake.Calls("DescribeSubDomainRecords") + g.fake.Calls("UpdateDomainRecord") + g.fake.Calls("AddDomainRecord")
	if res.Outcome != Unchanged || after != before {
		t.Fatalf("same value = %+v, %d API calls; want unchanged with zero calls", res, after-before)
	}
	if got := g.fake.Records("example.com"); len(got) != 1 || got[0].Value != "2001:db8::2" {
		t.Fatalf("provider state = %+v", got)
	}
	if g.fake.Writes() != 2 {
		t.Fatalf("writes = %d, want 2", g.fake.Writes())
	}
}

func TestApplyAdoptsExistingRecordAndSurvivesRestart(t *testing.T) {
	g := newRig(t, false)
	ctx := context.Background()
	id := g.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600})
	r := rec("nas", "AAAA")
	res := g.r.Apply(ctx, r, addr("2001:db8::1"), false)
	if res.Outcome != Unchanged || res.RecordID != id || g.fake.Writes() != 0 {
		t.Fatalf("existing correct record = %+v, writes %d; want unchanged, no write", res, g.fake.Writes())
	}
	// A new process with the persisted state makes no call at all.
	store, warn, err := state.Open(g.dir)
	if err != nil || warn != "" {
		t.Fatal(err, warn)
	}
	g.r.Store = store
	calls := g.fake.Calls("DescribeSubDomainRecords")
	if res := g.r.Apply(ctx, r, addr("2001:db8::1"), false); res.Outcome != Unchanged || g.fake.Calls("DescribeSubDomainRecords") != calls {
		t.Fatalf("after restart = %+v; want unchanged with zero lookups", res)
	}
}

func TestApplySeveralRecordsUpdatesOneAndWarns(t *testing.T) {
	g := newRig(t, false)
	g.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", TTL: 600})
	g.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.2", TTL: 600})
	res := g.r.Apply(context.Background(), rec("nas", "A"), addr("198.51.100.9"), false)
	if res.Outcome != Updated {
		t.Fatalf("apply = %+v", res)
	}
	got := g.fake.Records("example.com")
	var values []string
	for _, r := range got {
		values = append(values, r.Value)
	}
	if len(got) != 2 || !strings.Contains(strings.Join(values, ","), "198.51.100.9") {
		t.Fatalf("provider state = %v; want one of two records updated, none deleted", values)
	}
	if !strings.Contains(g.logs.String(), "several records") {
		t.Fatalf("no warning about duplicate records in log:\n%s", g.logs)
	}
}

func TestApplyRecordDeletedAtProviderIsRecreated(t *testing.T) {
	g := newRig(t, false)
	ctx := context.Background()
	r := rec("nas", "AAAA")
	g.r.Apply(ctx, r, addr("2001:db8::1"), false)
	// Someone deletes the record by hand; the cached id is now stale.
	fresh := alidnstest.New(keyID, secret)
	fresh.AddZone("example.com")
	srv := httptest.NewServer(fresh)
	defer srv.Close()
	prov, _ := alidns.New(keyID, secret, providers.Options{Endpoint: srv.URL})
	g.r.Provider = prov
	res := g.r.Apply(ctx, r, addr("2001:db8::2"), false)
	if res.Outcome != Created || res.Err != nil {
		t.Fatalf("apply with stale id = %+v; want re-created", res)
	}
	if got := fresh.Records("example.com"); len(got) != 1 || got[0].Value != "2001:db8::2" {
		t.Fatalf("provider state = %+v", got)
	}
}

func TestApplyDryRunSendsNothing(t *testing.T) {
	g := newRig(t, true)
	res := g.r.Apply(context.Background(), rec("nas", "AAAA"), addr("2001:db8::1"), false)
	if res.Outcome != DryRun {
		t.Fatalf("dry run = %+v", res)
	}
	for _, a := range []string{"DescribeSubDomainRecords", "AddDomainRecord", "UpdateDomainRecord"} {
		if n := g.fake.Calls(a); n != 0 {
			t.Fatalf("dry run made %d %s calls", n, a)
		}
	}
	if !strings.Contains(g.logs.String(), "dry-run: would") {
		t.Fatalf("dry run did not log what it would do:\n%s", g.logs)
	}
}

func TestApplyClockSkewIsRetriedAtOnce(t *testing.T) {
	g := newRig(t, false)
	// The server is a year ahead of the router (no RTC, before NTP).
	g.fake.SetNow(func() time.Time { return time.Now().Add(365 * 24 * time.Hour) })
	res := g.r.Apply(context.Background(), rec("nas", "AAAA"), addr("2001:db8::1"), false)
	if res.Outcome != Created {
		t.Fatalf("apply with a year of skew = %+v; want created on the first Apply", res)
	}
	if res.Calls.List != 2 {
		t.Fatalf("list calls = %d; want the refused one and its re-signed retry", res.Calls.List)
	}
}

func TestApplyErrorsCarryProviderCodeAndNoSecret(t *testing.T) {
	g := newRig(t, false)
	g.fake.Faults().Push(providertest.Fault{Code: "Throttling.User", Status: 400})
	res := g.r.Apply(context.Background(), rec("nas", "AAAA"), addr("2001:db8::1"), false)
	if res.Outcome != Failed || providers.KindOf(res.Err) != providers.KindThrottled {
		t.Fatalf("throttled apply = %+v", res)
	}
	if msg := res.Err.Error(); !strings.Contains(msg, "Throttling.User") || !strings.Contains(msg, "alidns") || !strings.Contains(msg, "nas.example.com") {
		t.Fatalf("error lacks provider, record or code: %s", msg)
	}
	if strings.Contains(res.Err.Error()+g.logs.String(), secret) {
		t.Fatal("secret leaked into error or log")
	}
}

func TestBackoff(t *testing.T) {
	mid := func() float64 { return 0.5 } // no jitter
	cases := []struct {
		kind     providers.Kind
		failures int
		after    time.Duration
		want     time.Duration
	}{
		{providers.KindTransient, 1, 0, 2 * time.Second},
		{providers.KindTransient, 2, 0, 4 * time.Second},
		{providers.KindTransient, 5, 0, 32 * time.Second},
		{providers.KindTransient, 30, 0, 5 * time.Minute},
		{providers.KindThrottled, 1, 0, 2 * time.Second},
		{providers.KindThrottled, 1, 90 * time.Second, 90 * time.Second},
		{providers.KindAuth, 1, 0, time.Minute},
		{providers.KindAuth, 3, 0, 4 * time.Minute},
		{providers.KindPermanent, 20, 0, 30 * time.Minute},
		// A TTL the plan refuses stays refused until the config changes.
		{providers.KindConfig, 1, 0, time.Minute},
	}
	for _, c := range cases {
		if got := Backoff(c.kind, c.failures, c.after, mid); got != c.want {
			t.Errorf("Backoff(%v, %d, %v) = %v, want %v", c.kind, c.failures, c.after, got, c.want)
		}
	}
	// Jitter stays within ±20 %.
	for _, r := range []float64{0, 0.999} {
		got := Backoff(providers.KindTransient, 1, 0, func() float64 { return r })
		if got < 1600*time.Millisecond || got > 2400*time.Millisecond {
			t.Errorf("jittered backoff %v outside ±20%% of 2s", got)
		}
	}
}
