package detect

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// a builds an Addr the way the kernel reports a healthy one: global scope,
// finite lifetimes.
func a(prefix string, flags uint32) Addr {
	return Addr{Prefix: netip.MustParsePrefix(prefix), Flags: flags, Preferred: 3600, Valid: 7200}
}

func withLft(x Addr, pref, valid uint32) Addr { x.Preferred, x.Valid = pref, valid; return x }
func withScope(x Addr, s uint8) Addr          { x.Scope = s; return x }

func addrsOf(as []Addr) []string {
	var out []string
	for _, x := range as {
		out = append(out, x.Addr().String())
	}
	return out
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		name string
		in   Addr
		typ  string
		want bool
	}{
		{"global v6", a("2001:db8:1::10/64", 0), "AAAA", true},
		{"global v6 infinite lifetimes", withLft(a("2001:db8:1::10/64", FlagPermanent), Forever, Forever), "AAAA", true},
		{"temporary v6 is a candidate", a("2001:db8:1::77/64", FlagTemporary), "AAAA", true},
		{"optimistic without tentative", a("2001:db8:1::10/64", FlagOptimistic), "AAAA", true},
		{"tentative", a("2001:db8:1::10/64", FlagTentative), "AAAA", false},
		{"dadfailed", a("2001:db8:1::10/64", FlagDADFailed|FlagTentative), "AAAA", false},
		{"deprecated flag", a("2001:db8:1::10/64", FlagDeprecated), "AAAA", false},
		{"preferred lifetime zero (netifd withdrawn prefix)", withLft(a("2001:db8:1::10/64", 0), 0, 7200), "AAAA", false},
		{"link scope", withScope(a("2001:db8:1::10/64", 0), 253), "AAAA", false},
		{"link-local", a("fe80::1/64", 0), "AAAA", false},
		{"ULA fd", a("fd12:3456::1/64", 0), "AAAA", false},
		{"ULA fc", a("fc00::1/64", 0), "AAAA", false},
		{"loopback v6", a("::1/128", 0), "AAAA", false},
		{"multicast v6", a("ff02::1/128", 0), "AAAA", false},
		{"unspecified v6", a("::/128", 0), "AAAA", false},
		{"v4-mapped", a("::ffff:198.51.100.1/128", 0), "AAAA", false},
		{"v6 not for A", a("2001:db8:1::10/64", 0), "A", false},
		{"public v4 (documentation range)", a("192.0.2.10/24", 0), "A", true},
		{"public v4 203.0.113", a("203.0.113.5/32", 0), "A", true},
		{"v4 not for AAAA", a("192.0.2.10/24", 0), "AAAA", false},
		{"rfc1918 10/8", a("10.1.2.3/8", 0), "A", false},
		{"rfc1918 172.16/12", a("172.31.255.1/12", 0), "A", false},
		{"rfc1918 192.168/16", a("192.168.1.1/24", 0), "A", false},
		{"cgnat low", a("100.64.0.1/10", 0), "A", false},
		{"cgnat high", a("100.127.255.254/10", 0), "A", false},
		{"just outside cgnat", a("100.128.0.1/10", 0), "A", true},
		{"v4 link-local", a("169.254.1.1/16", 0), "A", false},
		{"v4 loopback", a("127.0.0.1/8", 0), "A", false},
		{"v4 this-network", a("0.1.2.3/8", 0), "A", false},
		{"v4 class E", a("240.0.0.1/4", 0), "A", false},
		{"v4 multicast", a("224.0.0.1/32", 0), "A", false},
		{"v4 deprecated", a("192.0.2.10/24", FlagDeprecated), "A", false},
		{"v4 host scope", withScope(a("192.0.2.10/24", 0), 254), "A", false},
		{"unknown type", a("192.0.2.10/24", 0), "MX", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Candidates([]Addr{tc.in}, tc.typ)
			if (len(got) == 1) != tc.want {
				t.Fatalf("Candidates(%v, %s) = %v, want candidate=%v", tc.in, tc.typ, addrsOf(got), tc.want)
			}
		})
	}
}

func TestCandidatesSorted(t *testing.T) {
	in := []Addr{a("2001:db8:2::1/64", 0), a("fe80::1/64", 0), a("2001:db8:1::9/64", 0), a("2001:db8:1::10/64", 0)}
	got := addrsOf(Candidates(in, "AAAA"))
	want := []string{"2001:db8:1::9", "2001:db8:1::10", "2001:db8:2::1"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestSelect(t *testing.T) {
	stable := a("2001:db8:1::20/64", FlagManageTemp)
	temp := a("2001:db8:1::5/64", FlagTemporary)
	temp2 := a("2001:db8:1::3/64", FlagTemporary)
	oldDeprecated := withLft(a("2001:db8:0::1/64", 0), 0, 7000) // lower, but withdrawn
	tests := []struct {
		name   string
		addrs  []Addr
		typ    string
		prefer string
		want   string // "" = none
	}{
		{"stable picks non-temporary even if higher", []Addr{temp, stable}, "AAAA", "stable", "2001:db8:1::20"},
		{"empty prefer means stable", []Addr{temp, stable}, "AAAA", "", "2001:db8:1::20"},
		{"stable falls back to temporary", []Addr{temp, temp2}, "AAAA", "stable", "2001:db8:1::3"},
		{"temporary picks lowest temporary", []Addr{stable, temp, temp2}, "AAAA", "temporary", "2001:db8:1::3"},
		{"temporary falls back to stable", []Addr{stable}, "AAAA", "temporary", "2001:db8:1::20"},
		{"any picks lowest", []Addr{stable, temp}, "AAAA", "any", "2001:db8:1::5"},
		{"two stable: lowest", []Addr{a("2001:db8:9::1/64", 0), a("2001:db8:3::1/128", 0)}, "AAAA", "stable", "2001:db8:3::1"},
		{"deprecated old prefix never chosen", []Addr{oldDeprecated, stable}, "AAAA", "stable", "2001:db8:1::20"},
		{"deprecated flag never chosen", []Addr{a("2001:db8::1/64", FlagDeprecated), temp}, "AAAA", "any", "2001:db8:1::5"},
		{"only deprecated: none", []Addr{oldDeprecated}, "AAAA", "stable", ""},
		{"A picks lowest public", []Addr{a("198.51.100.7/24", 0), a("192.168.1.1/24", 0), a("192.0.2.200/24", 0)}, "A", "stable", "192.0.2.200"},
		{"A ignores prefer", []Addr{a("198.51.100.7/24", 0)}, "A", "temporary", "198.51.100.7"},
		{"A only private: none", []Addr{a("10.0.0.1/8", 0), a("100.100.1.1/10", 0)}, "A", "any", ""},
		{"unknown prefer", []Addr{stable}, "AAAA", "newest", ""},
		{"nothing", nil, "AAAA", "stable", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Select(tc.addrs, tc.typ, tc.prefer)
			if tc.want == "" {
				if ok {
					t.Fatalf("got %v, want none", got)
				}
				return
			}
			if !ok || got != netip.MustParseAddr(tc.want) {
				t.Fatalf("got %v,%v want %s", got, ok, tc.want)
			}
		})
	}
}

// TestSelectIgnoresLifetimesAndOrder is the property the reconciler relies on:
// refreshing lifetimes (every DHCPv6 renew) or reordering never flips the
// choice.
func TestSelectIgnoresLifetimesAndOrder(t *testing.T) {
	base := []Addr{a("2001:db8:1::20/64", 0), a("2001:db8:1::10/64", 0), a("2001:db8:2::1/64", FlagTemporary)}
	want, ok := Select(base, "AAAA", "stable")
	if !ok {
		t.Fatal("no selection")
	}
	for i := range 50 {
		v := slices.Clone(base)
		for j := range v {
			v[j].Preferred = uint32(1 + (i*7+j*13)%5000)
			v[j].Valid = v[j].Preferred + 100
			v[j].Seen = time.Unix(int64(i*j), 0)
		}
		if i%2 == 1 {
			slices.Reverse(v)
		}
		if got, _ := Select(v, "AAAA", "stable"); got != want {
			t.Fatalf("round %d: lifetimes/order flipped the choice: %v != %v", i, got, want)
		}
	}
}

func TestLivePrefix(t *testing.T) {
	ra := func(p string, pref uint32, auto bool) RAPrefix {
		return RAPrefix{Prefix: netip.MustParsePrefix(p), Preferred: pref, Valid: pref + 100, Autonomous: auto}
	}
	tests := []struct {
		name string
		dev  Device
		want string
	}{
		{"from address", Device{Addrs: []Addr{a("2001:db8:1:2::1234/128", 0)}, RAPrefixes: []RAPrefix{ra("2001:db8:9::/64", 100, true)}}, "2001:db8:1:2::/64"},
		{"address wins over RA", Device{Addrs: []Addr{a("2001:db8:5:6::1/64", 0)}, RAPrefixes: []RAPrefix{ra("2001:db8:1::/64", 100, true)}}, "2001:db8:5:6::/64"},
		{"RA when no address", Device{RAPrefixes: []RAPrefix{ra("2001:db8:9::/64", 100, false)}}, "2001:db8:9::/64"},
		{"lowest live RA", Device{RAPrefixes: []RAPrefix{ra("2001:db8:9::/64", 100, true), ra("2001:db8:3::/64", 100, true)}}, "2001:db8:3::/64"},
		{"RA with zero preferred skipped", Device{RAPrefixes: []RAPrefix{ra("2001:db8:3::/64", 0, true), ra("2001:db8:9::/64", 5, true)}}, "2001:db8:9::/64"},
		{"ULA RA skipped", Device{RAPrefixes: []RAPrefix{ra("fd00:1::/64", 100, true)}}, ""},
		{"non-/64 RA skipped", Device{RAPrefixes: []RAPrefix{ra("2001:db8::/48", 100, true)}}, ""},
		{"deprecated address, no RA", Device{Addrs: []Addr{withLft(a("2001:db8:1::1/64", 0), 0, 10)}}, ""},
		{"nothing", Device{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := LivePrefix(tc.dev)
			if tc.want == "" {
				if ok {
					t.Fatalf("got %v, want none", got)
				}
				return
			}
			if !ok || got != netip.MustParsePrefix(tc.want) {
				t.Fatalf("got %v,%v want %s", got, ok, tc.want)
			}
		})
	}
}

func TestJoinSuffix(t *testing.T) {
	tests := []struct {
		prefix, suffix, want string
	}{
		{"2001:db8:1:2::/64", "::211:32ff:fe12:3456", "2001:db8:1:2:211:32ff:fe12:3456"},
		{"2001:db8:1:2::ffff/64", "::1", "2001:db8:1:2::1"},          // host bits of the prefix are dropped
		{"2001:db8:1:2::/64", "2001:db8:9:9::1", "2001:db8:1:2::1"},  // network bits of the suffix are dropped
		{"2001:db8:1:2::/60", "::5:0:0:0:1", "2001:db8:1:5::1"},      // nibble boundary
		{"2001:db8:1:200::/57", "::ff:0:0:0:1", "2001:db8:1:27f::1"}, // odd length: 7 bits of 0xff kept
		{"2001:db8::/128", "::1", "2001:db8::"},                      // nothing left for the suffix
		{"2001:db8:1:2::/0", "2001:db8:3:4::5", "2001:db8:3:4::5"},   // everything from the suffix
		{"192.0.2.0/24", "0.0.0.77", "192.0.2.77"},                   // IPv4 works too
		{"2001:db8:1:2::/64", "0.0.0.1", ""},                         // family mismatch
		{"2001:db8:1:2::/64", "fe80::1%eth0", "2001:db8:1:2::1"},     // zone ignored
	}
	for _, tc := range tests {
		got := JoinSuffix(netip.MustParsePrefix(tc.prefix), netip.MustParseAddr(tc.suffix))
		if tc.want == "" {
			if got.IsValid() {
				t.Errorf("JoinSuffix(%s, %s) = %v, want invalid", tc.prefix, tc.suffix, got)
			}
			continue
		}
		if got != netip.MustParseAddr(tc.want) {
			t.Errorf("JoinSuffix(%s, %s) = %v, want %s", tc.prefix, tc.suffix, got, tc.want)
		}
	}
	if got := JoinSuffix(netip.Prefix{}, netip.MustParseAddr("::1")); got.IsValid() {
		t.Errorf("invalid prefix gave %v", got)
	}
}
