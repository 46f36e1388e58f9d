package detect

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/netnstest"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// These tests run the watcher against a real kernel inside throw-away network
// namespaces (root only; see netnstest.Require). Waits are bounded; nothing
// asserts on timing.

const waitLimit = 15 * time.Second

func startWatcher(t testing.TB, ns *netnstest.NS, opts WatchOptions, tweak ...func(*Watcher)) *Watcher {
	t.Helper()
	opts.NetNS = ns.Path()
	w := NewWatcher(opts)
	for _, f := range tweak {
		f(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Run did not return after cancel")
		}
	})
	select {
	case <-w.Ready():
	case <-time.After(waitLimit):
		t.Fatal("watcher never became ready")
	}
	return w
}

// waitSnap waits until cond holds for a snapshot and returns that snapshot.
func waitSnap(t testing.TB, w *Watcher, what string, cond func(Snapshot) bool) Snapshot {
	t.Helper()
	var s Snapshot
	netnstest.WaitFor(t, waitLimit, what, func() bool {
		s = w.Snapshot()
		return cond(s)
	})
	return s
}

func findAddr(s Snapshot, dev, prefix string) (Addr, bool) {
	p := netip.MustParsePrefix(prefix)
	for _, a := range s[dev].Addrs {
		if a.Prefix == p {
			return a, true
		}
	}
	return Addr{}, false
}

func has(dev, prefix string) func(Snapshot) bool {
	return func(s Snapshot) bool { _, ok := findAddr(s, dev, prefix); return ok }
}

func selected(dev, want string) func(Snapshot) bool {
	return func(s Snapshot) bool {
		a, ok := Select(s[dev].Addrs, "AAAA", "stable")
		return ok && a == netip.MustParseAddr(want)
	}
}

func linkIn(t testing.TB, h *netlink.Handle, name string) netlink.Link {
	t.Helper()
	l, err := h.LinkByName(name)
	if err != nil {
		t.Fatalf("link %s: %v", name, err)
	}
	return l
}

func TestWatcherNetifdLifecycle(t *testing.T) {
	ns := netnstest.New(t)
	ns.AddVeth(t, "wan0", "wan0p")
	w := startWatcher(t, ns, WatchOptions{})
	waitSnap(t, w, "wan0 up", func(s Snapshot) bool { return s["wan0"].Up && s["wan0"].Index > 0 })

	// netifd adds the WAN address with the lifetimes from DHCPv6.
	before := w.signalled.Load()
	ns.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200, "nodad")
	s := waitSnap(t, w, "address added", has("wan0", "2001:db8:1::10/64"))
	a, _ := findAddr(s, "wan0", "2001:db8:1::10/64")
	if a.Preferred == 0 || a.Preferred > 3600 || a.Valid > 7200 || a.Valid < a.Preferred || a.Scope != 0 {
		t.Errorf("lifetimes/scope not taken from the kernel: %+v", a)
	}
	if got, ok := Select(s["wan0"].Addrs, "AAAA", "stable"); !ok || got != a.Addr() {
		t.Errorf("Select = %v, %v; want %v", got, ok, a.Addr())
	}
	if w.signalled.Load() == before {
		t.Error("adding an address did not signal Changes")
	}

	// Every renew re-adds the address with fresh lifetimes. 1000 of them must
	// not raise a single signal; a sentinel address added afterwards (events
	// are processed in order) marks the point where all have been applied.
	h := ns.Netlink(t)
	wan0 := linkIn(t, h, "wan0")
	ipnet := &net.IPNet{IP: net.ParseIP("2001:db8:1::10"), Mask: net.CIDRMask(64, 128)}
	before = w.signalled.Load()
	const renews = 1000
	for i := range renews {
		err := h.AddrReplace(wan0, &netlink.Addr{IPNet: ipnet, PreferedLft: 2000 + i, ValidLft: 7200, Flags: unix.IFA_F_NODAD})
		if err != nil {
			t.Fatalf("renew %d: %v", i, err)
		}
	}
	ns.AddrReplace(t, "wan0p", "2001:db8:ffff::1/128", netnstest.Forever, netnstest.Forever, "nodad")
	s = waitSnap(t, w, "sentinel", has("wan0p", "2001:db8:ffff::1/128"))
	if got := w.signalled.Load() - before; got != 1 {
		t.Errorf("%d lifetime refreshes + 1 new address raised %d signals, want 1", renews, got)
	}
	a, _ = findAddr(s, "wan0", "2001:db8:1::10/64")
	if last := uint32(2000 + renews - 1); a.Preferred > last || a.Preferred < last-60 {
		t.Errorf("refreshed lifetime not recorded: preferred %d, want about %d", a.Preferred, last)
	}

	// The prefix changes: netifd adds the new address and re-adds the old one
	// with preferred lifetime 0, where it lingers for up to two hours.
	ns.AddrReplace(t, "wan0", "2001:db8:2::10/64", 3600, 7200, "nodad")
	waitSnap(t, w, "new prefix seen", has("wan0", "2001:db8:2::10/64"))
	if s := w.Snapshot(); !selected("wan0", "2001:db8:1::10")(s) {
		t.Fatalf("before deprecation the lower, still preferred address should win: %v", s["wan0"].Addrs)
	}
	before = w.signalled.Load()
	ns.AddrReplace(t, "wan0", "2001:db8:1::10/64", 0, 7200, "nodad")
	s = waitSnap(t, w, "old prefix deprecated, new one selected", selected("wan0", "2001:db8:2::10"))
	old, ok := findAddr(s, "wan0", "2001:db8:1::10/64")
	if !ok || old.Flags&FlagDeprecated == 0 && old.Preferred != 0 {
		t.Errorf("old address should linger deprecated: %+v, present=%v", old, ok)
	}
	if w.signalled.Load() == before {
		t.Error("deprecation did not signal Changes")
	}

	// Removal.
	before = w.signalled.Load()
	ns.AddrDel(t, "wan0", "2001:db8:2::10/64")
	s = waitSnap(t, w, "address removed", func(s Snapshot) bool { return !has("wan0", "2001:db8:2::10/64")(s) })
	if _, ok := Select(s["wan0"].Addrs, "AAAA", "stable"); ok {
		t.Errorf("only a deprecated address is left, yet Select chose one: %v", s["wan0"].Addrs)
	}
	if w.signalled.Load() == before {
		t.Error("removal did not signal Changes")
	}
}

func TestWatcherDADAndPointToPoint(t *testing.T) {
	ns := netnstest.New(t)
	ns.AddVeth(t, "lan0", "lan0p")
	ns.Sysctl(t, "net.ipv6.conf.lan0.accept_dad", "1")
	ns.Sysctl(t, "net.ipv6.conf.lan0.dad_transmits", "1")
	w := startWatcher(t, ns, WatchOptions{})
	waitSnap(t, w, "lan0 up", func(s Snapshot) bool { return s["lan0"].Up })

	// DAD: the address is tentative first and becomes a candidate later.
	ns.AddrReplace(t, "lan0", "2001:db8:4::1/64", 3600, 7200)
	s := waitSnap(t, w, "DAD finished", func(s Snapshot) bool { return len(Candidates(s["lan0"].Addrs, "AAAA")) == 1 })
	if a, _ := findAddr(s, "lan0", "2001:db8:4::1/64"); a.Flags&FlagTentative != 0 {
		t.Errorf("candidate still tentative: %+v", a)
	}

	// DAD failure: the peer already owns the address. (The kernel reports a
	// failed address only when it is permanent; one with lifetimes is
	// silently dropped, since tentative addresses are never announced.)
	ns.AddrReplace(t, "lan0p", "2001:db8:4::99/64", netnstest.Forever, netnstest.Forever, "nodad")
	ns.AddrReplace(t, "lan0", "2001:db8:4::99/64", netnstest.Forever, netnstest.Forever)
	s = waitSnap(t, w, "DAD failed", func(s Snapshot) bool {
		a, ok := findAddr(s, "lan0", "2001:db8:4::99/64")
		return ok && a.Flags&FlagDADFailed != 0
	})
	if c := addrsOf(Candidates(s["lan0"].Addrs, "AAAA")); !slices.Equal(c, []string{"2001:db8:4::1"}) {
		t.Errorf("candidates = %v, want only 2001:db8:4::1", c)
	}

	// On a point-to-point link (pppoe-wan) the kernel reports the peer in
	// IFA_ADDRESS; our address is IFA_LOCAL.
	ns.Run(t, "ip", "addr", "add", "198.51.100.7", "peer", "203.0.113.1/32", "dev", "lan0")
	s = waitSnap(t, w, "ptp address", has("lan0", "198.51.100.7/32"))
	if got, ok := Select(s["lan0"].Addrs, "A", "any"); !ok || got != netip.MustParseAddr("198.51.100.7") {
		t.Errorf("A selection on a ptp link = %v, %v; want our local 198.51.100.7", got, ok)
	}
}

func TestWatcherFollowsRecreatedDevice(t *testing.T) {
	ns := netnstest.New(t)
	ns.AddVeth(t, "ppp0", "ppp0p")
	w := startWatcher(t, ns, WatchOptions{})
	ns.AddrReplace(t, "ppp0", "2001:db8:a::1/64", 3600, 7200, "nodad")
	s := waitSnap(t, w, "address on first ppp0", has("ppp0", "2001:db8:a::1/64"))
	firstIndex := s["ppp0"].Index

	// A PPPoE redial: the device goes away and comes back with a new ifindex.
	ns.LinkDel(t, "ppp0")
	waitSnap(t, w, "ppp0 gone", func(s Snapshot) bool { _, ok := s["ppp0"]; return !ok })
	ns.AddVeth(t, "ppp0", "ppp0p")
	ns.AddrReplace(t, "ppp0", "2001:db8:b::1/64", 3600, 7200, "nodad")
	s = waitSnap(t, w, "address on new ppp0", selected("ppp0", "2001:db8:b::1"))
	if s["ppp0"].Index == firstIndex {
		t.Errorf("ifindex did not change (%d); the test proves nothing", firstIndex)
	}
	if has("ppp0", "2001:db8:a::1/64")(s) {
		t.Errorf("address of the old device survived: %v", s["ppp0"].Addrs)
	}
}

func TestReadOnce(t *testing.T) {
	ns := netnstest.New(t)
	ns.AddVeth(t, "wan0", "wan0p")
	ns.AddrReplace(t, "wan0", "2001:db8:c::5/64", 1800, 3600, "nodad")
	ns.AddrReplace(t, "wan0", "192.0.2.5/24", netnstest.Forever, netnstest.Forever)
	var s Snapshot
	err := ns.Do(t, func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		s, err = ReadOnce(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	if !slices.Equal(names, []string{"lo", "wan0", "wan0p"}) {
		t.Errorf("devices = %v, want lo wan0 wan0p (and nothing from the host)", names)
	}
	if got, ok := Select(s["wan0"].Addrs, "AAAA", "stable"); !ok || got != netip.MustParseAddr("2001:db8:c::5") {
		t.Errorf("AAAA = %v, %v", got, ok)
	}
	if got, ok := Select(s["wan0"].Addrs, "A", "stable"); !ok || got != netip.MustParseAddr("192.0.2.5") {
		t.Errorf("A = %v, %v", got, ok)
	}
	if a, _ := findAddr(s, "wan0", "192.0.2.5/24"); a.Preferred != Forever || a.Valid != Forever {
		t.Errorf("forever lifetimes not reported as Forever: %+v", a)
	}
	if !s["lo"].Up || s["lo"].Index != 1 {
		t.Errorf("lo = %+v", s["lo"])
	}

	// The same through the path form the watcher uses.
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	s2, err := readOnce(ctx, ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(s2) != 3 || !has("wan0", "2001:db8:c::5/64")(s2) {
		t.Errorf("readOnce(path) = %v", s2)
	}
}

// TestWatcherRecoversFromOverrun stalls the watcher while the kernel sends
// more events than its (deliberately tiny) socket buffer holds. The kernel
// drops events and reports ENOBUFS; the watcher must re-dump, and the
// removals it never heard of must disappear from the model.
func TestWatcherRecoversFromOverrun(t *testing.T) {
	ns := netnstest.New(t)
	ns.AddVeth(t, "wan0", "wan0p")
	w := startWatcher(t, ns, WatchOptions{}, func(w *Watcher) { w.rcvBuf = 4096 })
	h := ns.Netlink(t)
	wan0 := linkIn(t, h, "wan0")
	addr := func(s string) *netlink.Addr {
		return &netlink.Addr{IPNet: &net.IPNet{IP: net.ParseIP(s), Mask: net.CIDRMask(64, 128)},
			PreferedLft: 3600, ValidLft: 7200, Flags: unix.IFA_F_NODAD}
	}
	for i := 1; i <= 20; i++ {
		if err := h.AddrAdd(wan0, addr(fmt.Sprintf("2001:db8:1::%x", i))); err != nil {
			t.Fatal(err)
		}
	}
	waitSnap(t, w, "20 addresses", func(s Snapshot) bool { return len(Candidates(s["wan0"].Addrs, "AAAA")) == 20 })

	signals, resyncs := w.signalled.Load(), w.resyncs.Load()
	want := map[string]bool{}
	func() {
		w.mu.Lock() // the watcher blocks after its next read; the socket fills up
		defer w.mu.Unlock()
		for i := 1; i <= 20; i++ {
			a := fmt.Sprintf("2001:db8:1::%x", i)
			if i <= 10 {
				if err := h.AddrDel(wan0, addr(a)); err != nil {
					t.Fatal(err)
				}
			} else {
				want[a] = true
			}
		}
		for i := 1; i <= 300; i++ {
			a := fmt.Sprintf("2001:db8:2::%x", i)
			if err := h.AddrAdd(wan0, addr(a)); err != nil {
				t.Fatal(err)
			}
			want[a] = true
		}
	}()
	waitSnap(t, w, "model matches the kernel again", func(s Snapshot) bool {
		c := Candidates(s["wan0"].Addrs, "AAAA")
		if len(c) != len(want) {
			return false
		}
		for _, a := range c {
			if !want[a.Addr().String()] {
				return false
			}
		}
		return true
	})
	if w.resyncs.Load() == resyncs {
		t.Fatal("no overrun happened; the test did not exercise the re-dump")
	}
	if w.signalled.Load() == signals {
		t.Error("recovery did not signal Changes")
	}
}
