package detect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/eddns/eddns/uci"
)

// Leases4 maps a LAN host's MAC address to the IPv4 addresses a DHCP server
// on the router leased to it. Unlike Leases it is not keyed by device: the
// dnsmasq lease file does not say which LAN a lease is on; the subnets of a
// device tell (see SelectHost).
type Leases4 map[MAC][]netip.Addr

// DefaultDnsmasqLeaseFile is where OpenWrt's dnsmasq keeps its DHCPv4
// leases unless `option leasefile` of its 'dnsmasq' section says otherwise
// (package dnsmasq, files/dhcp.conf and dnsmasq.init: --dhcp-leasefile).
const DefaultDnsmasqLeaseFile = "/tmp/dhcp.leases"

// maxLeaseFile bounds what is read of a lease file: a /24 of leases is
// about 20 kB.
const maxLeaseFile = 4 << 20

// DnsmasqLeaseFiles returns the lease files of the dnsmasq instances in the
// UCI file dhcpConfig (/etc/config/dhcp): each 'dnsmasq' section's
// `option leasefile`, or DefaultDnsmasqLeaseFile for a section without one
// and when the file is missing or unreadable.
func DnsmasqLeaseFiles(dhcpConfig string) []string {
	data, err := os.ReadFile(dhcpConfig)
	if err != nil {
		return []string{DefaultDnsmasqLeaseFile}
	}
	f, err := uci.Parse(dhcpConfig, data)
	if err != nil {
		return []string{DefaultDnsmasqLeaseFile}
	}
	var out []string
	for _, s := range f.SectionsOfType("dnsmasq") {
		p := DefaultDnsmasqLeaseFile
		if o := s.Option("leasefile"); o != nil && o.Value() != "" {
			p = o.Value()
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = append(out, DefaultDnsmasqLeaseFile)
	}
	return out
}

// ParseDnsmasqLeases reads a dnsmasq lease file: one DHCPv4 lease a line,
// "<expiry> <MAC> <IPv4> <hostname|*> <client-id|*>" (dnsmasq src/lease.c
// lease_update_file). The file then holds the server's DUID and the DHCPv6
// leases, which have an IAID where the MAC is and are skipped here, as are
// hardware types other than Ethernet ("<type>-" before the address) and
// malformed lines.
func ParseDnsmasqLeases(r io.Reader) (Leases4, error) {
	out := Leases4{}
	sc := bufio.NewScanner(io.LimitReader(r, maxLeaseFile))
	sc.Buffer(make([]byte, 0, 512), 4096)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] == "duid" {
			continue
		}
		mac, ok := ParseMAC(f[1])
		if !ok {
			continue
		}
		ip, err := netip.ParseAddr(f[2])
		if err != nil || !ip.Is4() {
			continue
		}
		out.add(mac, ip)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dnsmasq leases: %w", err)
	}
	return out, nil
}

func (l Leases4) add(mac MAC, ip netip.Addr) {
	for _, a := range l[mac] {
		if a == ip {
			return
		}
	}
	l[mac] = append(l[mac], ip)
}

// ipv4Leases is the reply of odhcpd's ipv4leases method (odhcpd src/ubus.c
// handle_dhcpv4_leases, built with DHCPV4_SUPPORT): {"device": {IFNAME:
// {"leases": [...]}}}, each lease with "mac" (12 hex digits, no colons),
// "address", "hostname", "flags" and "valid"; expired leases are left out.
type ipv4Leases struct {
	Device map[string]struct {
		Leases []struct {
			MAC     string `json:"mac"`
			Address string `json:"address"`
		} `json:"leases"`
	} `json:"device"`
}

// ParseIPv4Leases reads the JSON of `ubus call dhcp ipv4leases`.
func ParseIPv4Leases(b []byte) (Leases4, error) {
	var r ipv4Leases
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("dhcp ipv4leases: %w", err)
	}
	out := Leases4{}
	for _, d := range r.Device {
		for _, l := range d.Leases {
			raw, err := hex.DecodeString(l.MAC)
			if err != nil || len(raw) != 6 {
				continue
			}
			ip, err := netip.ParseAddr(l.Address)
			if err != nil || !ip.Is4() {
				continue
			}
			out.add(MAC(raw), ip)
		}
	}
	return out, nil
}

// ReadDHCPv4Leases gathers the DHCPv4 leases of the router's DHCP servers:
// the dnsmasq lease files and, when odhcpd serves DHCPv4, `ubus call dhcp
// ipv4leases` through the ubus CLI at ubus (skipped when ubus is ""). A
// missing file or an odhcpd without the method is no error: the router may
// run either server or none. The error is that of a source that exists
// but could not be read; what the others gave is still returned.
func ReadDHCPv4Leases(ctx context.Context, ubus string, files []string) (Leases4, error) {
	out := Leases4{}
	var errs []error
	for _, p := range files {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l, err := ParseDnsmasqLeases(f)
		f.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		out.merge(l)
	}
	if ubus != "" {
		if stdout, code, _, err := runUbusAt(ctx, ubus, "call", "dhcp", "ipv4leases"); err == nil && code == 0 {
			l, err := ParseIPv4Leases(bytes.TrimSpace(stdout))
			if err != nil {
				errs = append(errs, err)
			} else {
				out.merge(l)
			}
		}
	}
	return out, errors.Join(errs...)
}

func (l Leases4) merge(o Leases4) {
	for mac, ips := range o {
		for _, ip := range ips {
			l.add(mac, ip)
		}
	}
}
