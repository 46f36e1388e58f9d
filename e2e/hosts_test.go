package e2e

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/ndp"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/eddns/eddns/internal/netnstest"
)

// The scenarios here follow LAN hosts by MAC address (source 'host'). The
// Env's namespace is the router: br-lan with the delegated prefix's
// <prefix>::1 (as netifd puts it there) and 192.168.50.1/24. Each host is a
// namespace of its own behind a veth port of br-lan, with a known MAC,
// forming its addresses from the router's adverts the way a real host does
// (EUI-64 plus RFC 8981 temporary addresses). The router learns a host's
// addresses in its neighbour table only when the host talks, exactly as on
// OpenWrt.

const (
	lanDev   = "br-lan"
	nasMAC   = "02:11:32:12:34:56"
	prefix1  = "2001:db8:1:10:" // + the 64 low bits
	prefix2  = "2001:db8:1:20:"
	nasEUI64 = "11:32ff:fe12:3456"
)

// lan is the router side of the LAN.
type lan struct {
	t     *testing.T
	e     *Env
	ports int
	conn  *ndp.Conn // sends router adverts on br-lan
	mac   net.HardwareAddr
}

func newLAN(t *testing.T, e *Env) *lan {
	t.Helper()
	e.NS.Run(t, "ip", "link", "add", lanDev, "type", "bridge")
	e.NS.Sysctl(t, "net/ipv6/conf/"+lanDev+"/accept_dad", "0")
	e.NS.Sysctl(t, "net/ipv6/conf/"+lanDev+"/accept_ra", "0") // a router: OpenWrt forwards
	e.NS.LinkUp(t, lanDev)
	e.NS.AddrReplace(t, lanDev, prefix1+":1/64", 3600, 7200)
	e.NS.Run(t, "ip", "addr", "add", "192.168.50.1/24", "dev", lanDev)
	return &lan{t: t, e: e}
}

// host is a LAN host in its own namespace.
type host struct {
	ns  *netnstest.NS
	mac string
}

// addHost plugs a new host with mac into br-lan; with temp it also makes
// RFC 8981 temporary addresses (use_tempaddr 2).
func (l *lan) addHost(mac string, temp bool) *host {
	t := l.t
	t.Helper()
	hns := netnstest.New(t)
	port := fmt.Sprintf("lan%d", l.ports)
	l.ports++
	l.e.NS.AddVethTo(t, port, hns, "h0")
	l.e.NS.Run(t, "ip", "link", "set", port, "master", lanDev)
	l.e.NS.LinkUp(t, port)
	hns.Run(t, "ip", "link", "set", "h0", "address", mac)
	tempaddr := "0"
	if temp {
		tempaddr = "2"
	}
	for k, v := range map[string]string{"accept_ra": "1", "autoconf": "1", "accept_dad": "0", "addr_gen_mode": "0", "use_tempaddr": tempaddr} {
		hns.Sysctl(t, "net/ipv6/conf/h0/"+k, v)
	}
	hns.LinkUp(t, "h0")
	return &host{ns: hns, mac: mac}
}

// advertise sends router adverts on br-lan until cond holds.
func (l *lan) advertise(what string, cond func() bool, pios ...*ndp.PrefixInformation) {
	t := l.t
	t.Helper()
	if l.conn == nil {
		l.e.WaitFor(lazy(func() any { return "br-lan's link-local address" }), func() bool {
			return l.e.NS.Do(t, func() error {
				ifi, err := net.InterfaceByName(lanDev)
				if err != nil {
					return err
				}
				l.conn, _, err = ndp.Listen(ifi, ndp.LinkLocal)
				l.mac = ifi.HardwareAddr
				return err
			}) == nil
		})
		t.Cleanup(func() { l.conn.Close() })
	}
	deadline := time.Now().Add(Wait)
	for !cond() {
		ra := &ndp.RouterAdvertisement{CurrentHopLimit: 64, RouterLifetime: 30 * time.Minute,
			Options: []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: l.mac}}}
		for _, p := range pios {
			ra.Options = append(ra.Options, p)
		}
		if err := l.conn.WriteTo(ra, nil, netip.IPv6LinkLocalAllNodes()); err != nil {
			t.Fatalf("send router advert: %v", err)
		}
		for range 10 {
			if cond() {
				return
			}
			time.Sleep(pollEvery)
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v advertising until %s\nrouter:\n%s\n%s", Wait, what,
				l.e.NS.Run(t, "ip", "-6", "addr"), l.e.NS.Run(t, "bridge", "link"))
		}
	}
}

// addrs returns the host's global IPv6 addresses on h0; temporary ones
// (IFA_F_TEMPORARY) apart.
func (h *host) addrs(t *testing.T) (stable, temp []netip.Addr) {
	t.Helper()
	nh := h.ns.Netlink(t)
	link, err := nh.LinkByName("h0")
	if err != nil {
		t.Fatal(err)
	}
	list, err := nh.AddrList(link, netlink.FAMILY_V6)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		ip, _ := netip.AddrFromSlice(a.IP)
		if !ip.IsGlobalUnicast() || a.Flags&(unix.IFA_F_DEPRECATED|unix.IFA_F_TENTATIVE) != 0 || a.PreferedLft == 0 {
			continue
		}
		if a.Flags&unix.IFA_F_TEMPORARY != 0 {
			temp = append(temp, ip)
		} else {
			stable = append(stable, ip)
		}
	}
	return stable, temp
}

// has reports whether the host holds a usable address with prefix p.
func (h *host) has(t *testing.T, p string, temp bool) func() bool {
	return func() bool {
		s, tm := h.addrs(t)
		if temp {
			s = tm
		}
		for _, a := range s {
			if strings.HasPrefix(a.String(), p) {
				return true
			}
		}
		return false
	}
}

// say sends one UDP datagram from src to the router: the host talks, so the
// router's neighbour table learns src (from the host's neighbour
// solicitation or ARP request) with the host's MAC.
func (h *host) say(t *testing.T, src, dst string) {
	t.Helper()
	err := h.ns.Do(t, func() error {
		c, err := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(src)}, &net.UDPAddr{IP: net.ParseIP(dst), Port: 9})
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte("hello"))
		return err
	})
	if err != nil {
		t.Fatalf("host %s: send from %s: %v", h.mac, src, err)
	}
}

// neighbour returns the router's neighbour entry for ip on br-lan.
func (l *lan) neighbour(t *testing.T, ip string) (netlink.Neigh, bool) {
	t.Helper()
	nh := l.e.NS.Netlink(t)
	link, err := nh.LinkByName(lanDev)
	if err != nil {
		t.Fatal(err)
	}
	list, err := nh.NeighList(link.Attrs().Index, netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.IP.Equal(net.ParseIP(ip)) && len(n.HardwareAddr) == 6 {
			return n, true
		}
	}
	return netlink.Neigh{}, false
}

func hostRecord(section, name, typ, prefer string) string {
	opts := []string{"name", name, "type", typ, "source", "host", "mac", nasMAC, "device", lanDev}
	if prefer != "" {
		opts = append(opts, "prefer", prefer)
	}
	return Record(section, opts...)
}

// TestLANHostByMAC follows one host through its life: EUI-64 and temporary
// addresses, IPv4, neighbour-state churn, privacy-address churn, a prefix
// change on the WAN side (the router re-numbers br-lan as netifd does and
// the host re-numbers after the advert), and the host leaving.
func TestLANHostByMAC(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	l := newLAN(t, e)
	h := l.addHost(nasMAC, true)
	h.ns.Run(t, "ip", "addr", "add", "192.168.50.10/24", "dev", "h0")
	e.WriteConfig(hostRecord("nas6", "nas", "AAAA", "stable") +
		hostRecord("nastmp", "nas-tmp", "AAAA", "temporary") +
		hostRecord("nas4", "nas", "A", ""))

	// The host forms EUI-64 and temporary addresses from the advert.
	defer func() {
		if t.Failed() {
			t.Logf("host:\n%s", h.ns.Run(t, "ip", "-6", "addr"))
		}
	}()
	l.advertise("the host's EUI-64 and temporary addresses",
		func() bool { return h.has(t, prefix1+nasEUI64, false)() && h.has(t, prefix1, true)() },
		PIO(prefix1+":/64", time.Hour, 2*time.Hour))
	eui1 := prefix1 + nasEUI64
	_, temps := h.addrs(t)
	tmp1 := temps[0].String()
	// It talks from both, and over IPv4.
	h.say(t, tmp1, prefix1+":1")
	h.say(t, eui1, prefix1+":1")
	h.say(t, "192.168.50.10", "192.168.50.1")
	// The daemon starts now: it must find the host in its first dump of
	// the neighbour table.
	d := e.Start()
	e.WaitPublished("nas6", "nas", "AAAA", eui1)
	e.WaitPublished("nastmp", "nas-tmp", "AAAA", tmp1)
	e.WaitPublished("nas4", "nas", "A", "192.168.50.10")
	checkWrites(t, e, 3, "host seen")

	t.Run("neighbour state churn costs nothing", func(t *testing.T) {
		before, writes := e.Requests(), e.Fake.Writes()
		for i := range 40 {
			state := []string{"stale", "reachable", "delay", "probe"}[i%4]
			e.NS.Run(t, "ip", "neigh", "change", eui1, "lladdr", nasMAC, "dev", lanDev, "nud", state)
			e.NS.Run(t, "ip", "neigh", "change", "192.168.50.10", "lladdr", nasMAC, "dev", lanDev, "nud", state)
		}
		// Then a new privacy address (a manual one: the kernel cannot be
		// made to rotate on demand). The events arrive in order on one
		// socket, so once its write is seen the churn has been handled.
		// prefer stable ignores it; prefer temporary follows the newest.
		tmpNew := prefix1 + "abcd:1234:5678:9abc"
		h.ns.Run(t, "ip", "addr", "add", tmpNew+"/64", "dev", "h0", "nodad")
		h.say(t, tmpNew, prefix1+":1")
		e.WaitPublished("nastmp", "nas-tmp", "AAAA", tmpNew)
		if n := e.Requests() - before; n != 1 {
			t.Errorf("40 neighbour state changes and one new privacy address made %d provider requests, want 1 (nas-tmp)", n)
		}
		if w := e.Fake.Writes() - writes; w != 1 {
			t.Errorf("%d writes, want 1", w)
		}
		assertValue(t, e, "nas", "AAAA", eui1)
		assertValue(t, e, "nas", "A", "192.168.50.10")
	})

	t.Run("prefix change: derived at once, confirmed when seen", func(t *testing.T) {
		writes := e.Fake.Writes()
		// netifd: the new prefix's address on br-lan, the old one re-added
		// with preferred lifetime 0 (openwrt.md 6.2).
		e.NS.AddrReplace(t, lanDev, prefix2+":1/64", 3600, 7200)
		e.NS.AddrReplace(t, lanDev, prefix1+":1/64", 0, 7200)
		eui2 := prefix2 + nasEUI64
		// Before the host has heard of the new prefix, the record follows:
		// new prefix + the host's EUI-64 interface identifier.
		e.WaitPublished("nas6", "nas", "AAAA", eui2)
		if _, heard := h.addrs(t); h.has(t, eui2, false)() {
			t.Fatalf("host already had %s (temporary %v): the derivation was not tested", eui2, heard)
		}
		// The host re-numbers after the advert and is seen under it: no
		// further write for the stable record.
		l.advertise("the host's new EUI-64 address", h.has(t, eui2, false),
			PIO(prefix2+":/64", time.Hour, 2*time.Hour), PIO(prefix1+":/64", 0, 2*time.Hour))
		h.say(t, eui2, prefix2+":1")
		e.WaitFor(lazy(func() any { return "the router to see the host under the new prefix" }), func() bool {
			_, ok := l.neighbour(t, eui2)
			return ok
		})
		// The temporary record moves to a temporary address of the new
		// prefix once the host uses one.
		e.WaitFor(lazy(func() any { return "a temporary address under the new prefix" }), h.has(t, prefix2, true))
		_, temps := h.addrs(t)
		var tmp2 string
		for _, a := range temps {
			if strings.HasPrefix(a.String(), prefix2) {
				tmp2 = a.String()
			}
		}
		h.say(t, tmp2, prefix2+":1")
		e.WaitPublished("nastmp", "nas-tmp", "AAAA", tmp2)
		assertValue(t, e, "nas", "AAAA", eui2)
		// One write for nas6 (the derived value, confirmed without another
		// write); nas-tmp moved once or twice (derived from its newest
		// privacy address, then the host's real new temporary address).
		if w := e.Fake.Writes() - writes; w < 2 || w > 3 {
			t.Errorf("%d writes for the prefix change, want 1 (nas6) + 1 or 2 (nas-tmp)\n%s\n%s", w, e.StatusJSON(), d.Log())
		}
	})

	t.Run("host leaves: the record keeps its value", func(t *testing.T) {
		writes := e.Fake.Writes()
		h.ns.Run(t, "ip", "link", "set", "h0", "down")
		e.NS.Run(t, "ip", "neigh", "flush", "dev", lanDev) // the entries age out
		e.WaitFor(lazy(func() any { return "the neighbour entries to go" }), func() bool {
			_, ok := l.neighbour(t, prefix2+nasEUI64)
			return !ok
		})
		time.Sleep(300 * time.Millisecond)
		if w := e.Fake.Writes() - writes; w != 0 {
			t.Errorf("host leaving caused %d writes, want 0", w)
		}
		rs, _ := e.RecordStatus("nas6")
		if rs.Desired != prefix2+nasEUI64 {
			t.Errorf("desired after the host left = %q (%s), want the last good value", rs.Desired, rs.DesiredReason)
		}
		assertValue(t, e, "nas", "A", "192.168.50.10")
	})
	d.Stop()
}

// TestFiftyLANHosts: 50 hosts appear in the router's neighbour table at
// once (the burst after a router reboot, when every host answers); each of
// 50 records gets its host's address with exactly one write.
func TestFiftyLANHosts(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	l := newLAN(t, e)
	l.addHost("02:00:00:00:00:01", false) // one real port, so br-lan has carrier
	var cfg strings.Builder
	mac := func(i int) string { return fmt.Sprintf("02:00:00:00:01:%02x", i) }
	for i := range 50 {
		cfg.WriteString(Record(fmt.Sprintf("h%02d", i), "name", fmt.Sprintf("h%02d", i), "type", "AAAA",
			"source", "host", "mac", mac(i)))
	}
	e.WriteConfig(cfg.String())
	d := e.Start()
	// The kernel's table, filled the way a reply burst fills it.
	var batch strings.Builder
	for i := range 50 {
		fmt.Fprintf(&batch, "neigh replace %s:%x lladdr %s dev %s nud reachable\n", prefix1, 0x100+i, mac(i), lanDev)
	}
	e.NS.Run(t, "sh", "-c", "ip -batch - <<'EOF'\n"+batch.String()+"EOF\n")
	for i := range 50 {
		e.WaitPublished(fmt.Sprintf("h%02d", i), fmt.Sprintf("h%02d", i), "AAAA", fmt.Sprintf("%s:%x", prefix1, 0x100+i))
	}
	checkWrites(t, e, 50, "50 hosts")
	d.Stop()
}

// leasesStubScript stands in for /bin/ubus for `ubus call dhcp ipv6leases`:
// it prints ipv6leases.json next to it, the reply of odhcpd's
// handle_dhcpv6_leases (src/ubus.c); without that file it answers as ubus
// does when no "dhcp" object is registered (odhcpd not running): "Command
// failed: Not found", exit status UBUS_STATUS_NOT_FOUND (4).
const leasesStubScript = `#!/bin/sh
if [ "$1 $2 $3" != "call dhcp ipv6leases" ]; then
	echo "Usage: ubus [<options>] <command> [arguments...]" >&2
	exit 254
fi
f="$(dirname "$0")/ipv6leases.json"
if [ ! -f "$f" ]; then
	echo "Command failed: Not found" >&2
	exit 4
fi
cat "$f"
`

// TestLANHostDHCPv6Lease: a host known only by a privacy address gets that
// published; once odhcpd leases it an address (its DUID-LL carries the
// MAC), prefer stable moves the record to the leased address. Without
// odhcpd (ubus says Not found) the neighbour table alone is used.
func TestLANHostDHCPv6Lease(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	l := newLAN(t, e)
	l.addHost("02:00:00:00:00:01", false) // a port, so br-lan has carrier
	bin := filepath.Join(e.Dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "ubus"), []byte(leasesStubScript), 0o755); err != nil {
		t.Fatal(err)
	}
	e.Environ = append(e.Environ, "EDDNS_UBUS="+filepath.Join(bin, "ubus"))
	e.WriteConfig(hostRecord("nas6", "nas", "AAAA", "stable"))
	privacy := prefix1 + "aaaa:bbbb:cccc:dddd"
	e.NS.Run(t, "ip", "neigh", "replace", privacy, "lladdr", nasMAC, "dev", lanDev, "nud", "reachable")
	d := e.Start()
	e.WaitPublished("nas6", "nas", "AAAA", privacy)

	leased := prefix1 + ":7b"
	lease := `{"device":{"br-lan":{"leases":[{"duid":"00030001` + strings.ReplaceAll(nasMAC, ":", "") +
		`","iaid":1,"hostname":"nas","accept-reconf":false,"assigned":123,"flags":["bound"],` +
		`"ipv6-addr":[{"address":"` + leased + `","preferred-lifetime":3600,"valid-lifetime":7200}],"valid":7200}]}}}`
	if err := os.WriteFile(filepath.Join(bin, "ipv6leases.json"), []byte(lease), 0o644); err != nil {
		t.Fatal(err)
	}
	// The leases are read again after a neighbour change, e.g. the host
	// answering from its new address.
	e.NS.Run(t, "ip", "neigh", "replace", leased, "lladdr", nasMAC, "dev", lanDev, "nud", "reachable")
	e.WaitPublished("nas6", "nas", "AAAA", leased)
	checkWrites(t, e, 2, "privacy, then the leased address")
	d.Stop()
}

// TestLANHostDHCPv4Lease: a host that has not talked since the router
// started has no neighbour entry, but dnsmasq leased it an address: its A
// record gets that (the lease file the init script names with
// --dhcp-leasefile). Once the host is heard live from another address, the
// neighbour table wins.
func TestLANHostDHCPv4Lease(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	l := newLAN(t, e)
	l.addHost("02:00:00:00:00:01", false) // a port, so br-lan has carrier
	leaseFile := filepath.Join(e.Dir, "dhcp.leases")
	// dnsmasq src/lease.c lease_update_file: "<expiry> <MAC> <IPv4> <name> <client-id>".
	leases := "1796364000 02:00:00:00:00:01 192.168.50.11 other *\n" +
		"1796364000 " + nasMAC + " 192.168.50.23 nas 01:" + nasMAC + "\n"
	if err := os.WriteFile(leaseFile, []byte(leases), 0o644); err != nil {
		t.Fatal(err)
	}
	e.WriteConfig(hostRecord("nas4", "nas", "A", ""))
	d := e.Start("--dhcp-leasefile", leaseFile)
	e.WaitPublished("nas4", "nas", "A", "192.168.50.23")

	e.NS.Run(t, "ip", "neigh", "replace", "192.168.50.30", "lladdr", nasMAC, "dev", lanDev, "nud", "reachable")
	e.WaitPublished("nas4", "nas", "A", "192.168.50.30")
	checkWrites(t, e, 2, "the leased address, then the live one")
	d.Stop()
}
