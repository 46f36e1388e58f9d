package detect

import (
	"net/netip"
	"sort"
)

// This file is the one place that decides which addresses a record may
// publish. The watcher also uses policyFlags to decide which kernel updates
// are worth a Changes signal, so the two can never disagree.

// policyFlags are the IFA_F_* flags the rules below look at. A change in any
// other flag (or in a lifetime) cannot change what a record publishes.
const policyFlags = FlagTemporary | FlagTentative | FlagDADFailed | FlagDeprecated

// unusableFlags mark an address the kernel will not (or no longer) use as a
// source: still in duplicate address detection, failed it, or deprecated.
const unusableFlags = FlagTentative | FlagDADFailed | FlagDeprecated

// PublicIPv4 reports whether a is an IPv4 address that may be published in an
// A record: not private (RFC 1918), shared/CGNAT (100.64.0.0/10), link-local,
// loopback, multicast, unspecified, "this network" or reserved. Documentation
// ranges (192.0.2.0/24 and friends) are allowed.
func PublicIPv4(a netip.Addr) bool {
	if !a.Is4() || !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	b := a.As4()
	cgnat := b[0] == 100 && b[1]&0xc0 == 64 // 100.64.0.0/10, RFC 6598 shared space
	thisNet := b[0] == 0                    // 0.0.0.0/8, RFC 1122 "this network"
	reserved := b[0] >= 240                 // 240.0.0.0/4, class E
	return !cgnat && !thisNet && !reserved
}

// PublicIPv6 reports whether a is an IPv6 address that may be published in an
// AAAA record: global unicast, and not link-local, unique-local (fc00::/7),
// loopback, multicast, unspecified or IPv4-mapped. Documentation ranges
// (2001:db8::/32) are allowed.
func PublicIPv6(a netip.Addr) bool {
	return a.Is6() && !a.Is4In6() && a.IsGlobalUnicast() && !a.IsPrivate()
}

// usable reports whether the kernel considers a a working, preferred source
// address: global scope, not tentative, not DAD-failed and not deprecated
// either by flag or by a preferred lifetime of zero. The last case matters on
// OpenWrt: when the delegated prefix changes, netifd re-adds the old LAN
// address with preferred lifetime 0 and lets it linger for up to two hours.
func usable(a Addr) bool {
	return a.Scope == 0 && a.Flags&unusableFlags == 0 && a.Preferred != 0
}

// Candidates returns the addresses of type typ ("A" or "AAAA") that a record
// may publish, sorted by address. An address qualifies when it is usable (global
// scope, not tentative, not DAD-failed, not deprecated by flag or by a zero
// preferred lifetime) and public (see PublicIPv4 and PublicIPv6). Any other typ
// yields nil.
func Candidates(addrs []Addr, typ string) []Addr {
	var public func(netip.Addr) bool
	switch typ {
	case "A":
		public = PublicIPv4
	case "AAAA":
		public = PublicIPv6
	default:
		return nil
	}
	var out []Addr
	for _, a := range addrs {
		if usable(a) && public(a.Addr()) {
			out = append(out, a)
		}
	}
	// sort.Slice, not slices.SortFunc: each struct type given to SortFunc
	// links its own copy of pdqsort (about 14 KB on mipsle).
	sort.Slice(out, func(i, j int) bool { return out[i].Addr().Less(out[j].Addr()) })
	return out
}

// Select returns the address a record of type typ should publish, or false
// when there is none. prefer is "stable", "temporary" or "any" ("" means
// "stable"); any other value yields false.
//
// The rule, applied to Candidates(addrs, typ):
//
//  1. With prefer "stable", addresses without the temporary flag
//     (IFA_F_TEMPORARY, RFC 8981 privacy addresses) come first; if there are
//     only temporary addresses, a temporary one is chosen rather than none.
//     With "temporary" it is the other way round. With "any", and for A
//     records, the flag is ignored.
//  2. Among the addresses left, the numerically lowest wins.
//
// The rule never looks at lifetimes or at when an address was seen, so a
// renewal that only refreshes lifetimes never changes the answer, and the same
// set of addresses always gives the same answer, also across restarts.
// Deprecated addresses are never candidates, so a withdrawn prefix that
// lingers next to its replacement is never chosen.
func Select(addrs []Addr, typ, prefer string) (netip.Addr, bool) {
	var wantTemp, rank bool
	switch prefer {
	case "", "stable":
		rank = true
	case "temporary":
		rank, wantTemp = true, true
	case "any":
	default:
		return netip.Addr{}, false
	}
	c := Candidates(addrs, typ)
	if len(c) == 0 {
		return netip.Addr{}, false
	}
	if rank && typ == "AAAA" {
		// c is sorted, so the first address of the wanted kind is the lowest.
		for _, a := range c {
			if (a.Flags&FlagTemporary != 0) == wantTemp {
				return a.Addr(), true
			}
		}
	}
	return c[0].Addr(), true
}

// LivePrefix returns the /64 on which device d currently has a public IPv6
// presence: the /64 of the address Select(d.Addrs, "AAAA", "stable") chooses
// or, when there is none, the lowest /64 prefix heard in a router
// advertisement on d whose preferred lifetime has not run out (autonomous or
// not) and that is public (see PublicIPv6).
func LivePrefix(d Device) (netip.Prefix, bool) {
	if a, ok := Select(d.Addrs, "AAAA", "stable"); ok {
		return netip.PrefixFrom(a, 64).Masked(), true
	}
	var best netip.Prefix
	for _, p := range d.RAPrefixes {
		if p.Preferred == 0 || p.Prefix.Bits() != 64 || !PublicIPv6(p.Prefix.Addr()) {
			continue
		}
		m := p.Prefix.Masked()
		if !best.IsValid() || m.Addr().Less(best.Addr()) {
			best = m
		}
	}
	return best, best.IsValid()
}

// JoinSuffix returns the address made of the first p.Bits() bits of p and the
// remaining bits of suffix, e.g. 2001:db8:1:2::/64 and ::211:32ff:fe12:3456
// give 2001:db8:1:2:211:32ff:fe12:3456. Both must be of the same family; on a
// mismatch or an invalid prefix it returns the zero Addr.
func JoinSuffix(p netip.Prefix, suffix netip.Addr) netip.Addr {
	pa := p.Addr()
	suffix = suffix.WithZone("")
	if !p.IsValid() || !suffix.IsValid() || pa.BitLen() != suffix.BitLen() {
		return netip.Addr{}
	}
	hi, lo := pa.AsSlice(), suffix.AsSlice()
	bits := p.Bits()
	for i := range hi {
		var mask byte // bits of byte i that come from the prefix
		switch {
		case bits >= 8*(i+1):
			mask = 0xff
		case bits > 8*i:
			mask = ^byte(0xff >> (bits - 8*i))
		}
		hi[i] = hi[i]&mask | lo[i]&^mask
	}
	out, _ := netip.AddrFromSlice(hi)
	return out
}
