package detect

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/ndp"
)

func TestRAPrefixes(t *testing.T) {
	router := netip.MustParseAddr("fe80::1")
	ra := &ndp.RouterAdvertisement{Options: []ndp.Option{
		ndp.NewMTU(1492),
		pio("2001:db8:1::/64", true, time.Hour, 2*time.Hour),
		pio("2001:db8:2::/64", false, ndp.Infinity, ndp.Infinity),
		pio("fe80::/64", true, time.Hour, 2*time.Hour),       // link-local: ignored (RFC 4862 5.5.3 b)
		pio("2001:db8:3::/64", true, 2*time.Hour, time.Hour), // preferred > valid: ignored (5.5.3 c)
		pio("2001:db8:4::/64", true, 0, 0),                   // withdrawal: kept, valid 0
	}}
	got := raPrefixes(router, ra)
	want := []RAPrefix{
		{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), Router: router, Autonomous: true, Preferred: 3600, Valid: 7200},
		{Prefix: netip.MustParsePrefix("2001:db8:2::/64"), Router: router, Preferred: Forever, Valid: Forever},
		{Prefix: netip.MustParsePrefix("2001:db8:4::/64"), Router: router, Autonomous: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("prefix %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
