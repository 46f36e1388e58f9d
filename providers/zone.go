package providers

import (
	"context"
	"strings"
)

// ZoneLister is implemented by providers that can list every record of one
// type in a zone in one paged call. A full check of many records in one
// zone then costs one listing instead of one per record; the caller picks
// each record's entries out by name (and line).
type ZoneLister interface {
	// ListZone returns all records of type typ in zone, every page.
	ListZone(ctx context.Context, zone, typ string) ([]Record, error)
}

// KeepType returns the records of recs with type typ, reusing recs'
// storage: zone listings may ignore a type filter.
func KeepType(recs []Record, typ string) []Record {
	out := recs[:0]
	for _, r := range recs {
		if strings.EqualFold(r.Type, typ) {
			out = append(out, r)
		}
	}
	return out
}
