package detect

import (
	"cmp"
	"net/netip"
	"slices"
	"sort"
	"time"
)

// This file decides which address a source=host record publishes for a LAN
// host, from the router's neighbour table (Device.Neighbours) and the
// host's DHCPv6 leases.

// HostChoice is the answer of SelectHost.
type HostChoice struct {
	Addr    netip.Addr // invalid when there is nothing to publish
	Derived bool       // built from a delegated prefix and the host's remembered interface identifier
	Why     string     // set when Addr is invalid
}

// Address kinds, best first for prefer "stable".
const (
	kindEUI64  = iota // the IID is the host's MAC in modified EUI-64 form
	kindDHCPv6        // leased by odhcpd
	kindOther         // privacy (RFC 8981), stable-privacy (RFC 7217) or manual
)

type hostAddr struct {
	addr  netip.Addr
	kind  int
	first time.Time
	live  bool
}

// DelegatedPrefixes returns the on-link IPv6 /64s of device d that lie in a
// prefix currently delegated to the router: the /64 of each usable public
// IPv6 address of d (netifd puts <prefix>::1 on br-lan for each assigned
// prefix; when a prefix is withdrawn it re-adds that address with preferred
// lifetime 0, which usable() rejects, so a stale prefix never counts).
func DelegatedPrefixes(d Device) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range Candidates(d.Addrs, "AAAA") {
		if a.Prefix.Bits() > 64 {
			continue
		}
		p := netip.PrefixFrom(a.Addr(), 64).Masked()
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return comparePrefix(out[i], out[j]) < 0 }) // see Candidates
	return out
}

// SelectHost returns the address a record of type typ ("A" or "AAAA")
// publishes for the host with mac on device d; leased are the host's
// DHCPv6 (AAAA) or DHCPv4 (A) addresses (may be nil). prefer is as for
// Select.
//
// AAAA: the candidates are the host's addresses, live or remembered
// (neighbour table and leases), inside a delegated prefix (see
// DelegatedPrefixes), so never a ULA, link-local or stale-prefix address.
// "stable" prefers an EUI-64 address, then a DHCPv6 one, then the longest
// known other address; "temporary" the newest other address; "any" the
// lowest live one. The kind comes before liveness: the kernel drops the
// neighbour entry of an address the host is not using at the moment (a
// stable address while it talks from a privacy one, or the reverse), and
// that must not move the record; among addresses of one kind a live one
// wins, and a silent host keeps its last good value. With no candidate
// (the prefix just changed and the host has not been heard under the new
// one) the address is derived: the
// lowest delegated /64 joined to the interface identifier of the host's
// best known address by the "stable" order (privacy identifiers are made
// per prefix and do not carry over). It is confirmed, or replaced, when
// the host is seen.
//
// A: the host's IPv4 address inside one of d's IPv4 subnets (private
// addresses allowed: naming a LAN host is what source=host asks for): a
// live neighbour entry first, then a DHCPv4 lease (leased, the host's
// leases in every subnet), then the neighbour entry last seen. A lease
// names a host that has not talked since the router started.
func SelectHost(d Device, mac MAC, leased []netip.Addr, typ, prefer string) HostChoice {
	switch typ {
	case "AAAA":
		return selectHost6(d, mac, leased, prefer)
	case "A":
		return selectHost4(d, mac, leased)
	}
	return HostChoice{Why: "unknown type " + typ}
}

func selectHost6(d Device, mac MAC, leased []netip.Addr, prefer string) HostChoice {
	prefixes := DelegatedPrefixes(d)
	if len(prefixes) == 0 {
		return HostChoice{Why: "no delegated IPv6 prefix on " + d.Name}
	}
	eui := EUI64(mac)
	kindOf := func(a netip.Addr) int {
		b := a.As16()
		switch {
		case [8]byte(b[8:]) == eui:
			return kindEUI64
		case slices.Contains(leased, a):
			return kindDHCPv6
		}
		return kindOther
	}
	var all []hostAddr
	for _, n := range d.Neighbours {
		if n.MAC == mac && n.Addr.Is6() && PublicIPv6(n.Addr) {
			all = append(all, hostAddr{n.Addr, kindOf(n.Addr), n.FirstSeen, n.Live})
		}
	}
	for _, a := range leased {
		if PublicIPv6(a) && !slices.ContainsFunc(all, func(h hostAddr) bool { return h.addr == a && h.live }) {
			all = append(all, hostAddr{a, kindDHCPv6, time.Time{}, true})
		}
	}
	inDelegated := func(a netip.Addr) bool {
		return slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	var known []hostAddr
	for _, h := range all {
		if inDelegated(h.addr) {
			known = append(known, h)
		}
	}
	rank := rankHost(prefer)
	if rank == nil {
		return HostChoice{Why: "unknown prefer " + prefer}
	}
	if len(known) > 0 {
		return HostChoice{Addr: slices.MinFunc(known, rank).addr}
	}
	if len(all) == 0 {
		return HostChoice{Why: "host " + mac.String() + " not seen on " + d.Name + " yet"}
	}
	// Temporary and stable-privacy identifiers are made per prefix (RFC
	// 8981, RFC 7217), so they do not carry over; EUI-64, odhcpd's assigned
	// host id and a fixed token do. Whatever prefer says, derive from those.
	best := slices.MinFunc(all, rankHost("stable"))
	return HostChoice{Addr: JoinSuffix(prefixes[0], best.addr), Derived: true}
}

// rankHost orders a host's addresses, best first, for prefer.
func rankHost(prefer string) func(a, b hostAddr) int {
	switch prefer {
	case "", "stable":
		return func(a, b hostAddr) int {
			return cmp.Or(cmp.Compare(a.kind, b.kind), liveFirst(a, b), a.first.Compare(b.first), a.addr.Compare(b.addr))
		}
	case "temporary":
		return func(a, b hostAddr) int {
			return cmp.Or(cmp.Compare(b.kind, a.kind), b.first.Compare(a.first), liveFirst(a, b), a.addr.Compare(b.addr))
		}
	case "any":
		return func(a, b hostAddr) int { return cmp.Or(liveFirst(a, b), a.addr.Compare(b.addr)) }
	}
	return nil
}

// liveFirst orders an address whose neighbour entry is live before one
// only remembered.
func liveFirst(a, b hostAddr) int {
	switch {
	case a.live == b.live:
		return 0
	case a.live:
		return -1
	}
	return 1
}

func selectHost4(d Device, mac MAC, leased []netip.Addr) HostChoice {
	var subnets []netip.Prefix
	for _, a := range d.Addrs {
		if a.Addr().Is4() && usable(a) {
			subnets = append(subnets, a.Prefix.Masked())
		}
	}
	if len(subnets) == 0 {
		return HostChoice{Why: "no IPv4 subnet on " + d.Name}
	}
	var best *Neighbour
	for i := range d.Neighbours {
		n := &d.Neighbours[i]
		if n.MAC != mac || !n.Addr.Is4() || !slices.ContainsFunc(subnets, func(p netip.Prefix) bool { return p.Contains(n.Addr) }) {
			continue
		}
		switch {
		case best == nil,
			n.Live && !best.Live,
			n.Live == best.Live && n.FirstSeen.After(best.FirstSeen):
			best = n
		}
	}
	if best != nil && best.Live {
		return HostChoice{Addr: best.Addr}
	}
	for _, a := range leased {
		if a.Is4() && slices.ContainsFunc(subnets, func(p netip.Prefix) bool { return p.Contains(a) }) {
			return HostChoice{Addr: a}
		}
	}
	if best == nil {
		return HostChoice{Why: "host " + mac.String() + " has no IPv4 address on " + d.Name + " yet"}
	}
	return HostChoice{Addr: best.Addr}
}
