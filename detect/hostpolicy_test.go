package detect

import (
	"net/netip"
	"testing"
	"time"
)

// TestSelectHost6KindBeforeLiveness: the kernel drops the neighbour entry
// of an address the host is not using at the moment; that must not move a
// record to an address of another kind. Within a kind, a live address wins.
func TestSelectHost6KindBeforeLiveness(t *testing.T) {
	nas := mustMAC(t, "02:11:32:12:34:56")
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	eui := netip.MustParseAddr("2001:db8:1:10:11:32ff:fe12:3456")
	tmpOld := netip.MustParseAddr("2001:db8:1:10:aaaa:bbbb:cccc:1")
	tmpNew := netip.MustParseAddr("2001:db8:1:10:aaaa:bbbb:cccc:2")
	dhcp1 := netip.MustParseAddr("2001:db8:1:10::7b")
	dhcp2 := netip.MustParseAddr("2001:db8:1:10::7c")
	d := Device{Name: "br-lan", Up: true, Addrs: []Addr{{Prefix: netip.MustParsePrefix("2001:db8:1:10::1/64"), Preferred: Forever, Valid: Forever}}}
	neigh := func(a netip.Addr, live bool, first time.Time) Neighbour {
		return Neighbour{Addr: a, MAC: nas, Live: live, FirstSeen: first}
	}
	for _, tc := range []struct {
		name   string
		neigh  []Neighbour
		leased []netip.Addr
		prefer string
		want   netip.Addr
	}{
		{"stable: EUI-64 aged out, privacy live", []Neighbour{neigh(eui, false, t0), neigh(tmpNew, true, t0.Add(time.Hour))}, nil, "stable", eui},
		{"stable: both live", []Neighbour{neigh(eui, true, t0), neigh(tmpNew, true, t0.Add(time.Hour))}, nil, "stable", eui},
		{"temporary: privacy aged out, EUI-64 live", []Neighbour{neigh(eui, true, t0), neigh(tmpNew, false, t0.Add(time.Hour))}, nil, "temporary", tmpNew},
		{"temporary: newest wins", []Neighbour{neigh(tmpOld, true, t0), neigh(tmpNew, false, t0.Add(time.Hour))}, nil, "temporary", tmpNew},
		{"stable: the address leased now, not the one leased before", []Neighbour{neigh(dhcp1, false, t0), neigh(dhcp2, true, t0.Add(time.Hour))}, []netip.Addr{dhcp2}, "stable", dhcp2},
		{"any: live first", []Neighbour{neigh(dhcp1, false, t0), neigh(tmpNew, true, t0)}, nil, "any", tmpNew},
		{"silent host keeps its value", []Neighbour{neigh(eui, false, t0), neigh(tmpNew, false, t0.Add(time.Hour))}, nil, "stable", eui},
	} {
		d.Neighbours = tc.neigh
		if c := SelectHost(d, nas, tc.leased, "AAAA", tc.prefer); c.Addr != tc.want || c.Derived {
			t.Errorf("%s: got %v (derived %v, %s), want %v", tc.name, c.Addr, c.Derived, c.Why, tc.want)
		}
	}
}
