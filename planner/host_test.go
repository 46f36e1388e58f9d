package planner

import (
	"net/netip"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/detect"
)

// TestPlanHost covers source=host: which of a LAN host's addresses a record
// publishes, from the neighbour table and DHCPv6 leases.
func TestPlanHost(t *testing.T) {
	mac, _ := detect.ParseMAC("02:11:32:12:34:56")
	other, _ := detect.ParseMAC("02:99:99:99:99:99")
	t0 := time.Unix(1_700_000_000, 0)
	n := func(a string, m detect.MAC, live bool, age int) detect.Neighbour {
		return detect.Neighbour{Addr: netip.MustParseAddr(a), MAC: m, Live: live, FirstSeen: t0.Add(time.Duration(age) * time.Second)}
	}
	lan := func(neigh ...detect.Neighbour) detect.Snapshot {
		return detect.Snapshot{"br-lan": {Name: "br-lan", Index: 3, Up: true, Addrs: []detect.Addr{
			addr("2001:db8:aaaa:10::1/60", 0, 0),    // old prefix, deprecated: stale
			addr("2001:db8:bbbb:10::1/60", 0, 3600), // delegated now
			addr("192.168.1.1/24", 0, detect.Forever),
			addr("fd00:1::1/64", 0, detect.Forever), // ULA
		}, Neighbours: neigh}}
	}
	const eui = "2001:db8:bbbb:10:11:32ff:fe12:3456"
	for _, tc := range []struct {
		name   string
		typ    string
		prefer string
		snap   detect.Snapshot
		leases map[string]map[detect.MAC][]netip.Addr
		want   string // "" = nothing
	}{
		{"stable picks EUI-64 over older privacy", "AAAA", "stable", lan(
			n("2001:db8:bbbb:10:aaaa::1", mac, true, 0), n(eui, mac, true, 5), n("2001:db8:bbbb:10:bbbb::2", mac, true, 9)), nil, eui},
		{"temporary picks the newest privacy address", "AAAA", "temporary", lan(
			n("2001:db8:bbbb:10:aaaa::1", mac, true, 0), n(eui, mac, true, 5), n("2001:db8:bbbb:10:bbbb::2", mac, true, 9)), nil, "2001:db8:bbbb:10:bbbb::2"},
		{"stable prefers a DHCPv6 lease over privacy", "AAAA", "stable", lan(n("2001:db8:bbbb:10:aaaa::1", mac, true, 0)),
			map[string]map[detect.MAC][]netip.Addr{"br-lan": {mac: {netip.MustParseAddr("2001:db8:bbbb:10::7b")}}}, "2001:db8:bbbb:10::7b"},
		{"never ULA, link-local or the stale prefix", "AAAA", "any", lan(
			n("fd00:1::5", mac, true, 0), n("fe80::11:32ff:fe12:3456", mac, true, 0), n("2001:db8:aaaa:10::5", mac, true, 0),
			n("2001:db8:bbbb:10::77", other, true, 0)), nil,
			"2001:db8:bbbb:10::5"}, // derived: new prefix + IID ::5 of the stale address
		{"silent host keeps its address (derived from memory)", "AAAA", "stable", lan(n(eui, mac, false, 0)), nil, eui},
		{"prefix change derives new prefix + EUI-64 IID", "AAAA", "stable", lan(
			n("2001:db8:aaaa:10:11:32ff:fe12:3456", mac, true, 0), n("2001:db8:aaaa:10:cccc::1", mac, true, 1)), nil, eui},
		{"never seen", "AAAA", "stable", lan(n("2001:db8:bbbb:10::77", other, true, 0)), nil, ""},
		{"A from the neighbour table, live first", "A", "", lan(
			n("192.168.1.20", mac, false, 9), n("192.168.1.10", mac, true, 0), n("10.9.9.9", mac, true, 0)), nil, "192.168.1.10"},
		{"A keeps the last address of a silent host", "A", "", lan(n("192.168.1.10", mac, false, 0), n("192.168.1.20", mac, false, 9)), nil, "192.168.1.20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &config.Record{Source: "host", Device: "br-lan", MAC: "02:11:32:12:34:56", Type: tc.typ, Prefer: tc.prefer}
			got := Plan(rec, Inputs{Snapshot: tc.snap, Leases: tc.leases})
			if tc.want == "" {
				if got.OK() || got.Reason == "" {
					t.Fatalf("got %v, want nothing with a reason", got)
				}
				return
			}
			if !got.OK() || got.Value.String() != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}
}
