package config

import (
	"net"
	"strings"
)

// DefaultHostDevice is the LAN device of a source=host record without
// option device: OpenWrt's default LAN bridge (config_generate).
const DefaultHostDevice = "br-lan"

// NormalizeMAC accepts a 48-bit MAC address written with ':' or '-'
// separators (one kind throughout) in either case and returns it as aa:bb:cc:dd:ee:ff. The
// all-zero, broadcast and multicast addresses are refused: no LAN host has
// them.
func NormalizeMAC(s string) (string, bool) {
	if len(s) != 17 || (s[2] != ':' && s[2] != '-') {
		return "", false
	}
	for i := 5; i < len(s); i += 3 {
		if s[i] != s[2] { // one separator throughout
			return "", false
		}
	}
	hw, err := net.ParseMAC(strings.ReplaceAll(s, "-", ":"))
	if err != nil || len(hw) != 6 || hw[0]&1 != 0 || string(hw) == "\x00\x00\x00\x00\x00\x00" {
		return "", false
	}
	return hw.String(), true
}
