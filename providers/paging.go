package providers

import (
	"errors"
	"strings"
)

// ErrTooManyRecords is returned by ListPages when the pages do not end
// within its bound.
var ErrTooManyRecords = errors.New("too many records")

// ListPages runs the paging loop every list API needs. fetch asks for the
// page with 0-based number page and returns its records as the API sent
// them (callers filter the result, not the pages, so that a short page is
// recognised) and the total the API reports for the whole query. The loop stops at an empty or short page
// or once total records have been seen, and gives up with
// ErrTooManyRecords after maxPages pages, so that a server that never ends
// its list cannot hold the caller in a loop. The result is never nil.
func ListPages(maxPages, pageSize int, fetch func(page int) (recs []Record, total int64, err error)) ([]Record, error) {
	out := []Record{}
	var seen int64
	for page := 0; page < maxPages; page++ {
		recs, total, err := fetch(page)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
		seen += int64(len(recs))
		if len(recs) == 0 || len(recs) < pageSize || seen >= total {
			return out, nil
		}
	}
	return nil, ErrTooManyRecords
}

// KeepExact returns the records of recs named name (case-insensitively)
// with type typ, reusing recs' storage. List APIs filter by name already,
// some by prefix or keyword; filtering again keeps a record of another name
// from ever being updated.
func KeepExact(recs []Record, name, typ string) []Record {
	out := recs[:0]
	for _, r := range recs {
		if strings.EqualFold(r.Name, name) && strings.EqualFold(r.Type, typ) {
			out = append(out, r)
		}
	}
	return out
}
