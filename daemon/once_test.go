package daemon

import (
	"net/netip"
	"testing"

	"github.com/eddns/eddns/detect"
)

func TestUnpublishableSaysWhy(t *testing.T) {
	addr := func(p string, flags uint32, pref uint32, scope uint8) detect.Addr {
		return detect.Addr{Prefix: netip.MustParsePrefix(p), Flags: flags, Preferred: pref, Valid: detect.Forever, Scope: scope}
	}
	cases := []struct {
		a    detect.Addr
		want string
	}{
		{addr("2001:db8::1/64", 0, detect.Forever, 0), ""},
		{addr("198.51.100.1/24", 0, detect.Forever, 0), ""},
		{addr("::1/128", 0, detect.Forever, 254), "loopback"},
		{addr("fe80::1/64", 0, detect.Forever, 253), "link-local"},
		{addr("fd00::2/64", 0, detect.Forever, 0), "unique local (ULA)"},
		{addr("192.168.1.1/24", 0, detect.Forever, 0), "private"},
		{addr("100.64.0.9/10", 0, detect.Forever, 0), "not public (CGNAT or reserved)"},
		{addr("2001:db8::2/64", detect.FlagTentative, detect.Forever, 0), "tentative (duplicate address detection running)"},
		{addr("2001:db8::3/64", detect.FlagDADFailed, detect.Forever, 0), "duplicate address detection failed"},
		{addr("2001:db8::4/64", 0, 0, 0), "deprecated"},
		{addr("2001:db8::5/64", detect.FlagDeprecated, 0, 0), "deprecated"},
	}
	for _, c := range cases {
		if got := unpublishable(c.a); got != c.want {
			t.Errorf("unpublishable(%v) = %q, want %q", c.a.Prefix, got, c.want)
		}
	}
}
