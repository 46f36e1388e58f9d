package daemon

import (
	"context"
	"log/slog"
	"os"
	"reflect"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/detect"
)

// hostMACs lists the MAC addresses of the source=host records, which the
// watcher follows in the kernel's neighbour table.
func hostMACs(recs []*config.Record) []detect.MAC {
	var out []detect.MAC
	for _, r := range recs {
		if r.Source != "host" {
			continue
		}
		if m, ok := detect.ParseMAC(r.MAC); ok {
			out = append(out, m)
		}
	}
	return out
}

// neighboursOf is what a watcher knows of the LAN hosts, by device: handed
// to the next generation's watcher on a reload.
func neighboursOf(s detect.Snapshot) map[string][]detect.Neighbour {
	out := map[string][]detect.Neighbour{}
	for name, d := range s {
		if len(d.Neighbours) > 0 {
			out[name] = d.Neighbours
		}
	}
	return out
}

// ubusPath is the ubus CLI the daemon runs for DHCPv6 leases and events:
// /bin/ubus, or $EDDNS_UBUS (tests point it at a stub).
func ubusPath() string {
	if p := os.Getenv("EDDNS_UBUS"); p != "" {
		return p
	}
	return detect.UbusPath
}

// leaseSet is what the router's DHCP servers leased: DHCPv6 (odhcpd) by
// LAN device, DHCPv4 (dnsmasq's lease files, odhcpd) by MAC.
type leaseSet struct {
	v6 detect.Leases
	v4 detect.Leases4
}

// Which leases the records can use, for leaseWant.
const (
	wantLeases6 = 1 << iota // a source=host AAAA record
	wantLeases4             // a source=host A record
)

// leasesWanted says which leases can name a record's LAN host.
func leasesWanted(recs []*config.Record) uint32 {
	var w uint32
	for _, r := range recs {
		switch {
		case r.Source != "host":
		case r.Type == "AAAA":
			w |= wantLeases6
		case r.Type == "A":
			w |= wantLeases4
		}
	}
	return w
}

// dhcpConfig is the UCI file of the router's DHCP servers.
const dhcpConfig = "/etc/config/dhcp"

// leaseFiles are the dnsmasq lease files to read: those given on the
// command line (the init script passes them, as a jail hides the rest),
// else those /etc/config/dhcp names.
func leaseFiles(o Options) []string {
	if len(o.DHCPLeaseFiles) > 0 {
		return o.DHCPLeaseFiles
	}
	return detect.DnsmasqLeaseFiles(dhcpConfig)
}

// kickLeases asks the lease goroutine to re-read the leases: after a
// neighbour or prefix change a host may have a new address. Kicks
// coalesce; the reading happens off the main loop.
func (d *daemon) kickLeases() {
	w := leasesWanted(d.gen.recs)
	d.leaseWant.Store(w)
	if w == 0 {
		return
	}
	select {
	case d.leaseKick <- struct{}{}:
	default:
	}
}

// leaseLoop reads the leases when kicked and hands changed ones to the main
// loop. A router without odhcpd or dnsmasq (or not OpenWrt at all) has
// none, which is no error: the neighbour table alone still finds the host.
// A read that fails (a ubus timeout, an unreadable file) keeps what the
// last good one gave, so a passing fault moves no record.
func (d *daemon) leaseLoop(ctx context.Context) {
	files := leaseFiles(d.o) // fixed for the daemon's life: the jail mounts them at start
	var last leaseSet
	var err6, err4 string // the last error logged, to log each once
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.leaseKick:
		}
		want := d.leaseWant.Load()
		ubus := ubusPath()
		if _, err := os.Stat(ubus); err != nil {
			ubus = ""
		}
		var l leaseSet
		if want&wantLeases6 != 0 && ubus != "" {
			v6, err := detect.ReadDHCPv6Leases(ctx, ubus)
			if err != nil {
				v6 = last.v6
			}
			err6 = d.logNew(err6, err, slog.LevelDebug, "no DHCPv6 leases from odhcpd; using the neighbour table alone")
			l.v6 = v6
		}
		if want&wantLeases4 != 0 {
			v4, err := detect.ReadDHCPv4Leases(ctx, ubus, files)
			if err != nil {
				v4 = last.v4
			}
			err4 = d.logNew(err4, err, slog.LevelWarn, "cannot read some DHCPv4 leases; keeping the last ones read")
			l.v4 = v4
		}
		if reflect.DeepEqual(l, last) {
			continue
		}
		last = l
		select {
		case d.leased <- l:
		case <-ctx.Done():
			return
		}
	}
}

// logNew logs err unless it says what prev, the last one logged, said, and
// returns what to compare the next one with ("" once the fault is gone).
func (d *daemon) logNew(prev string, err error, level slog.Level, msg string) string {
	if err == nil {
		return ""
	}
	if err.Error() != prev {
		d.log.Log(context.Background(), level, msg, "err", err)
	}
	return err.Error()
}
