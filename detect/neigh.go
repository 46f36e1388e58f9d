package detect

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// This file follows the kernel's neighbour table (ARP and NDP entries,
// RTM_NEWNEIGH/RTM_DELNEIGH) for the LAN hosts that records name by MAC
// address. Entries of other hosts are ignored at parse time, so a busy LAN
// costs a few field loads per message.

// MAC is a 48-bit Ethernet address.
type MAC [6]byte

// ParseMAC reads aa:bb:cc:dd:ee:ff (or with '-').
func ParseMAC(s string) (MAC, bool) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return MAC{}, false
	}
	return MAC(hw), true
}

func (m MAC) String() string { return net.HardwareAddr(m[:]).String() }

// Neighbour is one address a tracked LAN host has been seen with on a
// device. Live entries are in the kernel's neighbour table now, in a state
// that says the host answers (anything but INCOMPLETE and FAILED); the
// others are remembered after the host fell silent or left, so a record
// keeps its last good value and can follow a prefix change with the host's
// interface identifier.
type Neighbour struct {
	Addr      netip.Addr
	MAC       MAC
	Live      bool
	FirstSeen time.Time // when this address was first seen for this MAC
}

// Neighbour states (linux/neighbour.h NUD_*).
const (
	nudIncomplete = 0x01
	nudFailed     = 0x20
)

// neighMsg is a normalised RTM_NEWNEIGH/RTM_DELNEIGH.
type neighMsg struct {
	index int
	addr  netip.Addr
	mac   MAC
	hasLL bool
	state uint16
	del   bool
}

// live reports whether the entry says the host is there: it has a
// link-layer address and is not INCOMPLETE or FAILED. REACHABLE, STALE,
// DELAY, PROBE, NOARP and PERMANENT all count as live, so the normal churn
// between them (RFC 4861 7.3.2 and the ARP equivalent) is not a change.
func (m *neighMsg) live() bool {
	return m.hasLL && !m.del && m.state != 0 && m.state&(nudIncomplete|nudFailed) == 0
}

// parseNeigh decodes an ndmsg (linux/neighbour.h: family, pad, ifindex,
// state, flags, type) and its NDA_DST and NDA_LLADDR attributes.
func parseNeigh(b []byte, del bool, m *neighMsg) bool {
	if len(b) < unix.SizeofNdMsg {
		return false
	}
	fam := b[0]
	if fam != unix.AF_INET && fam != unix.AF_INET6 {
		return false
	}
	ne := binary.NativeEndian
	*m = neighMsg{index: int(int32(ne.Uint32(b[4:8]))), state: ne.Uint16(b[8:10]), del: del}
	attrs(b[unix.SizeofNdMsg:], func(typ uint16, v []byte) {
		switch typ {
		case unix.NDA_DST:
			m.addr = ipFrom(fam, v)
		case unix.NDA_LLADDR:
			if len(v) == 6 {
				m.mac, m.hasLL = MAC(v), true
			}
		}
	})
	return m.index > 0 && m.addr.IsValid()
}

// maxRemembered bounds the remembered (not live) addresses kept per
// device for the tracked hosts; the oldest are dropped first.
const maxRemembered = 64

type neighEntry struct {
	Neighbour
	gen uint64
}

// applyNeigh records a neighbour message for a tracked MAC and reports
// whether what a record could publish may have changed: an address
// appeared or went live or stopped being live. A change of state between
// live states changes nothing and costs nothing.
func (m *model) applyNeigh(nm *neighMsg, tracked map[MAC]bool, now time.Time) (changed bool) {
	d := m.byIndex[nm.index]
	if d == nil {
		return false
	}
	i := slices.IndexFunc(d.neigh, func(e neighEntry) bool { return e.Addr == nm.addr })
	if i < 0 && (!nm.hasLL || !tracked[nm.mac]) {
		return false // not a host we follow
	}
	live := nm.live()
	if i >= 0 {
		e := &d.neigh[i]
		if nm.hasLL && nm.mac != e.MAC {
			// The address moved to another host. Forget ours.
			d.neigh = slices.Delete(d.neigh, i, i+1)
			if !tracked[nm.mac] {
				return e.Live
			}
			return m.applyNeigh(nm, tracked, now) || e.Live
		}
		e.gen = m.gen
		if e.Live == live {
			return false
		}
		e.Live = live
		m.pruneNeigh(d)
		return true
	}
	d.neigh = append(d.neigh, neighEntry{Neighbour{Addr: nm.addr, MAC: nm.mac, Live: live, FirstSeen: now}, m.gen})
	m.pruneNeigh(d)
	return live
}

// sweepNeigh marks entries the dump did not show as no longer live.
func (m *model) sweepNeigh(d *devState) (changed bool) {
	for i := range d.neigh {
		if e := &d.neigh[i]; e.gen != m.gen && e.Live {
			e.Live, changed = false, true
		}
	}
	return changed
}

// pruneNeigh drops the oldest remembered entries beyond maxRemembered.
func (m *model) pruneNeigh(d *devState) {
	n := 0
	for _, e := range d.neigh {
		if !e.Live {
			n++
		}
	}
	for n > maxRemembered {
		oldest := -1
		for i, e := range d.neigh {
			if !e.Live && (oldest < 0 || e.FirstSeen.Before(d.neigh[oldest].FirstSeen)) {
				oldest = i
			}
		}
		d.neigh = slices.Delete(d.neigh, oldest, oldest+1)
		n--
	}
}

// EUI64 returns the modified EUI-64 interface identifier of mac (RFC 4291
// appendix A): the universal/local bit flipped and ff:fe in the middle.
func EUI64(mac MAC) [8]byte {
	return [8]byte{mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]}
}
