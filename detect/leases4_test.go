package detect

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustMAC(t testing.TB, s string) MAC {
	t.Helper()
	m, ok := ParseMAC(s)
	if !ok {
		t.Fatalf("bad MAC %q", s)
	}
	return m
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// TestParseDnsmasqLeases reads a lease file as dnsmasq writes it (src/lease.c
// lease_update_file): Ethernet leases are kept (a repeated one once); a
// non-Ethernet hardware type ("06-" prefix), the DUID line, DHCPv6 leases
// (IAID where the MAC is) and malformed lines are skipped.
func TestParseDnsmasqLeases(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "dhcp.leases"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ParseDnsmasqLeases(f)
	if err != nil {
		t.Fatal(err)
	}
	want := Leases4{
		mustMAC(t, "02:11:32:12:34:5a"): addrs("192.168.50.23"),
		mustMAC(t, "02:aa:bb:cc:dd:ee"): addrs("192.168.50.40", "192.168.60.40"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

// TestParseIPv4Leases reads a reply shaped like odhcpd's ipv4leases
// (src/ubus.c handle_dhcpv4_leases): "mac" is 12 hex digits.
func TestParseIPv4Leases(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "ipv4leases.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseIPv4Leases(b)
	if err != nil {
		t.Fatal(err)
	}
	want := Leases4{
		mustMAC(t, "02:11:32:12:34:5a"): addrs("192.168.50.23"),
		mustMAC(t, "02:aa:bb:cc:dd:ee"): addrs("192.168.50.41"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if _, err := ParseIPv4Leases([]byte(`{"device":`)); err == nil {
		t.Fatal("truncated reply accepted")
	}
}

// TestDnsmasqLeaseFiles: each dnsmasq section's leasefile, the default for
// a section without one, and the default without /etc/config/dhcp.
func TestDnsmasqLeaseFiles(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "dhcp")
	if got := DnsmasqLeaseFiles(conf); !slices.Equal(got, []string{DefaultDnsmasqLeaseFile}) {
		t.Errorf("no dhcp config: %v", got)
	}
	text := "config dnsmasq\n\toption domain 'lan'\n\toption leasefile '/tmp/dhcp.leases'\n\n" +
		"config dnsmasq 'guest'\n\toption leasefile '/tmp/guest.leases'\n\n" +
		"config dnsmasq 'iot'\n\n" +
		"config odhcpd 'odhcpd'\n\toption leasefile '/tmp/hosts/odhcpd'\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []string{"/tmp/dhcp.leases", "/tmp/guest.leases"}
	if got := DnsmasqLeaseFiles(conf); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestReadDHCPv4Leases merges dnsmasq's file with odhcpd's reply; a missing
// file and an odhcpd built without DHCPV4_SUPPORT (no ipv4leases method in
// src/ubus.c; the ubus CLI then prints "Command failed: Method not found"
// and exits with UBUS_STATUS_METHOD_NOT_FOUND, 3, ubus cli.c and
// ubusmsg.h) are no error, an unreadable file is.
func TestReadDHCPv4Leases(t *testing.T) {
	dir := t.TempDir()
	ubus := filepath.Join(dir, "ubus")
	reply := filepath.Join(dir, "reply.json")
	script := "#!/bin/sh\n[ \"$1 $2 $3\" = \"call dhcp ipv4leases\" ] || exit 254\n" +
		"[ -f " + reply + " ] || { echo 'Command failed: Method not found' >&2; exit 3; }\ncat " + reply + "\n"
	if err := os.WriteFile(ubus, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	leases, err := os.ReadFile(filepath.Join("testdata", "dhcp.leases"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "dhcp.leases")
	if err := os.WriteFile(file, leases, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	nas, cam := mustMAC(t, "02:11:32:12:34:5a"), mustMAC(t, "02:aa:bb:cc:dd:ee")

	got, err := ReadDHCPv4Leases(ctx, ubus, []string{file, filepath.Join(dir, "missing")})
	if err != nil || len(got[nas]) != 1 || len(got[cam]) != 2 {
		t.Fatalf("dnsmasq only: %v, %v", got, err)
	}
	b, err := os.ReadFile(filepath.Join("testdata", "ipv4leases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(reply, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = ReadDHCPv4Leases(ctx, ubus, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	if want := addrs("192.168.50.40", "192.168.60.40", "192.168.50.41"); !slices.Equal(got[cam], want) {
		t.Errorf("cam: %v, want %v", got[cam], want)
	}
	if want := addrs("192.168.50.23"); !slices.Equal(got[nas], want) {
		t.Errorf("nas: %v, want %v (the same lease from both servers once)", got[nas], want)
	}

	if err := os.Chmod(file, 0); err == nil && os.Geteuid() != 0 {
		if _, err := ReadDHCPv4Leases(ctx, "", []string{file}); err == nil {
			t.Error("unreadable lease file: no error")
		}
	}
	if _, err := ReadDHCPv4Leases(ctx, "", []string{dir}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("a directory as lease file: %v", err)
	}
}

// TestSelectHost4: a live neighbour entry wins over a lease, a lease over
// an entry no longer live; leases outside the device's subnets are not
// used.
func TestSelectHost4(t *testing.T) {
	nas := mustMAC(t, "02:11:32:12:34:5a")
	d := Device{Name: "br-lan", Up: true, Addrs: []Addr{{Prefix: netip.MustParsePrefix("192.168.50.1/24"), Preferred: Forever, Valid: Forever}}}
	lease := addrs("192.168.60.9", "192.168.50.23")

	if c := SelectHost(d, nas, nil, "A", ""); c.Addr.IsValid() {
		t.Errorf("nothing known: %v", c.Addr)
	}
	if c := SelectHost(d, nas, lease, "A", ""); c.Addr != netip.MustParseAddr("192.168.50.23") {
		t.Errorf("lease only: %v (%s)", c.Addr, c.Why)
	}
	d.Neighbours = []Neighbour{{Addr: netip.MustParseAddr("192.168.50.30"), MAC: nas}}
	if c := SelectHost(d, nas, lease, "A", ""); c.Addr != netip.MustParseAddr("192.168.50.23") {
		t.Errorf("lease and a silent neighbour: %v, want the lease", c.Addr)
	}
	if c := SelectHost(d, nas, nil, "A", ""); c.Addr != netip.MustParseAddr("192.168.50.30") {
		t.Errorf("silent neighbour only: %v", c.Addr)
	}
	d.Neighbours[0].Live = true
	if c := SelectHost(d, nas, lease, "A", ""); c.Addr != netip.MustParseAddr("192.168.50.30") {
		t.Errorf("live neighbour and a lease: %v, want the neighbour", c.Addr)
	}
}

// FuzzParseDnsmasqLeases: whatever the file holds, no panic, and every
// address returned is IPv4.
func FuzzParseDnsmasqLeases(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "dhcp.leases"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("1 02:00:00:00:00:01 ::ffff:192.0.2.1 x *\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if l, err := ParseDnsmasqLeases(strings.NewReader(string(b))); err == nil {
			onlyIPv4(t, l)
		}
	})
}

// FuzzParseIPv4Leases: whatever ubus prints, no panic, and every address
// returned is IPv4.
func FuzzParseIPv4Leases(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "ipv4leases.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		if l, err := ParseIPv4Leases(b); err == nil {
			onlyIPv4(t, l)
		}
	})
}

func onlyIPv4(t *testing.T, l Leases4) {
	t.Helper()
	for _, as := range l {
		for _, a := range as {
			if !a.Is4() {
				t.Fatalf("returned %v", a)
			}
		}
	}
}
