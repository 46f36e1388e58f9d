package detect

import (
	"net/netip"
	"testing"
	"time"
)

func newAddrMsg(index int, prefix string, flags uint32, pref, valid uint32) *addrMsg {
	return &addrMsg{index: index, addr: Addr{Prefix: netip.MustParsePrefix(prefix), Flags: flags, Preferred: pref, Valid: valid}}
}

func TestApplyAddrWhatIsAChange(t *testing.T) {
	const p = "2001:db8::1/64"
	tests := []struct {
		name string
		next *addrMsg
		want bool
	}{
		{"lifetime refresh", newAddrMsg(1, p, 0, 1000, 2000), false},
		{"irrelevant flag (noprefixroute)", newAddrMsg(1, p, FlagNoPrefixRt, 3600, 7200), false},
		{"deprecated flag", newAddrMsg(1, p, FlagDeprecated, 3600, 7200), true},
		{"preferred lifetime hits zero", newAddrMsg(1, p, 0, 0, 7200), true},
		{"became temporary", newAddrMsg(1, p, FlagTemporary, 3600, 7200), true},
		{"dad failed", newAddrMsg(1, p, FlagDADFailed, 3600, 7200), true},
		{"prefix length changed", newAddrMsg(1, "2001:db8::1/128", 0, 3600, 7200), true},
		{"removed", &addrMsg{index: 1, addr: Addr{Prefix: netip.MustParsePrefix(p)}, del: true}, true},
		{"removal of an unknown address", &addrMsg{index: 1, addr: Addr{Prefix: netip.MustParsePrefix("2001:db8::2/64")}, del: true}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newModel()
			m.applyLink(&linkMsg{index: 1, name: []byte("wan"), up: true})
			if ch, _ := m.applyAddr(newAddrMsg(1, p, 0, 3600, 7200), time.Unix(1, 0)); !ch {
				t.Fatal("first sighting is not a change")
			}
			if got, known := m.applyAddr(tc.next, time.Unix(2, 0)); got != tc.want || !known {
				t.Fatalf("changed = %v (known %v), want %v", got, known, tc.want)
			}
			if !tc.next.del {
				a := m.devs["wan"].addrs
				if a[len(a)-1].Preferred != tc.next.addr.Preferred || !a[len(a)-1].Seen.Equal(time.Unix(2, 0)) {
					t.Errorf("stored address not updated: %+v", a)
				}
			}
		})
	}
}

func TestApplyAddrUnknownLink(t *testing.T) {
	m := newModel()
	if ch, known := m.applyAddr(newAddrMsg(9, "2001:db8::1/64", 0, 1, 2), time.Time{}); ch || known {
		t.Errorf("address on unknown link: changed=%v known=%v", ch, known)
	}
}

func TestApplyLink(t *testing.T) {
	m := newModel()
	link := func(index int, name string, up, del bool) bool {
		return m.applyLink(&linkMsg{index: index, name: []byte(name), up: up, del: del})
	}
	if !link(5, "pppoe-wan", true, false) {
		t.Fatal("new link is not a change")
	}
	m.applyAddr(newAddrMsg(5, "2001:db8::1/64", 0, 10, 20), time.Time{})
	if link(5, "pppoe-wan", true, false) {
		t.Error("repeated identical link message is a change")
	}
	if !link(5, "pppoe-wan", false, false) {
		t.Error("going down is not a change")
	}
	// Redial: a new ifindex under the same name, without a DELLINK seen.
	if !link(6, "pppoe-wan", true, false) {
		t.Error("new ifindex is not a change")
	}
	d := m.devs["pppoe-wan"]
	if d.index != 6 || len(d.addrs) != 0 || m.byIndex[5] != nil {
		t.Errorf("old instance survived: %+v, byIndex[5]=%v", d, m.byIndex[5])
	}
	// Rename in place.
	if !link(6, "wan", true, false) || m.devs["pppoe-wan"] != nil || m.devs["wan"].index != 6 {
		t.Errorf("rename not followed: %v", m.devs)
	}
	if !link(6, "wan", true, true) || len(m.devs) != 0 || len(m.byIndex) != 0 {
		t.Errorf("delete not applied: %v %v", m.devs, m.byIndex)
	}
	if link(6, "wan", true, true) {
		t.Error("deleting an unknown link is a change")
	}
}

func TestSweepDropsWhatTheDumpMissed(t *testing.T) {
	m := newModel()
	m.beginDump()
	m.applyLink(&linkMsg{index: 1, name: []byte("a"), up: true})
	m.applyLink(&linkMsg{index: 2, name: []byte("b"), up: true})
	m.applyAddr(newAddrMsg(1, "2001:db8::1/64", 0, 10, 20), time.Time{})
	m.applyAddr(newAddrMsg(1, "2001:db8::2/64", 0, 10, 20), time.Time{})
	if m.sweep() {
		t.Fatal("sweep right after a complete dump changed something")
	}
	// Re-dump after an overrun: b and 2001:db8::2 went away meanwhile.
	m.beginDump()
	m.applyLink(&linkMsg{index: 1, name: []byte("a"), up: true})
	m.applyAddr(newAddrMsg(1, "2001:db8::1/64", 0, 9, 19), time.Time{})
	if !m.sweep() {
		t.Fatal("sweep found nothing to drop")
	}
	s := m.snapshot(time.Now())
	if _, ok := s["b"]; ok || len(s["a"].Addrs) != 1 || s["a"].Addrs[0].Prefix != netip.MustParsePrefix("2001:db8::1/64") {
		t.Errorf("after sweep: %+v", s)
	}
}

func TestApplyRA(t *testing.T) {
	t0 := time.Unix(1000, 0)
	router := netip.MustParseAddr("fe80::1")
	pfx := func(p string, auto bool, pref, valid uint32) RAPrefix {
		return RAPrefix{Prefix: netip.MustParsePrefix(p), Router: router, Autonomous: auto, Preferred: pref, Valid: valid}
	}
	m := newModel()
	m.applyLink(&linkMsg{index: 3, name: []byte("wan"), up: true})
	steps := []struct {
		name  string
		at    time.Duration
		index int
		pios  []RAPrefix
		want  bool
	}{
		{"new prefix", 0, 3, []RAPrefix{pfx("2001:db8:1::/64", true, 100, 200)}, true},
		{"identical advert", 10 * time.Second, 3, []RAPrefix{pfx("2001:db8:1::/64", true, 100, 200)}, false},
		{"lifetimes differ only", 20 * time.Second, 3, []RAPrefix{pfx("2001:db8:1::/64", true, 50, 90)}, false},
		{"A flag cleared", 30 * time.Second, 3, []RAPrefix{pfx("2001:db8:1::/64", false, 50, 90)}, true},
		{"preferred lifetime zero", 40 * time.Second, 3, []RAPrefix{pfx("2001:db8:1::/64", false, 0, 90)}, true},
		{"preferred again", 50 * time.Second, 3, []RAPrefix{pfx("2001:db8:1::/64", false, 100, 200)}, true},
		{"advert heard on an old ifindex", 60 * time.Second, 2, []RAPrefix{pfx("2001:db8:9::/64", true, 100, 200)}, false},
		{"withdrawn (valid 0)", 70 * time.Second, 3, []RAPrefix{pfx("2001:db8:1::/64", false, 0, 0)}, true},
		{"withdrawing it again", 80 * time.Second, 3, []RAPrefix{pfx("2001:db8:1::/64", false, 0, 0)}, false},
	}
	for _, st := range steps {
		if got := m.applyRA("wan", st.index, st.pios, t0.Add(st.at)); got != st.want {
			t.Errorf("%s: changed = %v, want %v", st.name, got, st.want)
		}
	}
	if n := len(m.devs["wan"].ra); n != 0 {
		t.Errorf("%d prefixes left after withdrawal", n)
	}
}

func TestRAExpiry(t *testing.T) {
	t0 := time.Unix(1000, 0)
	m := newModel()
	m.applyLink(&linkMsg{index: 3, name: []byte("wan"), up: true})
	m.applyRA("wan", 3, []RAPrefix{
		{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), Preferred: 100, Valid: 200},
		{Prefix: netip.MustParsePrefix("2001:db8:2::/64"), Preferred: Forever, Valid: Forever},
	}, t0)
	if next, ok := m.nextRAExpiry(); !ok || !next.Equal(t0.Add(100*time.Second)) {
		t.Errorf("next expiry = %v, %v; want t0+100s", next, ok)
	}

	s := m.snapshot(t0.Add(40*time.Second + time.Millisecond))
	p := s["wan"].RAPrefixes[0]
	if p.Preferred != 60 || p.Valid != 160 { // rounded up: a running lifetime never reads 0
		t.Errorf("aged lifetimes = %d/%d, want 60/160", p.Preferred, p.Valid)
	}
	if lp, ok := LivePrefix(s["wan"]); !ok || lp != netip.MustParsePrefix("2001:db8:1::/64") {
		t.Errorf("LivePrefix = %v", lp)
	}

	if m.expireRA(t0.Add(99 * time.Second)) {
		t.Error("expiry before the preferred lifetime ran out")
	}
	if !m.expireRA(t0.Add(100 * time.Second)) {
		t.Error("preferred lifetime ran out unnoticed")
	}
	if m.expireRA(t0.Add(150 * time.Second)) {
		t.Error("the same expiry reported twice")
	}
	s = m.snapshot(t0.Add(150 * time.Second))
	if p := s["wan"].RAPrefixes[0]; p.Preferred != 0 || p.Valid != 50 {
		t.Errorf("after preferred expiry: %+v", p)
	}
	if lp, _ := LivePrefix(s["wan"]); lp != netip.MustParsePrefix("2001:db8:2::/64") {
		t.Errorf("LivePrefix after expiry = %v, want the forever prefix", lp)
	}
	if !m.expireRA(t0.Add(200 * time.Second)) {
		t.Error("valid lifetime ran out unnoticed")
	}
	if s := m.snapshot(t0.Add(200 * time.Second)); len(s["wan"].RAPrefixes) != 1 {
		t.Errorf("expired prefix still in snapshot: %+v", s["wan"].RAPrefixes)
	}
	if _, ok := m.nextRAExpiry(); ok {
		t.Error("a forever prefix has an expiry")
	}
}

func TestSnapshotIsADeepCopy(t *testing.T) {
	m := newModel()
	m.applyLink(&linkMsg{index: 1, name: []byte("wan"), up: true})
	m.applyAddr(newAddrMsg(1, "2001:db8::1/64", 0, 10, 20), time.Time{})
	s := m.snapshot(time.Now())
	s["wan"].Addrs[0].Flags = FlagDeprecated
	if m.devs["wan"].addrs[0].Flags != 0 {
		t.Error("snapshot aliases the model")
	}
}

// TestNeighbourSeed: neighbours an earlier watcher knew (a reload) are
// remembered when their device appears, keep when they were first seen
// once the neighbour dump shows them live again, and are not brought back
// when the device is re-created later. Untracked MACs are not seeded.
func TestNeighbourSeed(t *testing.T) {
	nas, other := MAC{2, 0x11, 0x32, 0x12, 0x34, 0x56}, MAC{2, 0, 0, 0, 0, 9}
	long := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stable := netip.MustParseAddr("2001:db8:1:10:1234:5678:9abc:def0")
	old := netip.MustParseAddr("2001:db8:1:10::99")
	w := NewWatcher(WatchOptions{HostMACs: []MAC{nas}, Neighbours: map[string][]Neighbour{
		"br-lan": {{Addr: stable, MAC: nas, Live: true, FirstSeen: long}, {Addr: old, MAC: nas, FirstSeen: long.Add(time.Hour)},
			{Addr: netip.MustParseAddr("2001:db8:1:10::5"), MAC: other, Live: true, FirstSeen: long}},
	}})
	m := w.m
	m.beginDump()
	m.applyLink(&linkMsg{index: 3, name: []byte("br-lan"), up: true})
	now := long.Add(48 * time.Hour)
	m.applyNeigh(&neighMsg{index: 3, addr: stable, mac: nas, hasLL: true, state: 0x02}, w.tracked, now)
	m.sweep()
	got := m.snapshot(now)["br-lan"].Neighbours
	want := []Neighbour{{Addr: stable, MAC: nas, Live: true, FirstSeen: long}, {Addr: old, MAC: nas, FirstSeen: long.Add(time.Hour)}}
	if len(got) != len(want) {
		t.Fatalf("neighbours %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Addr != want[i].Addr || got[i].Live != want[i].Live || !got[i].FirstSeen.Equal(want[i].FirstSeen) {
			t.Errorf("neighbour %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Re-created (new ifindex): starts afresh.
	m.applyLink(&linkMsg{index: 4, name: []byte("br-lan"), up: true})
	if n := m.snapshot(now)["br-lan"].Neighbours; len(n) != 0 {
		t.Errorf("re-created device brought back %+v", n)
	}
}
