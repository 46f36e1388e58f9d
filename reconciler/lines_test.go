package reconciler

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/providers/tencentcloud"
	"github.com/eddns/eddns/providers/tencentcloud/tencentcloudtest"
	"github.com/eddns/eddns/state"
)

// Issue 10 item 1: seeded "telecom ::1" and "default ::1"; an update to ::2
// changes the default-line record only and leaves the telecom one as it was.
func TestApplyManagesOneLine(t *testing.T) {
	g := newRig(t, false)
	ctx := context.Background()
	tel := g.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "::1", Line: "telecom"})
	def := g.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "::1"})

	res := g.r.Apply(ctx, rec("nas", "AAAA"), addr("::2"), true)
	if res.Err != nil || res.Outcome != Updated || res.RecordID != def {
		t.Fatalf("apply = %+v; want record %s (default line) updated", res, def)
	}
	got := g.fake.Records("example.com")
	if len(got) != 2 || got[0].ID != tel || got[0].Line != "telecom" || got[0].Value != "::1" ||
		got[1].ID != def || got[1].Line != "default" || got[1].Value != "::2" {
		t.Fatalf("records = %+v; want telecom ::1 untouched and default ::2", got)
	}

	// A record configured for the telecom line manages that one only, and
	// its writes keep it there.
	r := rec("nas", "AAAA")
	r.Section, r.Provider, r.Line = "nas_tel", "ali-tel", "telecom"
	res = g.r.Apply(ctx, r, addr("::3"), true)
	if res.Err != nil || res.RecordID != tel {
		t.Fatalf("telecom apply = %+v; want record %s", res, tel)
	}
	res = g.r.Apply(ctx, r, addr("::4"), false) // cached id: no list
	if res.Err != nil || res.Calls.List != 0 {
		t.Fatalf("cached telecom apply = %+v", res)
	}
	got = g.fake.Records("example.com")
	if got[0].Line != "telecom" || got[0].Value != "::4" || got[1].Line != "default" || got[1].Value != "::2" {
		t.Fatalf("records = %+v; want telecom ::4, default ::2", got)
	}

	// Only another line holds the name: a record of our own line is created
	// beside it.
	g.fake.Put("example.com", providers.Record{Name: "only", Type: "A", Value: "192.0.2.1", Line: "unicom"})
	res = g.r.Apply(ctx, rec("only", "A"), addr("192.0.2.2"), true)
	if res.Outcome != Created || res.Err != nil {
		t.Fatalf("apply beside a unicom record = %+v", res)
	}
	n := 0
	for _, x := range g.fake.Records("example.com") {
		if x.Name == "only" {
			n++
			if x.Line == "unicom" && x.Value != "192.0.2.1" {
				t.Fatalf("unicom record changed: %+v", x)
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d records named only, want 2", n)
	}
}

// Issue 10 item 3: a paused record of our name, type and line is ours:
// updated and enabled, with a log line; none is created beside it.
func TestApplyResumesPausedRecords(t *testing.T) {
	g := newRig(t, false)
	ctx := context.Background()
	id := g.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "::1", Disabled: true})
	res := g.r.Apply(ctx, rec("nas", "AAAA"), addr("::2"), true)
	if res.Err != nil || res.Outcome != Updated || res.RecordID != id {
		t.Fatalf("apply = %+v; want the paused record %s updated", res, id)
	}
	got := g.fake.Records("example.com")
	if len(got) != 1 || got[0].Value != "::2" || got[0].Disabled {
		t.Fatalf("records = %+v; want one enabled record holding ::2", got)
	}
	if !strings.Contains(g.logs.String(), "paused") {
		t.Fatalf("no log line about the paused record:\n%s", g.logs)
	}

	// Paused while already holding the value: enable only.
	id2 := g.fake.Put("example.com", providers.Record{Name: "pc", Type: "A", Value: "192.0.2.1", Disabled: true})
	res = g.r.Apply(ctx, rec("pc", "A"), addr("192.0.2.1"), true)
	if res.Err != nil || res.Outcome != Updated || res.RecordID != id2 || g.fake.Calls("UpdateDomainRecord") != 1 {
		t.Fatalf("apply = %+v (%d updates); want an enable only", res, g.fake.Calls("UpdateDomainRecord"))
	}
	for _, x := range g.fake.Records("example.com") {
		if x.Disabled {
			t.Fatalf("record still paused: %+v", x)
		}
	}
}

// Issue 10 item 2: the cached record's update is refused because another
// record already holds the value. That record is adopted, the stale one is
// left alone and reported.
func TestApplyAdoptsTheRecordHoldingTheValue(t *testing.T) {
	g := newRig(t, false)
	ctx := context.Background()
	r := rec("nas", "AAAA")
	res := g.r.Apply(ctx, r, addr("2001:db8::1"), false)
	if res.Outcome != Created {
		t.Fatal(res)
	}
	stale := res.RecordID
	other := g.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::2"})

	res = g.r.Apply(ctx, r, addr("2001:db8::2"), false)
	if res.Err != nil || res.RecordID != other {
		t.Fatalf("apply = %+v; want record %s adopted", res, other)
	}
	if !strings.Contains(res.Warning, "record "+stale+" still publishes the old value 2001:db8::1") {
		t.Fatalf("warning = %q", res.Warning)
	}
	if !strings.Contains(res.Describe(), "warning") || !strings.Contains(g.logs.String(), "stale_record_id="+stale) {
		t.Fatalf("not reported: %q\n%s", res.Describe(), g.logs)
	}
	if c, _ := g.store.Get(r.Key()); c.RecordID != other {
		t.Fatalf("cache = %+v; want record %s", c, other)
	}
	got := g.fake.Records("example.com")
	if len(got) != 2 || got[0].Value != "2001:db8::1" || got[1].Value != "2001:db8::2" {
		t.Fatalf("records = %+v; want both as they were", got)
	}
}

// Issue 10 item 5: "already exists" on create means the list missed a
// record (DNSPod documents an index delay for new records); look again at
// once instead of failing into the permanent backoff.
func TestApplyRelistsAtOnceWhenCreateFindsTheRecord(t *testing.T) {
	g := newRig(t, false)
	ctx := context.Background()
	id := g.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::2"})
	g.fake.Faults().Push(providertest.Fault{Action: "DescribeSubDomainRecords", Status: http.StatusOK,
		Body: `{"RequestId":"R1","TotalCount":0,"PageNumber":1,"PageSize":100,"DomainRecords":{"Record":[]}}`})
	res := g.r.Apply(ctx, rec("nas", "AAAA"), addr("2001:db8::2"), true)
	if res.Err != nil || res.RecordID != id || res.Calls.List != 2 || res.Calls.Create != 1 {
		t.Fatalf("apply = %+v; want record %s found by a second list", res, id)
	}
	if n := len(g.fake.Records("example.com")); n != 1 {
		t.Fatalf("%d records", n)
	}
}

// Issue 10 item 3 for DNSPod: a paused record holding the wanted address
// used to count as published, so nothing ever happened.
func TestApplyEnablesPausedDNSPodRecord(t *testing.T) {
	fake := tencentcloudtest.New(keyID, secret)
	fake.AddZone("example.com")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	prov, err := tencentcloud.New(keyID, secret, providers.Options{Endpoint: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	store, _, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &Reconciler{Name: "tx", Provider: prov, Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	id := fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", Disabled: true})
	tel := fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::9", Line: "10=0"})
	res := r.Apply(context.Background(), rec("nas", "AAAA"), addr("2001:db8::1"), true)
	if res.Err != nil || res.Outcome != Updated || res.RecordID != id {
		t.Fatalf("apply = %+v; want the paused record %s enabled", res, id)
	}
	got := fake.Records("example.com")
	if got[0].Disabled || got[0].Value != "2001:db8::1" || got[1].ID != tel || got[1].Value != "2001:db8::9" || got[1].Line != "10=0" {
		t.Fatalf("records = %+v", got)
	}
}
