package detect

import (
	"net/netip"
	"slices"
	"time"
)

// model is the watcher's mutable view of the kernel. It is not safe for
// concurrent use; the Watcher guards it with a mutex. Every apply method
// reports whether the change could alter what a record publishes, which is
// what decides whether Changes is signalled.
type model struct {
	devs    map[string]*devState // by name: what records refer to
	byIndex map[int]*devState    // by ifindex: what the kernel refers to
	gen     uint64               // current dump generation, for mark and sweep
	// seed holds neighbours remembered from an earlier watcher, by device
	// name, until the device appears (WatchOptions.Neighbours).
	seed map[string][]Neighbour
}

type devState struct {
	name  string
	index int
	up    bool
	gen   uint64
	addrs []addrEntry  // sorted by prefix
	ra    []RAPrefix   // sorted by prefix, then router
	neigh []neighEntry // tracked LAN hosts only, see neigh.go
}

type addrEntry struct {
	Addr
	gen uint64
}

func newModel() *model {
	return &model{devs: map[string]*devState{}, byIndex: map[int]*devState{}}
}

// beginDump starts a new generation. Entries not confirmed by the dump (or by
// an event) before sweep are gone from the kernel: we missed their removal,
// e.g. in an ENOBUFS overrun.
func (m *model) beginDump() { m.gen++ }

// sweep drops everything not seen since beginDump.
func (m *model) sweep() (changed bool) {
	for name, d := range m.devs {
		if d.gen != m.gen {
			m.removeDev(name, d)
			changed = true
			continue
		}
		n := len(d.addrs)
		d.addrs = slices.DeleteFunc(d.addrs, func(e addrEntry) bool { return e.gen != m.gen })
		changed = changed || n != len(d.addrs)
		changed = m.sweepNeigh(d) || changed
	}
	return changed
}

func (m *model) removeDev(name string, d *devState) {
	delete(m.devs, name)
	if m.byIndex[d.index] == d {
		delete(m.byIndex, d.index)
	}
}

// applyLink records a link message. Devices are keyed by name: a pppoe-wan
// that is deleted and recreated by a redial gets a new ifindex, and records
// must follow it.
func (m *model) applyLink(lm *linkMsg) (changed bool) {
	d := m.byIndex[lm.index]
	if lm.del {
		if d == nil {
			return false
		}
		m.removeDev(d.name, d)
		return true
	}
	if d != nil && d.name != string(lm.name) {
		// Renamed in place (same ifindex): it is a different device to us.
		m.removeDev(d.name, d)
		d, changed = nil, true
	}
	if d == nil {
		name := string(lm.name)
		if old := m.devs[name]; old != nil {
			// Same name, new ifindex: the old device is gone even if we
			// never saw it go, and its addresses and adverts went with it.
			m.removeDev(name, old)
		}
		d = &devState{name: name, index: lm.index}
		m.devs[name] = d
		m.byIndex[lm.index] = d
		changed = true
		if seed, ok := m.seed[name]; ok {
			// Once: a device re-created later starts afresh, as
			// removeDev forgets its neighbours.
			delete(m.seed, name)
			for _, n := range seed {
				n.Live = false
				d.neigh = append(d.neigh, neighEntry{n, m.gen})
			}
			m.pruneNeigh(d)
		}
	}
	d.gen = m.gen
	if d.up != lm.up {
		d.up = lm.up
		changed = true
	}
	return changed
}

// relevant is the part of an address that the selection policy looks at.
// Lifetimes are left out on purpose, see applyAddr.
type relevant struct {
	prefix     netip.Prefix
	flags      uint32
	scope      uint8
	deprecated bool
}

func relevantOf(a Addr) relevant {
	return relevant{a.Prefix, a.Flags & policyFlags, a.Scope, a.Preferred == 0}
}

// applyAddr records an address message; known is false when the device is
// not (yet) known.
//
// netifd re-adds every address with fresh lifetimes on each DHCPv6 renew
// (openwrt interface-ip.c), so the kernel repeats RTM_NEWADDR for an address
// that has not changed. Such a refresh updates the stored lifetimes but is
// not a change: only what the selection policy looks at counts.
func (m *model) applyAddr(am *addrMsg, now time.Time) (changed, known bool) {
	d := m.byIndex[am.index]
	if d == nil {
		return false, false
	}
	i, found := slices.BinarySearchFunc(d.addrs, am.addr.Prefix, func(e addrEntry, p netip.Prefix) int {
		return comparePrefix(e.Prefix, p)
	})
	if am.del {
		if found {
			d.addrs = slices.Delete(d.addrs, i, i+1)
		}
		return found, true
	}
	a := am.addr
	a.Seen = now
	if found {
		e := &d.addrs[i]
		changed = relevantOf(e.Addr) != relevantOf(a)
		e.Addr, e.gen = a, m.gen
		return changed, true
	}
	d.addrs = slices.Insert(d.addrs, i, addrEntry{a, m.gen})
	return true, true
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// hasUsableLinkLocal reports whether the named device has an IPv6 link-local
// address that can be bound (DAD finished), which listenRAOn needs, and
// returns it.
func (m *model) hasUsableLinkLocal(name string) (index int, ll netip.Addr, ok bool) {
	d := m.devs[name]
	if d == nil {
		return 0, netip.Addr{}, false
	}
	for _, e := range d.addrs {
		if ip := e.Addr.Addr(); ip.Is6() && ip.IsLinkLocalUnicast() && e.Flags&(FlagTentative|FlagDADFailed) == 0 {
			return d.index, ip, true
		}
	}
	return d.index, netip.Addr{}, false
}

// raUsable reports whether p counts as preferred at now.
func raPreferred(p RAPrefix, now time.Time) bool {
	return p.Preferred == Forever || (p.Preferred > 0 && now.Before(p.Seen.Add(time.Duration(p.Preferred)*time.Second)))
}

func raValid(p RAPrefix, now time.Time) bool {
	return p.Valid == Forever || (p.Valid > 0 && now.Before(p.Seen.Add(time.Duration(p.Valid)*time.Second)))
}

func compareRA(a, b RAPrefix) int {
	if c := comparePrefix(a.Prefix, b.Prefix); c != 0 {
		return c
	}
	return a.Router.Compare(b.Router)
}

// applyRA merges the prefix-information options of one router advertisement,
// heard on the named device with the given ifindex. Only a new or withdrawn
// prefix or a change in usability (preferred or not, the A flag) is a change;
// a router re-sending the same advert just refreshes the lifetimes.
func (m *model) applyRA(name string, index int, pios []RAPrefix, now time.Time) (changed bool) {
	d := m.devs[name]
	if d == nil || d.index != index {
		return false // heard on a device instance that is gone
	}
	for _, p := range pios {
		p.Seen = now
		i, found := slices.BinarySearchFunc(d.ra, p, compareRA)
		switch {
		case p.Valid == 0:
			// RFC 4861 6.3.4: a zero valid lifetime withdraws the prefix.
			if found {
				d.ra = slices.Delete(d.ra, i, i+1)
				changed = true
			}
		case found:
			old := d.ra[i]
			if old.Autonomous != p.Autonomous || raPreferred(old, now) != raPreferred(p, now) {
				changed = true
			}
			d.ra[i] = p
		default:
			d.ra = slices.Insert(d.ra, i, p)
			changed = true
		}
	}
	return m.expireRA(now) || changed
}

// expireRA drops RA prefixes whose valid lifetime has run out and reports
// whether any prefix was dropped or stopped being preferred since the last
// call. Router adverts are not re-announced by the kernel, so their expiry
// is evaluated here, lazily or from a single timer.
func (m *model) expireRA(now time.Time) (changed bool) {
	for _, d := range m.devs {
		n := len(d.ra)
		d.ra = slices.DeleteFunc(d.ra, func(p RAPrefix) bool { return !raValid(p, now) })
		changed = changed || n != len(d.ra)
		for i := range d.ra {
			p := &d.ra[i]
			if p.Preferred != 0 && !raPreferred(*p, now) {
				// Record that it is no longer preferred, so it is reported once.
				p.Valid = remaining(p.Seen, p.Valid, now)
				p.Preferred, p.Seen = 0, now
				changed = true
			}
		}
	}
	return changed
}

// nextRAExpiry returns the earliest moment at which an RA prefix stops being
// preferred or valid, or false if none ever will.
func (m *model) nextRAExpiry() (time.Time, bool) {
	var next time.Time
	consider := func(seen time.Time, lft uint32) {
		if lft == Forever || lft == 0 {
			return
		}
		if t := seen.Add(time.Duration(lft) * time.Second); next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, d := range m.devs {
		for _, p := range d.ra {
			consider(p.Seen, p.Preferred)
			consider(p.Seen, p.Valid)
		}
	}
	return next, !next.IsZero()
}

// remaining returns how many of lft seconds (counted from seen) are left at
// now, rounded up so that a lifetime still running never reads as zero.
func remaining(seen time.Time, lft uint32, now time.Time) uint32 {
	if lft == Forever {
		return Forever
	}
	left := seen.Add(time.Duration(lft) * time.Second).Sub(now)
	if left <= 0 {
		return 0
	}
	return uint32((left + time.Second - 1) / time.Second)
}

// snapshot returns a deep copy. RA prefix lifetimes are restated as what is
// left at now (with Seen = now), so that Preferred > 0 means "still preferred".
func (m *model) snapshot(now time.Time) Snapshot {
	s := make(Snapshot, len(m.devs))
	for name, d := range m.devs {
		dev := Device{Name: name, Index: d.index, Up: d.up}
		if len(d.addrs) > 0 {
			dev.Addrs = make([]Addr, len(d.addrs))
			for i, e := range d.addrs {
				dev.Addrs[i] = e.Addr
			}
		}
		for _, e := range d.neigh {
			dev.Neighbours = append(dev.Neighbours, e.Neighbour)
		}
		for _, p := range d.ra {
			if !raValid(p, now) {
				continue
			}
			p.Preferred = remaining(p.Seen, p.Preferred, now)
			p.Valid = remaining(p.Seen, p.Valid, now)
			p.Seen = now
			dev.RAPrefixes = append(dev.RAPrefixes, p)
		}
		s[name] = dev
	}
	return s
}
