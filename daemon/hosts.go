package daemon

import (
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
