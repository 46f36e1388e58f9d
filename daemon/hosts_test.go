package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eddns/eddns/detect"
)

// TestLeaseReadFailureKeepsLeases: a lease file that cannot be read for a
// while (here it is a directory) does not make the daemon forget the leases
// it had, which would move records; once readable, changes arrive again.
func TestLeaseReadFailureKeepsLeases(t *testing.T) {
	t.Setenv("EDDNS_UBUS", filepath.Join(t.TempDir(), "no-ubus"))
	file := filepath.Join(t.TempDir(), "dhcp.leases")
	write := func(ip string) {
		t.Helper()
		os.RemoveAll(file)
		// dnsmasq src/lease.c lease_update_file: "<expiry> <MAC> <IPv4> <name> <client-id>".
		if err := os.WriteFile(file, []byte("1796364000 02:11:32:12:34:56 "+ip+" nas *\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := &daemon{o: Options{DHCPLeaseFiles: []string{file}}, log: slog.New(slog.DiscardHandler),
		leaseKick: make(chan struct{}, 1), leased: make(chan leaseSet, 1)}
	d.leaseWant.Store(wantLeases4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.leaseLoop(ctx)
	mac, _ := detect.ParseMAC("02:11:32:12:34:56")
	next := func() (leaseSet, bool) {
		d.leaseKick <- struct{}{}
		select {
		case l := <-d.leased:
			return l, true
		case <-time.After(300 * time.Millisecond):
			return leaseSet{}, false
		}
	}

	write("192.168.1.23")
	if l, ok := next(); !ok || len(l.v4[mac]) != 1 || l.v4[mac][0] != netip.MustParseAddr("192.168.1.23") {
		t.Fatalf("first read: %+v, %v", l, ok)
	}
	os.Remove(file)
	if err := os.Mkdir(file, 0o755); err != nil {
		t.Fatal(err)
	}
	if l, ok := next(); ok {
		t.Fatalf("an unreadable lease file changed the leases to %+v", l)
	}
	write("192.168.1.24")
	if l, ok := next(); !ok || l.v4[mac][0] != netip.MustParseAddr("192.168.1.24") {
		t.Fatalf("after the fault: %+v, %v", l, ok)
	}
}
