package detect

import (
	"fmt"
	"testing"

	"github.com/eddns/eddns/internal/netnstest"
)

// TestNeighbourTable runs the watcher against a real neighbour table: an
// entry present before start is in the first snapshot; state changes
// between REACHABLE, STALE, DELAY and PROBE raise no Changes signal; a new
// address of a tracked host does; an untracked host's entry is ignored; a
// FAILED or deleted entry is kept as remembered (not live).
func TestNeighbourTable(t *testing.T) {
	netnstest.Require(t)
	ns := netnstest.New(t)
	// No link-local addresses (addr_gen_mode 1): their DAD finishing would
	// be a real address change in the middle of the count below.
	ns.Run(t, "ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan0-p")
	for _, dev := range []string{"lan0", "lan0-p"} {
		ns.Sysctl(t, "net/ipv6/conf/"+dev+"/addr_gen_mode", "1")
		ns.LinkUp(t, dev)
	}
	// Nobody answers on lan0: slow the kernel's probing down so that an
	// entry set to DELAY or PROBE does not time out to FAILED (which is a
	// real change) while the test runs.
	for k, v := range map[string]string{"delay_first_probe_time": "600", "retrans_time_ms": "600000", "ucast_solicit": "10"} {
		ns.Sysctl(t, "net/ipv6/neigh/lan0/"+k, v)
	}
	const mac, other = "02:11:32:12:34:56", "02:99:99:99:99:99"
	ns.Run(t, "ip", "neigh", "replace", "2001:db8:1:10::5", "lladdr", mac, "dev", "lan0", "nud", "reachable")
	m, _ := ParseMAC(mac)
	w := startWatcher(t, ns, WatchOptions{HostMACs: []MAC{m}})
	live := func(addr string) func(Snapshot) bool {
		return func(s Snapshot) bool {
			for _, n := range s["lan0"].Neighbours {
				if n.Addr.String() == addr && n.MAC == m && n.Live {
					return true
				}
			}
			return false
		}
	}
	if !live("2001:db8:1:10::5")(w.Snapshot()) {
		t.Fatalf("entry present at start missing from the first snapshot: %+v", w.Snapshot()["lan0"].Neighbours)
	}

	base, gen := w.signalled.Load(), w.AddrGen()
	for i := range 40 {
		state := []string{"stale", "delay", "probe", "reachable"}[i%4]
		ns.Run(t, "ip", "neigh", "change", "2001:db8:1:10::5", "lladdr", mac, "dev", "lan0", "nud", state)
		ns.Run(t, "ip", "neigh", "replace", fmt.Sprintf("2001:db8:1:10::%x", 0x100+i), "lladdr", other, "dev", "lan0", "nud", state)
	}
	// A sentinel that must signal, after the churn on the same socket.
	ns.Run(t, "ip", "neigh", "replace", "192.168.50.10", "lladdr", mac, "dev", "lan0", "nud", "reachable")
	waitSnap(t, w, "the tracked host's IPv4 entry", live("192.168.50.10"))
	if n := w.signalled.Load() - base; n != 1 {
		t.Errorf("%d Changes signals for 40 state changes, 40 untracked entries and one new address, want 1", n)
	}
	if g := w.AddrGen(); g != gen {
		t.Errorf("AddrGen moved from %d to %d on neighbour changes only (the echo services would be asked again)", gen, g)
	}
	for _, n := range w.Snapshot()["lan0"].Neighbours {
		if n.MAC != m {
			t.Errorf("untracked host in the snapshot: %+v", n)
		}
	}

	ns.Run(t, "ip", "neigh", "change", "2001:db8:1:10::5", "lladdr", mac, "dev", "lan0", "nud", "failed")
	ns.Run(t, "ip", "neigh", "del", "192.168.50.10", "dev", "lan0")
	s := waitSnap(t, w, "both entries remembered, not live", func(s Snapshot) bool {
		return !live("2001:db8:1:10::5")(s) && !live("192.168.50.10")(s)
	})
	if len(s["lan0"].Neighbours) != 2 {
		t.Errorf("remembered entries: %+v, want both kept", s["lan0"].Neighbours)
	}
}
