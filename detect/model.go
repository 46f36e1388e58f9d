// Package detect keeps an always-current view of the host's addresses and
// IPv6 prefixes (from netlink and router advertisements) and decides which
// address a record may publish.
package detect

import (
	"net/netip"
	"time"
)

// Address flags, as the kernel reports them (linux/if_addr.h IFA_F_*).
const (
	FlagTemporary   uint32 = 0x01
	FlagNoDAD       uint32 = 0x02
	FlagOptimistic  uint32 = 0x04
	FlagDADFailed   uint32 = 0x08
	FlagHomeAddress uint32 = 0x10
	FlagDeprecated  uint32 = 0x20
	FlagTentative   uint32 = 0x40
	FlagPermanent   uint32 = 0x80
	FlagManageTemp  uint32 = 0x100
	FlagNoPrefixRt  uint32 = 0x200
	FlagStablePriv  uint32 = 0x800
)

// Forever is the lifetime the kernel uses for "infinite".
const Forever = ^uint32(0)

// Addr is one address on a device.
type Addr struct {
	Prefix    netip.Prefix // address and prefix length
	Flags     uint32       // IFA_F_* flags
	Scope     uint8        // RT_SCOPE_* (0 = universe/global)
	Preferred uint32       // preferred lifetime in seconds at Seen; Forever = infinite
	Valid     uint32       // valid lifetime in seconds at Seen; Forever = infinite
	Seen      time.Time    // when the kernel last told us about it
}

// Addr returns the bare address.
func (a Addr) Addr() netip.Addr { return a.Prefix.Addr() }

// RAPrefix is a prefix-information option heard in a router advertisement.
// In a Watcher's Snapshot the lifetimes are what remains at Seen, the moment
// the snapshot was taken, so Preferred > 0 means "still preferred".
type RAPrefix struct {
	Prefix     netip.Prefix
	Router     netip.Addr // link-local source of the advert
	Autonomous bool       // A flag: hosts may form SLAAC addresses
	Preferred  uint32
	Valid      uint32
	Seen       time.Time
}

// Device is what we know about one network device.
type Device struct {
	Name       string
	Index      int        // ifindex; changes when the device is re-created (PPPoE redial)
	Up         bool       // IFF_UP and IFF_RUNNING: administratively up with carrier
	Addrs      []Addr     // sorted by address, then prefix length
	RAPrefixes []RAPrefix // from NDP, sorted by prefix, then router
	// Neighbours are the addresses of the LAN hosts the watcher tracks
	// (WatchOptions.HostMACs), live or remembered, in the order first seen.
	Neighbours []Neighbour
}

// Snapshot is an immutable copy of the model, keyed by device name.
type Snapshot map[string]Device
