package e2e

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/state"
	"github.com/vishvananda/netlink"
)

// Each scenario drives the kernel of its own namespace the way OpenWrt does
// and checks the record at the fake and the number of write calls the
// daemon made. Waits are bounded polls on those outcomes.

const suffix = "::211:32ff:fe12:3456"

func checkWrites(t *testing.T, e *Env, want int, when string) {
	t.Helper()
	if w := e.Fake.Writes(); w != want {
		t.Errorf("%s: %d write calls, want %d; records: %v", when, w, want, e.Records())
	}
}

// TestAddressAddedThenRemoved: an address added with lifetimes the way
// netifd adds it costs exactly one write (a create); removing it with no
// replacement keeps the record as it is and says so in status.json.
func TestAddressAddedThenRemoved(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	e.AddLink("wan0")
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0"))
	d := e.Start()
	e.WaitNothingToPublish("nas6")

	e.NS.Run(t, "ip", "-6", "addr", "add", "2001:db8:1::10/64", "dev", "wan0", "preferred_lft", "3600", "valid_lft", "7200")
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")
	checkWrites(t, e, 1, "address added")
	if n := e.Fake.Calls(createAction[e.Kind]); n != 1 {
		t.Errorf("%d create calls, want 1", n)
	}

	e.NS.Run(t, "ip", "-6", "addr", "del", "2001:db8:1::10/64", "dev", "wan0")
	why := e.WaitNothingToPublish("nas6")
	t.Logf("status after removal: %s", why)
	checkWrites(t, e, 1, "address removed")
	assertValue(t, e, "nas", "AAAA", "2001:db8:1::10")
	if rs, _ := e.RecordStatus("nas6"); rs.Published != "2001:db8:1::10" {
		t.Errorf("status published = %q after removal, want the kept value", rs.Published)
	}
	d.Stop()
}

// createAction is the name of each API's create call.
var createAction = map[Kind]string{AliDNS: "AddDomainRecord", TencentCloud: "CreateRecord", QcloudCNS: "RecordCreate"}

// TestRenewalsCostNothing: netifd re-adds the same address with fresh
// lifetimes on every DHCPv6 renew; a thousand of them cost zero writes.
// A second record, changed afterwards, proves the daemon got through them:
// one worker handles a provider's records in order.
func TestRenewalsCostNothing(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, TencentCloud)
	e.AddLink("wan0")
	e.AddLink("wan1")
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0") +
		Record("marker", "name", "marker", "type", "AAAA", "device", "wan1"))
	d := e.Start()
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")
	checkWrites(t, e, 1, "first address")

	h := e.NS.Netlink(t)
	link, err := h.LinkByName("wan0")
	if err != nil {
		t.Fatal(err)
	}
	ipnet, _ := netlink.ParseIPNet("2001:db8:1::10/64")
	for i := range 1000 {
		a := &netlink.Addr{IPNet: ipnet, PreferedLft: 3600 - i, ValidLft: 7200 - i}
		if err := h.AddrReplace(link, a); err != nil {
			t.Fatalf("renew %d: %v", i, err)
		}
	}
	e.NS.AddrReplace(t, "wan1", "2001:db8:2::20/64", 3600, 7200)
	e.WaitPublished("marker", "marker", "AAAA", "2001:db8:2::20")
	checkWrites(t, e, 2, "1000 renewals then one new address on another record")
	assertValue(t, e, "nas", "AAAA", "2001:db8:1::10")
	d.Stop()
}

// TestPrefixChangeSequence: OpenWrt's prefix change re-adds the old address
// with preferred_lft 0 (deprecated, lingering) and adds the new one. The
// record follows with one write, although the new address is numerically
// higher than the lingering one.
func TestPrefixChangeSequence(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, QcloudCNS)
	e.AddLink("wan0")
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0"))
	d := e.Start()
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")

	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 0, 7200)
	e.NS.AddrReplace(t, "wan0", "2001:db8:2::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:2::10")
	checkWrites(t, e, 2, "create, then the prefix change")
	d.Stop()
}

// TestDeviceRecreated: the WAN device is deleted and created again under
// the same name (a new ifindex, as a PPPoE redial does) with a new address;
// the record follows.
func TestDeviceRecreated(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	e.AddLink("wan0")
	h := e.NS.Netlink(t)
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0"))
	d := e.Start()
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")
	before := ifindex(t, h, "wan0")

	e.NS.LinkDel(t, "wan0")
	e.WaitNothingToPublish("nas6")
	e.AddLink("wan0")
	if after := ifindex(t, h, "wan0"); after == before {
		t.Fatalf("recreated wan0 kept ifindex %d", after)
	}
	e.NS.AddrReplace(t, "wan0", "2001:db8:5::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:5::10")
	checkWrites(t, e, 2, "create, then the recreated device")
	d.Stop()
}

func ifindex(t *testing.T, h *netlink.Handle, dev string) int {
	t.Helper()
	l, err := h.LinkByName(dev)
	if err != nil {
		t.Fatalf("link %s: %v", dev, err)
	}
	return l.Attrs().Index
}

// TestPrefixBurst: 20 prefix changes while the daemon's call to the
// provider is held in flight cost at most two writes (the value in flight,
// then the newest) and the newest prefix is what gets published. The fake
// holds every request until the daemon has seen the last change, so the
// outcome does not depend on how fast the machine is.
func TestPrefixBurst(t *testing.T) {
	for _, tc := range []struct {
		name string
		gap  time.Duration // between changes
	}{
		{"spread", 40 * time.Millisecond},
		{"back-to-back", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, TencentCloud)
			e.AddLink("wan0")
			e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0"))
			d := e.Start()
			e.NS.AddrReplace(t, "wan0", "2001:db8:100::10/64", 3600, 7200)
			e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:100::10")
			base := e.Fake.Writes()

			release := make(chan struct{})
			e.OnArrive(func(*http.Request) { <-release })
			h := e.NS.Netlink(t)
			link, err := h.LinkByName("wan0")
			if err != nil {
				t.Fatal(err)
			}
			const changes = 20
			prev := "2001:db8:100::10/64"
			for i := 1; i <= changes; i++ {
				next := fmt.Sprintf("2001:db8:%x::10/64", 0x100+i)
				old, _ := netlink.ParseIPNet(prev)
				nw, _ := netlink.ParseIPNet(next)
				if err := h.AddrReplace(link, &netlink.Addr{IPNet: old, PreferedLft: 0, ValidLft: 7200}); err != nil {
					t.Fatal(err)
				}
				if err := h.AddrReplace(link, &netlink.Addr{IPNet: nw, PreferedLft: 3600, ValidLft: 7200}); err != nil {
					t.Fatal(err)
				}
				prev = next
				if tc.gap > 0 {
					time.Sleep(tc.gap)
				}
			}
			final := strings.TrimSuffix(prev, "/64")
			// The daemon has planned the last value (a call may be held).
			e.WaitStatus("nas6", "desired "+final, func(rs state.RecordStatus) bool { return rs.Desired == final })
			e.OnArrive(nil)
			close(release)
			e.WaitPublished("nas6", "nas", "AAAA", final)
			n := e.Fake.Writes() - base
			t.Logf("%d prefix changes cost %d write calls", changes, n)
			if n < 1 || n > 2 {
				t.Errorf("%d prefix changes cost %d writes, want 1 or 2", changes, n)
			}
			d.Stop()
		})
	}
}

// TestLANPrefixRecord: a prefix+suffix record for a LAN host follows the
// prefix of the LAN bridge (OpenWrt gives br-lan ::1 of the delegated
// prefix) when the delegation changes.
func TestLANPrefixRecord(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, QcloudCNS)
	e.AddLink("br-lan")
	e.WriteConfig(Record("printer", "name", "printer.home", "type", "AAAA", "source", "prefix", "device", "br-lan", "suffix", suffix))
	d := e.Start()
	e.NS.AddrReplace(t, "br-lan", "2001:db8:a:1::1/64", 3600, 7200)
	e.WaitPublished("printer", "printer.home", "AAAA", "2001:db8:a:1:211:32ff:fe12:3456")

	e.NS.AddrReplace(t, "br-lan", "2001:db8:a:1::1/64", 0, 7200)
	e.NS.AddrReplace(t, "br-lan", "2001:db8:b:1::1/64", 3600, 7200)
	e.WaitPublished("printer", "printer.home", "AAAA", "2001:db8:b:1:211:32ff:fe12:3456")
	checkWrites(t, e, 2, "create, then the new LAN prefix")
	d.Stop()
}

// TestARecordFromInterface: private (RFC 1918) and shared (CGNAT) IPv4
// addresses are never published; a public one (documentation range here)
// is, with one write.
func TestARecordFromInterface(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	e.AddLink("wan0")
	e.WriteConfig(Record("gw4", "name", "gw", "type", "A", "device", "wan0"))
	d := e.Start()
	for _, a := range []string{"192.168.1.2/24", "10.1.2.3/8", "100.64.0.5/10", "172.16.9.9/12"} {
		e.NS.Run(t, "ip", "addr", "add", a, "dev", "wan0")
	}
	// The public address comes last: had any private one been published,
	// a create of it would have come first, and the count would show it.
	e.NS.Run(t, "ip", "addr", "add", "198.51.100.7/24", "dev", "wan0")
	e.WaitPublished("gw4", "gw", "A", "198.51.100.7")
	checkWrites(t, e, 1, "four private addresses, then a public one")
	d.Stop()
}

// TestRouterAdvertSLAAC: a router in a second namespace sends real adverts;
// the kernel builds SLAAC addresses on the WAN device and an interface
// record follows them, including when the router replaces its prefix
// (old one advertised with preferred lifetime 0, new one added).
func TestRouterAdvertSLAAC(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0"))
	r := e.AddRouter("wan0", true)
	h := e.NS.Netlink(t)
	d := e.Start()

	inPrefix := func(prefix string) func() bool {
		p := netip.MustParsePrefix(prefix)
		return func() bool {
			v, ok := e.Value("nas", "AAAA")
			a, err := netip.ParseAddr(v)
			return ok && err == nil && p.Contains(a)
		}
	}
	r.AdvertiseUntil("the record is in 2001:db8:77::/64", inPrefix("2001:db8:77::/64"),
		PIO("2001:db8:77::/64", time.Hour, 2*time.Hour))
	checkKernelHas(t, e, h, "wan0")

	r.AdvertiseUntil("the record is in 2001:db8:78::/64", inPrefix("2001:db8:78::/64"),
		PIO("2001:db8:77::/64", 0, 2*time.Hour), PIO("2001:db8:78::/64", time.Hour, 2*time.Hour))
	v := checkKernelHas(t, e, h, "wan0")
	e.WaitPublished("nas6", "nas", "AAAA", v)
	checkWrites(t, e, 2, "first prefix, then the replacement")
	d.Stop()
}

// checkKernelHas asserts that the published value is one of the kernel's
// addresses on dev, and returns it.
func checkKernelHas(t *testing.T, e *Env, h *netlink.Handle, dev string) string {
	t.Helper()
	v, _ := e.Value("nas", "AAAA")
	for _, a := range e.KernelAddrs(h, dev) {
		if a.String() == v {
			return v
		}
	}
	t.Errorf("published %s is not an address of %s: %v", v, dev, e.KernelAddrs(h, dev))
	return v
}

// TestRouterAdvertPrefixRecord: with SLAAC off on the WAN device
// (autoconf=0, so no address is built) a prefix+suffix record still follows
// the advertised prefix, through the daemon's own NDP listener.
func TestRouterAdvertPrefixRecord(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, TencentCloud)
	e.WriteConfig(Record("host", "name", "host", "type", "AAAA", "source", "prefix", "device", "wan0", "suffix", suffix))
	r := e.AddRouter("wan0", false)
	h := e.NS.Netlink(t)
	d := e.Start()

	is := func(v string) func() bool {
		return func() bool { got, ok := e.Value("host", "AAAA"); return ok && got == v }
	}
	r.AdvertiseUntil("host = 2001:db8:77::suffix", is("2001:db8:77:0:211:32ff:fe12:3456"),
		PIO("2001:db8:77::/64", time.Hour, 2*time.Hour))
	if a := e.KernelAddrs(h, "wan0"); len(a) != 0 {
		t.Errorf("autoconf=0 but the kernel built %v", a)
	}
	r.AdvertiseUntil("host = 2001:db8:78::suffix", is("2001:db8:78:0:211:32ff:fe12:3456"),
		PIO("2001:db8:77::/64", 0, 2*time.Hour), PIO("2001:db8:78::/64", time.Hour, 2*time.Hour))
	e.WaitPublished("host", "host", "AAAA", "2001:db8:78:0:211:32ff:fe12:3456")
	checkWrites(t, e, 2, "first prefix, then the replacement")
	d.Stop()
}

// TestDryRun: `run --dry-run` sends nothing to the provider and logs what it
// would do, also for changes while it runs.
func TestDryRun(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, QcloudCNS)
	e.AddLink("wan0")
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200)
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0") +
		Record("web", "name", "www", "type", "A", "source", "static", "value", "192.0.2.80"))
	d := e.Start("--dry-run")
	d.WaitLogLine("dry-run: would", "nas.example.com", "2001:db8:1::10")
	d.WaitLogLine("dry-run: would", "www.example.com", "192.0.2.80")
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 0, 7200)
	e.NS.AddrReplace(t, "wan0", "2001:db8:2::10/64", 3600, 7200)
	d.WaitLogLine("dry-run: would", "nas.example.com", "2001:db8:2::10")
	d.Stop()
	if st, _ := e.Status(); !st.DryRun {
		t.Errorf("status.json does not say dry run")
	}
	if n := e.Requests(); n != 0 {
		t.Errorf("%d requests reached the provider in a dry run", n)
	}
	if n := len(e.Records()); n != 0 {
		t.Errorf("records at the fake after a dry run: %v", e.Records())
	}
}
