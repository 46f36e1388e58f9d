package huaweicloud

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/huaweicloud/huaweicloudtest"
	"github.com/eddns/eddns/providers/providertest"
)

const (
	testAK = "HPUAEXAMPLEAK0123456"
	testSK = "hw-SK-never-in-any-request-0123456789"
	zone   = "example.com"
)

func TestConformance(t *testing.T) {
	providertest.Conformance(t, providertest.Setup{
		Fake:   huaweicloudtest.New(testAK, testSK),
		KeyID:  testAK,
		Secret: testSK,
		New: func(endpoint, keyID, secret string, opts providers.Options) (providers.Provider, error) {
			opts.Endpoint = endpoint
			return New(keyID, secret, "", opts)
		},
	})
}

func setup(t *testing.T) (*huaweicloudtest.Fake, *Provider) {
	t.Helper()
	f := huaweicloudtest.New(testAK, testSK)
	f.AddZone(zone)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	p, err := New(testAK, testSK, "", providers.Options{Endpoint: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}

// A record set with several values: List shows each, Update replaces only
// ours and keeps the others in the same set.
func TestUpdateOnlyOurValue(t *testing.T) {
	f, p := setup(t)
	ctx := context.Background()
	f.Put(zone, providers.Record{Name: "multi", Type: "A", Value: "192.0.2.1", TTL: 300})
	ours := f.Put(zone, providers.Record{Name: "multi", Type: "A", Value: "192.0.2.2", TTL: 300})
	if f.SetCount(zone) != 1 {
		t.Fatal("Put should keep one set")
	}
	recs, err := p.List(ctx, zone, "multi", "A")
	if err != nil || len(recs) != 2 {
		t.Fatalf("List = %+v, %v", recs, err)
	}
	got, err := p.Update(ctx, zone, providers.Record{ID: ours, Name: "multi", Type: "A", Value: "192.0.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	vals := []string{}
	for _, r := range f.Records(zone) {
		vals = append(vals, r.Value)
	}
	if strings.Join(vals, ",") != "192.0.2.1,192.0.2.3" || f.SetCount(zone) != 1 || f.Writes() != 1 {
		t.Fatalf("values %v, %d sets, %d writes; want 192.0.2.1 kept and 192.0.2.2 replaced by 192.0.2.3 in one set", vals, f.SetCount(zone), f.Writes())
	}
	if !strings.HasSuffix(got.ID, "/192.0.2.3") {
		t.Errorf("updated id %s does not name the new value", got.ID)
	}
	// Once more with the old id: the set already holds the value, no write.
	if _, err := p.Update(ctx, zone, providers.Record{ID: ours, Name: "multi", Type: "A", Value: "192.0.2.3"}); err != nil || f.Writes() != 1 {
		t.Fatalf("repeat: %v, %d writes", err, f.Writes())
	}
	// Our value changed by hand: not found, so the reconciler lists again.
	_, err = p.Update(ctx, zone, providers.Record{ID: ours, Name: "multi", Type: "A", Value: "192.0.2.4"})
	if providers.KindOf(err) != providers.KindNotFound {
		t.Fatalf("stale value: %v", err)
	}
	// Create makes a new set; a second create of the same name and type
	// is a conflict.
	if _, err := p.Create(ctx, zone, providers.Record{Name: "new", Type: "AAAA", Value: "2001:db8::1", TTL: 120}); err != nil {
		t.Fatal(err)
	}
	_, err = p.Create(ctx, zone, providers.Record{Name: "new", Type: "AAAA", Value: "2001:db8::2"})
	if providers.KindOf(err) != providers.KindConflict {
		t.Fatalf("second create: %v", err)
	}
	if f.Calls("ListPublicZones") != 1 {
		t.Errorf("zone looked up %d times, want once", f.Calls("ListPublicZones"))
	}
}

func TestListMatchesNameExactly(t *testing.T) {
	f, p := setup(t)
	f.Put(zone, providers.Record{Name: "ghost", Type: "A", Value: "192.0.2.9"})
	// "ghost" contains "host": the provider asks for equal matching.
	for i := 0; i < 3; i++ {
		f.Put(zone, providers.Record{Name: "host", Type: "A", Value: "192.0.2." + string(rune('1'+i))})
	}
	recs, err := p.List(context.Background(), zone, "host", "A")
	if err != nil || len(recs) != 3 {
		t.Fatalf("List = %+v, %v", recs, err)
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		status    int
		code, msg string
		want      providers.Kind
	}{
		{401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail", providers.KindAuth},
		{401, "APIG.0301", "Incorrect IAM authentication information: calc ak sk signature fail: signature expired", providers.KindClockSkew},
		{429, "APIG.0308", "The request is throttled.", providers.KindThrottled},
		{404, "DNS.0304", "The record set does not exist.", providers.KindNotFound},
		{400, "DNS.0312", "The record set already exists.", providers.KindConflict},
		{400, "DNS.0303", "Invalid record set.", providers.KindPermanent},
		{503, "", "", providers.KindTransient},
	} {
		if got := Classify(c.status, c.code, c.msg); got != c.want {
			t.Errorf("%d %s %q: %v, want %v", c.status, c.code, c.msg, got, c.want)
		}
	}
}

func TestRegionPicksEndpoint(t *testing.T) {
	p, err := Spec.New(providers.NewSettings(map[string][]string{"access_key_id": {"a"}, "access_key_secret": {"b"}, "region": {"ap-southeast-1"}}), providers.Options{})
	if err != nil || p.(*Provider).base.String() != "https://dns.ap-southeast-1.myhuaweicloud.com" {
		t.Fatalf("%v %v", p, err)
	}
	q, _ := New("a", "b", "", providers.Options{})
	if q.base.String() != "https://dns.cn-north-4.myhuaweicloud.com" {
		t.Errorf("default endpoint %s", q.base)
	}
}

// A paused record set stays paused through an update (the caller is told,
// and resumes it with Enable).
func TestUpdateOfPausedSetReportsIt(t *testing.T) {
	f, p := setup(t)
	ctx := context.Background()
	id := f.Put(zone, providers.Record{Name: "off", Type: "A", Value: "192.0.2.1", TTL: 300, Disabled: true})
	got, err := p.Update(ctx, zone, providers.Record{ID: id, Name: "off", Type: "A", Value: "192.0.2.2"})
	if err != nil || !got.Disabled {
		t.Fatalf("Update = %+v, %v; want the record still reported paused", got, err)
	}
	if err := p.Enable(ctx, zone, got); err != nil {
		t.Fatal(err)
	}
	if recs := f.Records(zone); len(recs) != 1 || recs[0].Disabled || recs[0].Value != "192.0.2.2" {
		t.Fatalf("after Enable: %+v", recs)
	}
}
