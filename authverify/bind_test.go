package authverify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/bindtest"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/rfc2136"
)

// Three real BIND 9 servers on loopback, each on its own port; the zones
// give them the addresses 127.0.0.1, .2 and .3, which Checker.ServerAddr
// maps to the ports:
//   - ns1 is primary of good.test and stale.test;
//   - ns2 is a secondary of good.test, told of changes by NOTIFY;
//   - ns3 holds its own copy of stale.test that never follows.
//
// good.test's NS set is ns1 + ns2, stale.test's is ns1 + ns3. ns1 also
// answers the NS and address lookups (the resolver of the test).
func threeServers(t *testing.T) (ns1, ns3 *bindtest.Server, c *Checker) {
	ports := map[netip.Addr]int{}
	for _, a := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		ports[netip.MustParseAddr(a)] = bindtest.FreePort(t, "127.0.0.1")
	}
	p1, p2, p3 := ports[netip.MustParseAddr("127.0.0.1")], ports[netip.MustParseAddr("127.0.0.2")], ports[netip.MustParseAddr("127.0.0.3")]
	addrs := "ns1 A 127.0.0.1\nns2 A 127.0.0.2\nns3 A 127.0.0.3\n"
	good := "@ NS ns1\n@ NS ns2\n" + addrs + "nas AAAA 2001:db8::1\n"
	stale := "@ NS ns1\n@ NS ns3\n" + addrs + "nas AAAA 2001:db8::1\n"
	ns1 = bindtest.Start(t, bindtest.Options{Port: p1, Zones: []bindtest.Zone{
		{Name: "good.test", Records: good, AlsoNotify: []string{fmt.Sprintf("127.0.0.1 port %d", p2)}},
		{Name: "stale.test", Records: stale},
	}})
	bindtest.Start(t, bindtest.Options{Port: p2, Zones: []bindtest.Zone{
		{Name: "good.test", Primary: fmt.Sprintf("127.0.0.1 port %d", p1)},
	}})
	ns3 = bindtest.Start(t, bindtest.Options{Port: p3, Zones: []bindtest.Zone{
		{Name: "stale.test", Records: stale},
	}})
	c = &Checker{Resolver: ns1.Addr, Timeout: time.Second, Interval: 100 * time.Millisecond,
		ServerAddr: func(a netip.Addr) string { return fmt.Sprintf("127.0.0.1:%d", ports[a]) }}
	return ns1, ns3, c
}

func update(t *testing.T, srv *bindtest.Server, zone, value string) {
	t.Helper()
	p, err := rfc2136.New(srv.Addr, srv.KeyName, srv.KeyAlgorithm, srv.KeySecret, providers.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Update(context.Background(), zone, providers.Record{Name: "nas", Type: "AAAA", Value: value, TTL: 60}); err != nil {
		t.Fatalf("update %s: %v", zone, err)
	}
}

func TestAuthoritativeServers(t *testing.T) {
	ns1, ns3, c := threeServers(t)
	ctx := context.Background()
	want := netip.MustParseAddr("2001:db8::2")

	t.Run("a secondary that follows by NOTIFY: all agree", func(t *testing.T) {
		update(t, ns1, "good.test", want.String())
		res, err := c.Wait(ctx, "good.test", "nas.good.test", "AAAA", want, 20*time.Second)
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if agree, total := res.Agreeing(); agree != 2 || total != 2 {
			t.Fatalf("agree %d of %d: %s", agree, total, res.Summary())
		}
		if got := res.Summary(); got != "ns1.good.test ok; ns2.good.test ok" {
			t.Fatalf("summary = %q", got)
		}
		if res.Servers[1].Addr != "127.0.0.2" {
			t.Fatalf("ns2 asked at %s", res.Servers[1].Addr)
		}
	})

	t.Run("a server that does not follow: bounded, and named", func(t *testing.T) {
		update(t, ns1, "stale.test", want.String())
		start := time.Now()
		var progress []string
		pc := *c
		pc.Progress = func(r Result) { progress = append(progress, r.Summary()) }
		res, err := pc.Wait(ctx, "stale.test", "nas.stale.test", "AAAA", want, 2*time.Second)
		if !errors.Is(err, ErrNotAll) {
			t.Fatalf("Wait = %v; want ErrNotAll", err)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("Wait took %v with a 2s window", took)
		}
		if got := res.Summary(); got != "ns1.stale.test ok; ns3.stale.test serves 2001:db8::1" {
			t.Fatalf("summary = %q", got)
		}
		if res.Rounds < 2 {
			t.Fatalf("rounds = %d; the stale server should have been asked again", res.Rounds)
		}
		// While waiting, each round reported who agrees so far.
		if len(progress) < 2 || progress[0] != res.Summary() {
			t.Fatalf("progress = %q", progress)
		}
	})

	t.Run("a server that catches up during the window", func(t *testing.T) {
		done := make(chan error, 1)
		var res Result
		go func() {
			var err error
			res, err = c.Wait(ctx, "stale.test", "nas.stale.test", "AAAA", want, 20*time.Second)
			done <- err
		}()
		time.Sleep(500 * time.Millisecond)
		update(t, ns3, "stale.test", want.String()) // by hand, as an operator would
		if err := <-done; err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if got := res.Summary(); got != "ns1.stale.test ok; ns3.stale.test ok" || res.Rounds < 2 {
			t.Fatalf("summary = %q after %d rounds", got, res.Rounds)
		}
	})

	t.Run("the resolver is down", func(t *testing.T) {
		dead := &Checker{Resolver: fmt.Sprintf("127.0.0.1:%d", bindtest.FreePort(t, "127.0.0.1")), Timeout: 200 * time.Millisecond, Interval: 100 * time.Millisecond}
		_, err := dead.Wait(ctx, "good.test", "nas.good.test", "AAAA", want, time.Second)
		if err == nil || !strings.Contains(err.Error(), "find the authoritative servers of good.test") {
			t.Fatalf("Wait with a dead resolver = %v", err)
		}
	})

	t.Run("a zone nobody serves", func(t *testing.T) {
		_, err := c.Wait(ctx, "nowhere.test", "nas.nowhere.test", "AAAA", want, 500*time.Millisecond)
		if err == nil {
			t.Fatal("Wait on an unknown zone succeeded")
		}
	})
}

func TestSystemResolver(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		"# dnsmasq\nsearch lan\nnameserver 127.0.0.1\nnameserver ::1\n": "127.0.0.1:53",
		"nameserver ::1\n":          "[::1]:53",
		"nameserver fe80::1%eth0\n": "[fe80::1%eth0]:53",
		"options ndots:1\n":         "",
	} {
		p := filepath.Join(dir, "resolv.conf")
		os.WriteFile(p, []byte(body), 0o644)
		got, err := SystemResolver(p)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("SystemResolver(%q) = %q, %v; want %q", body, got, err, want)
		}
	}
}
