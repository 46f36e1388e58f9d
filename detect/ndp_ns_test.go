package detect

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/netnstest"
	"github.com/mdlayher/ndp"
	"golang.org/x/net/ipv6"
)

// router sends router advertisements from the r0 end of a veth pair in its
// own namespace.
type router struct {
	conn *ndp.Conn
	mac  net.HardwareAddr
	ll   netip.Addr
}

func newRouter(t *testing.T, ns *netnstest.NS, dev string) *router {
	t.Helper()
	r := &router{}
	// r0 has DAD off, so its link-local address is usable as soon as the
	// link is up; still, creating it is asynchronous, hence the bounded retry.
	netnstest.WaitFor(t, waitLimit, "router link-local address", func() bool {
		err := ns.Do(t, func() error {
			ifi, err := net.InterfaceByName(dev)
			if err != nil {
				return err
			}
			r.conn, r.ll, err = ndp.Listen(ifi, ndp.LinkLocal)
			r.mac = ifi.HardwareAddr
			return err
		})
		return err == nil
	})
	t.Cleanup(func() { r.conn.Close() })
	return r
}

func (r *router) advertise(t *testing.T, pios ...*ndp.PrefixInformation) {
	t.Helper()
	ra := &ndp.RouterAdvertisement{
		CurrentHopLimit: 64,
		RouterLifetime:  30 * time.Minute,
		Options:         []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: r.mac}},
	}
	for _, p := range pios {
		ra.Options = append(ra.Options, p)
	}
	if err := r.conn.WriteTo(ra, nil, netip.IPv6LinkLocalAllNodes()); err != nil {
		t.Fatalf("send RA: %v", err)
	}
}

// advertiseWith sends one advert with the given hop limit and source.
func (r *router) advertiseWith(t *testing.T, cm *ipv6.ControlMessage, pios ...*ndp.PrefixInformation) {
	t.Helper()
	ra := &ndp.RouterAdvertisement{CurrentHopLimit: 64, RouterLifetime: 30 * time.Minute}
	for _, p := range pios {
		ra.Options = append(ra.Options, p)
	}
	if err := r.conn.WriteTo(ra, cm, netip.IPv6LinkLocalAllNodes()); err != nil {
		t.Fatalf("send RA: %v", err)
	}
}

func pio(prefix string, auto bool, preferred, valid time.Duration) *ndp.PrefixInformation {
	p := netip.MustParsePrefix(prefix)
	return &ndp.PrefixInformation{
		PrefixLength: uint8(p.Bits()), OnLink: true, AutonomousAddressConfiguration: auto,
		PreferredLifetime: preferred, ValidLifetime: valid, Prefix: p.Addr(),
	}
}

func raPrefix(s Snapshot, dev, prefix string) (RAPrefix, bool) {
	for _, p := range s[dev].RAPrefixes {
		if p.Prefix == netip.MustParsePrefix(prefix) {
			return p, true
		}
	}
	return RAPrefix{}, false
}

// advertiseUntil re-sends an advert every 100 ms (at most waitLimit) until
// cond holds: the listener only starts once h0's link-local address has
// finished DAD, so the first adverts may fall on deaf ears.
func advertiseUntil(t *testing.T, r *router, w *Watcher, what string, cond func(Snapshot) bool, pios ...*ndp.PrefixInformation) Snapshot {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		r.advertise(t, pios...)
		for range 10 {
			if s := w.Snapshot(); cond(s) {
				return s
			}
			time.Sleep(10 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s; snapshot: %+v", what, w.Snapshot()["h0"])
		}
	}
}

func TestWatcherRouterAdverts(t *testing.T) {
	rns, hns := netnstest.New(t), netnstest.New(t)
	rns.AddVethTo(t, "r0", hns, "h0")
	rns.Sysctl(t, "net.ipv6.conf.r0.accept_dad", "0")
	// The host side behaves like a router's WAN with kernel SLAAC enabled:
	// accept_ra=2 accepts adverts even when forwarding is on.
	hns.Sysctl(t, "net.ipv6.conf.all.forwarding", "0")
	hns.Sysctl(t, "net.ipv6.conf.h0.forwarding", "0")
	hns.Sysctl(t, "net.ipv6.conf.h0.accept_ra", "2")
	hns.Sysctl(t, "net.ipv6.conf.h0.autoconf", "1")
	hns.Sysctl(t, "net.ipv6.conf.h0.use_tempaddr", "0")
	hns.Sysctl(t, "net.ipv6.conf.h0.accept_dad", "1")

	// Start watching before the link is up, so the listener has to wait for
	// the link-local address to appear and pass DAD.
	w := startWatcher(t, hns, WatchOptions{RADevices: []string{"h0"}})
	rns.LinkUp(t, "r0")
	hns.LinkUp(t, "h0")
	r := newRouter(t, rns, "r0")

	const p77 = "2001:db8:77::/64"
	s := advertiseUntil(t, r, w, "RA prefix and SLAAC address", func(s Snapshot) bool {
		_, heard := raPrefix(s, "h0", p77)
		slaac, ok := Select(s["h0"].Addrs, "AAAA", "stable")
		return heard && ok && netip.MustParsePrefix(p77).Contains(slaac)
	}, pio(p77, true, time.Hour, 2*time.Hour))

	p, _ := raPrefix(s, "h0", p77)
	if !p.Autonomous || p.Router != r.ll.WithZone("") || p.Preferred == 0 || p.Preferred > 3600 || p.Valid > 7200 {
		t.Errorf("RA prefix = %+v, want autonomous from %v with lifetimes 3600/7200", p, r.ll)
	}
	if lp, ok := LivePrefix(s["h0"]); !ok || lp != netip.MustParsePrefix(p77) {
		t.Errorf("LivePrefix = %v, %v", lp, ok)
	}

	// A re-sent identical advert is not a change (and neither is the
	// lifetime refresh it causes on the SLAAC address). A second prefix,
	// non-autonomous so the kernel makes no address from it, is one.
	before := w.signalled.Load()
	for range 5 {
		r.advertise(t, pio(p77, true, time.Hour, 2*time.Hour))
	}
	const p78 = "2001:db8:78::/64"
	s = advertiseUntil(t, r, w, "second prefix", func(s Snapshot) bool {
		_, ok := raPrefix(s, "h0", p78)
		return ok
	}, pio(p77, true, time.Hour, 2*time.Hour), pio(p78, false, time.Hour, 2*time.Hour))
	if got := w.signalled.Load() - before; got != 1 {
		t.Errorf("identical adverts + one new prefix raised %d signals, want 1", got)
	}
	if p, _ := raPrefix(s, "h0", p78); p.Autonomous {
		t.Errorf("A flag not honoured: %+v", p)
	}

	// RFC 4861 6.1.2: an advert with a hop limit below 255 was forwarded,
	// and one from a global source address did not come from a router on
	// the link; both are ignored. Adverts on one link arrive in order, so
	// once the next proper advert is heard, the bad ones have been seen.
	const p79, p7a, p80 = "2001:db8:79::/64", "2001:db8:7a::/64", "2001:db8:80::/64"
	rns.AddrReplace(t, "r0", "2001:db8:ff::1/64", Forever, Forever, "nodad")
	r.advertiseWith(t, &ipv6.ControlMessage{HopLimit: 64}, pio(p79, false, time.Hour, 2*time.Hour))
	r.advertiseWith(t, &ipv6.ControlMessage{HopLimit: 255, Src: net.ParseIP("2001:db8:ff::1")}, pio(p7a, false, time.Hour, 2*time.Hour))
	s = advertiseUntil(t, r, w, "advert after the bad ones", func(s Snapshot) bool {
		_, ok := raPrefix(s, "h0", p80)
		return ok
	}, pio(p80, false, time.Hour, 2*time.Hour))
	if p, ok := raPrefix(s, "h0", p79); ok {
		t.Errorf("advert with hop limit 64 was used: %+v", p)
	}
	if p, ok := raPrefix(s, "h0", p7a); ok {
		t.Errorf("advert from a global address was used: %+v", p)
	}

	// A zero valid lifetime withdraws the prefix.
	advertiseUntil(t, r, w, "withdrawal", func(s Snapshot) bool {
		_, ok := raPrefix(s, "h0", p78)
		return !ok
	}, pio(p78, false, 0, 0))
}

// TestSetRADevices: a device added while the watcher runs gets a listener
// (netifd moved a network onto it), and one removed loses it.
func TestSetRADevices(t *testing.T) {
	rns, hns := netnstest.New(t), netnstest.New(t)
	rns.AddVethTo(t, "r0", hns, "h0")
	rns.Sysctl(t, "net.ipv6.conf.r0.accept_dad", "0")
	hns.Sysctl(t, "net.ipv6.conf.h0.accept_ra", "0") // only our listener hears them
	w := startWatcher(t, hns, WatchOptions{})
	rns.LinkUp(t, "r0")
	hns.LinkUp(t, "h0")
	r := newRouter(t, rns, "r0")

	const p91, p92 = "2001:db8:91::/64", "2001:db8:92::/64"
	// Nobody listens on h0 yet: adverts go unheard.
	for range 5 {
		r.advertise(t, pio(p91, false, time.Hour, 2*time.Hour))
		time.Sleep(20 * time.Millisecond)
	}
	if p, ok := raPrefix(w.Snapshot(), "h0", p91); ok {
		t.Fatalf("advert heard with no listener on h0: %+v", p)
	}

	w.SetRADevices([]string{"h0"})
	advertiseUntil(t, r, w, "advert on the added device", func(s Snapshot) bool {
		_, ok := raPrefix(s, "h0", p91)
		return ok
	}, pio(p91, false, time.Hour, 2*time.Hour))

	w.SetRADevices(nil)
	w.raMu.Lock()
	running := len(w.raStop)
	w.raMu.Unlock()
	if running != 0 {
		t.Fatalf("%d listeners still registered after SetRADevices(nil)", running)
	}
	// The stopped listener closes its socket: a new prefix stays unheard.
	for range 10 {
		r.advertise(t, pio(p92, false, time.Hour, 2*time.Hour))
		time.Sleep(20 * time.Millisecond)
	}
	if p, ok := raPrefix(w.Snapshot(), "h0", p92); ok {
		t.Errorf("advert heard after the listener was removed: %+v", p)
	}
	// What was heard before stays until its lifetime ends.
	if _, ok := raPrefix(w.Snapshot(), "h0", p91); !ok {
		t.Errorf("prefix heard before the removal is gone")
	}
}
