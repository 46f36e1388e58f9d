package detect

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
)

// UbusPath is where OpenWrt installs the ubus CLI (package ubus, /bin/ubus).
// An absolute path: procd starts services with a minimal PATH, and a jail
// may have none.
const UbusPath = "/bin/ubus"

// Leases maps a LAN device to the DHCPv6 addresses odhcpd leased to each
// host, by the host's MAC address.
type Leases map[string]map[MAC][]netip.Addr

// ReadDHCPv6Leases asks odhcpd for its DHCPv6 leases:
// `ubus call dhcp ipv6leases`, run through the ubus CLI at ubus.
func ReadDHCPv6Leases(ctx context.Context, ubus string) (Leases, error) {
	stdout, code, msg, err := runUbusAt(ctx, ubus, "call", "dhcp", "ipv6leases")
	switch {
	case err != nil:
		return nil, fmt.Errorf("ubus call dhcp ipv6leases: %w", err)
	case code != 0:
		return nil, fmt.Errorf("ubus call dhcp ipv6leases: exit status %d: %s", code, msg)
	}
	return ParseIPv6Leases(stdout)
}

// ipv6Leases is the reply of odhcpd's ipv6leases method (odhcpd
// src/ubus.c handle_dhcpv6_leases): {"device": {IFNAME: {"leases": [...]}}},
// each lease with "duid" (hex), "iaid", "hostname", "flags", "ipv6-addr"
// (IA_NA) or "ipv6-prefix" (IA_PD) entries of {"address",
// "preferred-lifetime", "valid-lifetime"}, and "valid".
type ipv6Leases struct {
	Device map[string]struct {
		Leases []struct {
			DUID  string `json:"duid"`
			Addrs []struct {
				Address string `json:"address"`
			} `json:"ipv6-addr"`
		} `json:"leases"`
	} `json:"device"`
}

// ParseIPv6Leases reads the JSON of `ubus call dhcp ipv6leases`. A lease
// names its host by DUID only; hosts whose DUID carries their MAC address
// (DUID-LLT and DUID-LL with hardware type Ethernet, RFC 8415 11.2 and
// 11.4) are returned, others cannot be matched to a MAC and are skipped.
// Delegated prefixes (IA_PD) are not host addresses and are ignored.
func ParseIPv6Leases(b []byte) (Leases, error) {
	var r ipv6Leases
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("dhcp ipv6leases: %w", err)
	}
	out := Leases{}
	for dev, d := range r.Device {
		for _, l := range d.Leases {
			mac, ok := macFromDUID(l.DUID)
			if !ok {
				continue
			}
			for _, a := range l.Addrs {
				ip, err := netip.ParseAddr(a.Address)
				if err != nil || !ip.Is6() || ip.Zone() != "" {
					continue
				}
				if out[dev] == nil {
					out[dev] = map[MAC][]netip.Addr{}
				}
				out[dev][mac] = append(out[dev][mac], ip)
			}
		}
	}
	return out, nil
}

// macFromDUID extracts the link-layer address from a hex DUID: type 1
// (DUID-LLT: type, hardware type, 4-byte time, address) or type 3 (DUID-LL:
// type, hardware type, address) with hardware type 1 (Ethernet) and a
// 6-byte address.
func macFromDUID(s string) (MAC, bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) < 4 || b[2] != 0 || b[3] != 1 {
		return MAC{}, false
	}
	switch {
	case b[0] == 0 && b[1] == 1 && len(b) == 14:
		return MAC(b[8:14]), true
	case b[0] == 0 && b[1] == 3 && len(b) == 10:
		return MAC(b[4:10]), true
	}
	return MAC{}, false
}
