package planner

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/detect"
)

func addr(p string, flags uint32, preferred uint32) detect.Addr {
	return detect.Addr{Prefix: netip.MustParsePrefix(p), Flags: flags, Preferred: preferred, Valid: detect.Forever}
}

func TestPlan(t *testing.T) {
	snap := detect.Snapshot{
		"pppoe-wan": {Name: "pppoe-wan", Index: 9, Up: true, Addrs: []detect.Addr{
			addr("100.64.3.4/32", 0, detect.Forever),      // CGNAT: never an A value
			addr("2001:db8:0:1::5/64", 0, detect.Forever), // stable
			addr("2001:db8:0:1::abcd/64", detect.FlagTemporary, 3600),
			addr("fe80::1/64", 0, detect.Forever),
		}},
		"br-lan": {Name: "br-lan", Index: 3, Up: true, Addrs: []detect.Addr{
			addr("2001:db8:aaaa:10::1/64", 0, 0),                        // old prefix, deprecated: lingers for 2 h
			addr("2001:db8:bbbb:10::1/64", detect.FlagNoPrefixRt, 7200), // new prefix
			addr("192.168.1.1/24", 0, detect.Forever),
		}},
		"eth1": {Name: "eth1", Index: 4, Up: true, Addrs: []detect.Addr{
			addr("198.51.100.7/24", 0, detect.Forever),
		}},
	}
	in := Inputs{
		Snapshot:     snap,
		Networks:     map[string]string{"wan6": "pppoe-wan"},
		NetworkErrs:  map[string]string{"wan": "ubus not found"},
		PublicIP:     map[string]netip.Addr{"p/v4.example.com/A": netip.MustParseAddr("203.0.113.9")},
		PublicIPErrs: map[string]string{"p/v4fail.example.com/A": "all echo services failed"},
	}
	suffix := netip.MustParseAddr("::211:32ff:fe12:3456")
	cases := []struct {
		name string
		rec  config.Record
		want string // value, or "!" + reason substring
	}{
		{"static", config.Record{Source: "static", Value: netip.MustParseAddr("192.0.2.1"), Type: "A"}, "192.0.2.1"},
		{"interface stable AAAA", config.Record{Source: "interface", Device: "pppoe-wan", Type: "AAAA", Prefer: "stable"}, "2001:db8:0:1::5"},
		{"interface temporary AAAA", config.Record{Source: "interface", Device: "pppoe-wan", Type: "AAAA", Prefer: "temporary"}, "2001:db8:0:1::abcd"},
		{"network resolved through ubus", config.Record{Source: "interface", Network: "wan6", Type: "AAAA", Prefer: "stable"}, "2001:db8:0:1::5"},
		{"network not resolvable", config.Record{Source: "interface", Network: "wan", Type: "AAAA"}, "!ubus not found"},
		{"A skips CGNAT", config.Record{Source: "interface", Device: "pppoe-wan", Type: "A"}, "!no usable IPv4 address on pppoe-wan"},
		{"A skips private", config.Record{Source: "interface", Device: "br-lan", Type: "A"}, "!no usable IPv4"},
		{"A public", config.Record{Source: "interface", Device: "eth1", Type: "A"}, "198.51.100.7"},
		{"missing device", config.Record{Source: "interface", Device: "wwan0", Type: "AAAA"}, "!device wwan0 does not exist"},
		{"prefix+suffix follows the new LAN prefix, never the deprecated one", config.Record{Source: "prefix", Device: "br-lan", Type: "AAAA", Suffix: suffix}, "2001:db8:bbbb:10:211:32ff:fe12:3456"},
		{"url answered", config.Record{Source: "url", Provider: "p", Zone: "example.com", Name: "v4", Type: "A"}, "203.0.113.9"},
		{"url failed", config.Record{Source: "url", Provider: "p", Zone: "example.com", Name: "v4fail", Type: "A"}, "!all echo services failed"},
		{"url not yet", config.Record{Source: "url", Provider: "p", Zone: "example.com", Name: "v4new", Type: "A"}, "!not fetched yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Plan(&c.rec, in)
			if c.want[0] == '!' {
				if got.OK() || !strings.Contains(got.Reason, c.want[1:]) {
					t.Fatalf("Plan = %v; want no value because %q", got, c.want[1:])
				}
				return
			}
			if !got.OK() || got.Value.String() != c.want {
				t.Fatalf("Plan = %v; want %s", got, c.want)
			}
		})
	}
}
