package detect

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestParseIPv6Leases reads a reply shaped like odhcpd's ipv6leases
// (src/ubus.c handle_dhcpv6_leases): hosts are matched by the MAC inside a
// DUID-LLT or DUID-LL; a DUID-UUID host and a delegated prefix are skipped.
func TestParseIPv6Leases(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "ipv6leases.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseIPv6Leases(b)
	if err != nil {
		t.Fatal(err)
	}
	nas, _ := ParseMAC("02:11:32:12:34:5a")
	cam, _ := ParseMAC("02:aa:bb:cc:dd:ee")
	want := Leases{"br-lan": {
		nas: {netip.MustParseAddr("2001:db8:bbbb:10::7b")},
		cam: {netip.MustParseAddr("2001:db8:bbbb:10::c8")},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if _, err := ParseIPv6Leases([]byte(`{"device":`)); err == nil {
		t.Fatal("truncated reply accepted")
	}
}

// FuzzParseIPv6Leases: whatever ubus prints, no panic, and every address
// returned is a plain IPv6 address.
func FuzzParseIPv6Leases(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "ipv6leases.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"device":{"br-lan":{"leases":[{"duid":"0003000102","ipv6-addr":[{"address":"::ffff:1.2.3.4"}]}]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseIPv6Leases(b)
		if err != nil {
			return
		}
		for _, hosts := range l {
			for _, addrs := range hosts {
				for _, a := range addrs {
					if !a.Is6() || a.Zone() != "" {
						t.Fatalf("returned %v", a)
					}
				}
			}
		}
	})
}
