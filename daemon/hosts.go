package daemon

import (
	"context"
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

// ubusPath is the ubus CLI the daemon runs for DHCPv6 leases and events:
// /bin/ubus, or $EDDNS_UBUS (tests point it at a stub).
func ubusPath() string {
	if p := os.Getenv("EDDNS_UBUS"); p != "" {
		return p
	}
	return detect.UbusPath
}

// wantsLeases reports whether a record follows a LAN host's IPv6 address,
// which odhcpd's DHCPv6 leases can name.
func wantsLeases(recs []*config.Record) bool {
	for _, r := range recs {
		if r.Source == "host" && r.Type == "AAAA" {
			return true
		}
	}
	return false
}

// kickLeases asks the lease goroutine to re-read odhcpd's leases: after a
// neighbour or prefix change a host may have a new DHCPv6 address. Kicks
// coalesce; the reading happens off the main loop.
func (d *daemon) kickLeases() {
	if !wantsLeases(d.gen.recs) {
		return
	}
	select {
	case d.leaseKick <- struct{}{}:
	default:
	}
}

// leaseLoop reads the leases when kicked and hands changed ones to the main
// loop. Without ubus (not OpenWrt) or odhcpd it stays quiet: the neighbour
// table alone still finds the host.
func (d *daemon) leaseLoop(ctx context.Context) {
	var last detect.Leases
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.leaseKick:
		}
		path := ubusPath()
		if _, err := os.Stat(path); err != nil {
			continue
		}
		l, err := detect.ReadDHCPv6Leases(ctx, path)
		if err != nil {
			if err.Error() != lastErr {
				d.log.Debug("no DHCPv6 leases from odhcpd; using the neighbour table alone", "err", err)
				lastErr = err.Error()
			}
			continue
		}
		lastErr = ""
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
