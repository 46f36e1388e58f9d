package detect_test

import (
	"fmt"
	"net/netip"

	"github.com/eddns/eddns/detect"
)

// After a prefix change on OpenWrt the old LAN address lingers deprecated
// (preferred lifetime 0) next to the new one; only the new one is published.
func ExampleSelect() {
	addrs := []detect.Addr{
		{Prefix: netip.MustParsePrefix("2001:db8:1::211:32ff:fe12:3456/64"), Preferred: 0, Valid: 7000},
		{Prefix: netip.MustParsePrefix("2001:db8:2::211:32ff:fe12:3456/64"), Preferred: 3600, Valid: 7200},
		{Prefix: netip.MustParsePrefix("2001:db8:2::1d3a:99c0:1/64"), Flags: detect.FlagTemporary, Preferred: 3600, Valid: 7200},
		{Prefix: netip.MustParsePrefix("fe80::211:32ff:fe12:3456/64"), Scope: 253, Preferred: detect.Forever, Valid: detect.Forever},
	}
	stable, _ := detect.Select(addrs, "AAAA", "stable")
	temp, _ := detect.Select(addrs, "AAAA", "temporary")
	fmt.Println(stable)
	fmt.Println(temp)
	// Output:
	// 2001:db8:2:0:211:32ff:fe12:3456
	// 2001:db8:2::1d3a:99c0:1
}

// A record with `option source 'prefix'` publishes a fixed host part on
// whatever prefix is live.
func ExampleJoinSuffix() {
	dev := detect.Device{RAPrefixes: []detect.RAPrefix{
		{Prefix: netip.MustParsePrefix("2001:db8:ab00:10::/64"), Autonomous: true, Preferred: 1800, Valid: 3600},
	}}
	p, _ := detect.LivePrefix(dev)
	fmt.Println(detect.JoinSuffix(p, netip.MustParseAddr("::211:32ff:fe12:3456")))
	// Output: 2001:db8:ab00:10:211:32ff:fe12:3456
}
