package rfc2136

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/eddns/eddns/internal/bindtest"
	"github.com/eddns/eddns/providers"
)

// These tests talk to a real BIND 9 started for them (internal/bindtest).

const zone = "example.test"

func startBIND(t *testing.T) *bindtest.Server {
	var big strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&big, "big AAAA 2001:db8:b::%x\n", i)
	}
	return bindtest.Start(t, bindtest.Options{Zones: []bindtest.Zone{{
		Name:    zone,
		Records: "@ NS ns1\nns1 A 127.0.0.1\nmulti A 192.0.2.1\nmulti A 192.0.2.2\nalias CNAME ns1\n" + big.String(),
	}, {
		Name: "locked.test", Records: "@ NS ns1\nns1 A 127.0.0.1\n", Locked: true,
	}}})
}

func newProvider(t *testing.T, srv *bindtest.Server, clock *providers.Clock) *Provider {
	t.Helper()
	p, err := New(srv.Addr, srv.KeyName, srv.KeyAlgorithm, srv.KeySecret, providers.Options{Timeout: 5 * time.Second, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBIND(t *testing.T) {
	srv := startBIND(t)
	p := newProvider(t, srv, nil)
	ctx := context.Background()
	fqdn := "nas." + zone

	t.Run("create, update, unchanged", func(t *testing.T) {
		recs, err := p.List(ctx, zone, "nas", "AAAA")
		if err != nil || len(recs) != 0 {
			t.Fatalf("List before create = %+v, %v; want none", recs, err)
		}
		created, err := p.Create(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 120})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if created.ID == "" {
			t.Fatal("Create returned no id")
		}
		if got := bindtest.Lookup(t, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::1"}) {
			t.Fatalf("BIND serves %v after create", got)
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
		if got := bindtest.Lookup(t, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("BIND serves %v after update; want only the new value", got)
		}
		// The same value again is success and leaves one record.
		if _, err := p.Update(ctx, zone, upd); err != nil {
			t.Fatalf("Update to the same value: %v", err)
		}
		if got := bindtest.Lookup(t, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("BIND serves %v after unchanged update", got)
		}
		// The name exists, the type does not (NODATA, not NXDOMAIN): none.
		if recs, err := p.List(ctx, zone, "nas", "A"); err != nil || len(recs) != 0 {
			t.Fatalf("List of another type = %+v, %v; want none", recs, err)
		}
		// An A record of the same name is another RRset, left alone.
		if _, err := p.Create(ctx, zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.9", TTL: 60}); err != nil {
			t.Fatalf("Create A: %v", err)
		}
		if got := bindtest.Lookup(t, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("AAAA after creating A = %v", got)
		}
	})

	t.Run("apex", func(t *testing.T) {
		if _, err := p.Create(ctx, zone, providers.Record{Name: "@", Type: "A", Value: "192.0.2.7"}); err != nil {
			t.Fatalf("Create apex: %v", err)
		}
		recs, err := p.List(ctx, zone, "@", "A")
		if err != nil || len(recs) != 1 || recs[0].Value != "192.0.2.7" || recs[0].TTL != DefaultTTL {
			t.Fatalf("List apex = %+v, %v", recs, err)
		}
	})

	t.Run("an update replaces the whole RRset", func(t *testing.T) {
		recs, err := p.List(ctx, zone, "multi", "A")
		if err != nil || len(recs) != 2 {
			t.Fatalf("List multi = %+v, %v; want the 2 records of the zone file", recs, err)
		}
		if _, err := p.Update(ctx, zone, providers.Record{ID: recs[0].ID, Name: "multi", Type: "A", Value: "192.0.2.3", TTL: 60}); err != nil {
			t.Fatal(err)
		}
		if got := bindtest.Lookup(t, srv.Addr, "multi."+zone, dnsmessage.TypeA); !slices.Equal(got, []string{"192.0.2.3"}) {
			t.Fatalf("multi after update = %v", got)
		}
	})

	t.Run("a truncated UDP answer is fetched again over TCP", func(t *testing.T) {
		// Without EDNS BIND truncates UDP answers at 512 bytes; 40 AAAA
		// records do not fit.
		recs, err := p.List(ctx, zone, "big", "AAAA")
		if err != nil || len(recs) != 40 {
			t.Fatalf("List big = %d records, %v; want 40", len(recs), err)
		}
	})

	t.Run("wrong secret is BADSIG, unknown key is BADKEY, nothing changes", func(t *testing.T) {
		other := bindtest.NewSecret()
		for _, c := range []struct{ name, secret, code string }{
			{srv.KeyName, other, "BADSIG"},
			{"someone-else.", srv.KeySecret, "BADKEY"},
		} {
			bad, err := New(srv.Addr, c.name, srv.KeyAlgorithm, c.secret, providers.Options{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			_, err = bad.Update(ctx, zone, providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::bad", TTL: 60})
			pe := providers.AsError(err)
			if pe == nil || pe.Kind != providers.KindAuth || pe.Code != c.code {
				t.Fatalf("update with %s: %v; want auth error %s", c.code, err, c.code)
			}
			for _, s := range []string{c.secret, srv.KeySecret} {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("error leaks a secret: %v", err)
				}
			}
			if _, err := bad.List(ctx, zone, "nas", "AAAA"); providers.KindOf(err) != providers.KindAuth {
				t.Fatalf("list with %s: %v; want auth error", c.code, err)
			}
		}
		if got := bindtest.Lookup(t, srv.Addr, fqdn, dnsmessage.TypeAAAA); !slices.Equal(got, []string{"2001:db8::2"}) {
			t.Fatalf("BIND serves %v after refused updates", got)
		}
	})

	t.Run("a CNAME at the name is a conflict, not a silent no-op", func(t *testing.T) {
		_, err := p.List(ctx, zone, "alias", "A")
		if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindConflict || !strings.Contains(err.Error(), "CNAME") {
			t.Fatalf("List of a CNAME name: %v; want a conflict", err)
		}
	})

	t.Run("a zone the server does not serve", func(t *testing.T) {
		_, err := p.Update(ctx, "not-here.test", providers.Record{Name: "x", Type: "A", Value: "192.0.2.1", TTL: 60})
		pe := providers.AsError(err)
		if pe == nil || pe.Code != "NOTAUTH" || pe.Kind != providers.KindNotFound || !strings.Contains(err.Error(), "not authoritative") {
			t.Fatalf("update of a foreign zone: %v; want NOTAUTH", err)
		}
	})

	t.Run("a zone that refuses our key", func(t *testing.T) {
		_, err := p.Update(ctx, "locked.test", providers.Record{Name: "x", Type: "A", Value: "192.0.2.1", TTL: 60})
		pe := providers.AsError(err)
		if pe == nil || pe.Code != "REFUSED" || pe.Kind != providers.KindAuth || !strings.Contains(err.Error(), "allow-update") {
			t.Fatalf("update of a locked zone: %v; want REFUSED", err)
		}
	})

	t.Run("a clock off by hours learns the server's time from BADTIME", func(t *testing.T) {
		clock := providers.NewClock(func() time.Time { return time.Now().Add(-3 * time.Hour) })
		skewed := newProvider(t, srv, clock)
		_, err := skewed.Update(ctx, zone, providers.Record{Name: "skew", Type: "A", Value: "192.0.2.44", TTL: 60})
		if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindClockSkew || pe.Code != "BADTIME" {
			t.Fatalf("skewed update: %v; want clock-skew BADTIME", err)
		}
		if off := clock.Offset(); off < 3*time.Hour-time.Minute || off > 3*time.Hour+time.Minute {
			t.Fatalf("clock offset after BADTIME = %v; want about 3h", off)
		}
		if _, err := skewed.Update(ctx, zone, providers.Record{Name: "skew", Type: "A", Value: "192.0.2.44", TTL: 60}); err != nil {
			t.Fatalf("update after learning the time: %v", err)
		}
		if got := bindtest.Lookup(t, srv.Addr, "skew."+zone, dnsmessage.TypeA); !slices.Equal(got, []string{"192.0.2.44"}) {
			t.Fatalf("skew = %v", got)
		}
	})
}

func TestServerDown(t *testing.T) {
	port := bindtest.FreePort(t, "127.0.0.1")
	p, err := New(fmt.Sprintf("127.0.0.1:%d", port), "k.", "", bindtest.NewSecret(), providers.Options{Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Update(context.Background(), zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", TTL: 60})
	if providers.KindOf(err) != providers.KindTransient {
		t.Fatalf("update to a closed port: %v; want a transient error", err)
	}
	_, err = p.List(context.Background(), zone, "nas", "A")
	if providers.KindOf(err) != providers.KindTransient {
		t.Fatalf("list from a closed port: %v; want a transient error", err)
	}
}

// TestUnsignedSuccessIsNotBelieved: a "success" without the server's TSIG
// (a spoofed or broken answer) is an error, not a write (RFC 8945 section
// 5.3: the client checks the response's signature like the server checks
// the request's). The responder here plays the forger; BIND always signs.
func TestUnsignedSuccessIsNotBelieved(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			start, err := lastRecordOffset(buf[:n]) // drop our TSIG, answer NOERROR
			if err != nil {
				continue
			}
			resp := append([]byte(nil), buf[:start]...)
			resp[2] |= 0x80
			resp[10], resp[11] = 0, 0
			pc.WriteTo(resp, from)
		}
	}()
	p, err := New(pc.LocalAddr().String(), "k.", "", bindtest.NewSecret(), providers.Options{Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Update(context.Background(), zone, providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", TTL: 60})
	if pe := providers.AsError(err); pe == nil || pe.Kind != providers.KindTransient || !strings.Contains(err.Error(), "no TSIG signature") {
		t.Fatalf("unsigned success: %v; want a transient error about the missing signature", err)
	}
}
