package providers

import (
	"errors"
	"testing"
)

func TestListPages(t *testing.T) {
	pages := [][]Record{{{ID: "1"}, {ID: "2"}}, {{ID: "3"}, {ID: "4"}}, {{ID: "5"}}}
	calls := 0
	got, err := ListPages(10, 2, func(page int) ([]Record, int64, error) {
		calls++
		return pages[page], 5, nil
	})
	if err != nil || len(got) != 5 || calls != 3 {
		t.Fatalf("got %v, %v after %d calls", got, err, calls)
	}
	// A total reached on a full page ends the loop without an extra call.
	calls = 0
	if got, err := ListPages(10, 2, func(page int) ([]Record, int64, error) { calls++; return pages[page], 4, nil }); err != nil || len(got) != 4 || calls != 2 {
		t.Fatalf("got %v, %v after %d calls", got, err, calls)
	}
	// A server that never ends its list is cut off.
	_, err = ListPages(3, 2, func(int) ([]Record, int64, error) { return pages[0], 1 << 40, nil })
	if !errors.Is(err, ErrTooManyRecords) {
		t.Fatalf("endless list: %v", err)
	}
	if got, err := ListPages(3, 2, func(int) ([]Record, int64, error) { return nil, 0, nil }); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty list = %#v, %v", got, err)
	}
}

func TestKeepExact(t *testing.T) {
	recs := []Record{{ID: "1", Name: "NAS", Type: "aaaa"}, {ID: "2", Name: "nas2", Type: "AAAA"}, {ID: "3", Name: "nas", Type: "A"}}
	got := KeepExact(recs, "nas", "AAAA")
	if len(got) != 1 || got[0].ID != "1" {
		t.Fatalf("KeepExact = %+v", got)
	}
}
