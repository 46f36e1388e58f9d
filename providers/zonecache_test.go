package providers

import (
	"errors"
	"testing"
)

func TestZoneCacheLooksUpOncePerZone(t *testing.T) {
	var c ZoneCache
	calls := 0
	look := func(id string, err error) func() (string, error) {
		return func() (string, error) { calls++; return id, err }
	}
	if _, err := c.ID("a.com", look("", errors.New("down"))); err == nil {
		t.Fatal("a failed lookup should fail")
	}
	for i := 0; i < 3; i++ {
		if id, err := c.ID("a.com", look("za", nil)); err != nil || id != "za" {
			t.Fatalf("ID = %q, %v", id, err)
		}
	}
	if id, _ := c.ID("b.com", look("zb", nil)); id != "zb" || calls != 3 {
		t.Fatalf("id %q after %d lookups; want zb after 3 (failure not cached, then one per zone)", id, calls)
	}
}
