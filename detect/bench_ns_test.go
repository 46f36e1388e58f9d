package detect

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/netnstest"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// BenchmarkEventToChanges measures the time from asking the kernel to add or
// remove an address (the request syscall included) to the watcher's Changes
// signal, inside a network namespace. It alternates adding and removing one
// address, at least 200 times, and reports p50/p99/max in microseconds. It
// prints figures and asserts nothing about them.
func BenchmarkEventToChanges(b *testing.B) {
	ns := netnstest.New(b)
	ns.AddVeth(b, "wan0", "wan0p")
	w := startWatcher(b, ns, WatchOptions{})
	h := ns.Netlink(b)
	link := linkIn(b, h, "wan0")
	addr := &netlink.Addr{
		IPNet:       &net.IPNet{IP: net.ParseIP("2001:db8:1::10"), Mask: net.CIDRMask(64, 128)},
		PreferedLft: 3600, ValidLft: 7200, Flags: unix.IFA_F_NODAD,
	}
	n := max(b.N, 200)
	lat := make([]time.Duration, 0, n)
	timeout := time.NewTimer(time.Hour)
	b.ResetTimer()
	for i := range n {
		op := h.AddrAdd
		if i%2 == 1 {
			op = h.AddrDel
		}
		start := time.Now()
		if err := op(link, addr); err != nil {
			b.Fatalf("change %d: %v", i, err)
		}
		timeout.Reset(waitLimit)
		select {
		case <-w.Changes():
			lat = append(lat, time.Since(start))
		case <-timeout.C:
			b.Fatalf("change %d: no Changes signal", i)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(us(lat[len(lat)/2]), "p50-µs")
	b.ReportMetric(us(lat[len(lat)*99/100]), "p99-µs")
	b.ReportMetric(us(lat[len(lat)-1]), "max-µs")
	b.ReportMetric(float64(len(lat)), "changes")
}
