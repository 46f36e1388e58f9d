package config

import (
	"net"
	"strings"
)

// DefaultHostDevice is the LAN device of a source=host record without
// option device: OpenWrt's default LAN bridge (config_generate).
const DefaultHostDevice = "br-lan"

// NormalizeMAC accepts a 48-bit MAC address written with ':' or '-'
// separators in either case and returns it as aa:bb:cc:dd:ee:ff. The
// all-zero, broadcast and multicast addresses are refused: no LAN host has
// them.
func NormalizeMAC(s string) (string, bool) {
	if len(s) != 17 {
		return "", false
	}
	hw, err := net.ParseMAC(strings.ReplaceAll(s, "-", ":"))
	if err != nil || len(hw) != 6 || hw[0]&1 != 0 || string(hw) == "\x00\x00\x00\x00\x00\x00" {
		return "", false
	}
	return hw.String(), true
}
