package detect

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/ndp"
)

// marshalRA builds a router advert with ndp, the reference implementation.
func marshalRA(t testing.TB, opts ...ndp.Option) []byte {
	t.Helper()
	b, err := ndp.MarshalMessage(&ndp.RouterAdvertisement{CurrentHopLimit: 64, RouterLifetime: 30 * time.Minute, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRAPrefixes(t *testing.T) {
	router := netip.MustParseAddr("fe80::1")
	b := marshalRA(t,
		ndp.NewMTU(1492),
		pio("2001:db8:1::/64", true, time.Hour, 2*time.Hour),
		pio("2001:db8:2::/64", false, ndp.Infinity, ndp.Infinity),
		pio("fe80::/64", true, time.Hour, 2*time.Hour),       // link-local: ignored (RFC 4862 5.5.3 b)
		pio("2001:db8:3::/64", true, 2*time.Hour, time.Hour), // preferred > valid: ignored (5.5.3 c)
		pio("2001:db8:4::/64", true, 0, 0),                   // withdrawal: kept, valid 0
	)
	pios, err := parseRA(b)
	if err != nil {
		t.Fatal(err)
	}
	got := raPrefixes(router, pios)
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

// TestParseRAHostBits: bits past the prefix length are ignored (RFC 4861
// 4.6.2), and the L flag is read even though only A matters to us.
func TestParseRAHostBits(t *testing.T) {
	b := marshalRA(t, pio("2001:db8:1::/64", false, time.Minute, time.Hour))
	copy(b[len(b)-8:], []byte{1, 2, 3, 4, 5, 6, 7, 8}) // interface-id bits of the prefix
	pios, err := parseRA(b)
	if err != nil {
		t.Fatal(err)
	}
	want := raPIO{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), OnLink: true, Valid: 3600, Preferred: 60}
	if len(pios) != 1 || pios[0] != want {
		t.Fatalf("got %+v, want %+v", pios, want)
	}
}

func TestParseRAMalformed(t *testing.T) {
	good := marshalRA(t, ndp.NewMTU(1500), pio("2001:db8:1::/64", true, time.Hour, time.Hour))
	const mtuOff, pioOff = raHeaderLen, raHeaderLen + 8
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for name, b := range map[string][]byte{
		"empty":                 nil,
		"short header":          good[:raHeaderLen-1],
		"not an advert":         edit(func(b []byte) []byte { b[0] = 135; return b }),
		"code not 0 (6.1.2)":    edit(func(b []byte) []byte { b[1] = 1; return b }),
		"zero-length option":    edit(func(b []byte) []byte { b[mtuOff+1] = 0; return b }),
		"option past the end":   edit(func(b []byte) []byte { b[pioOff+1] = 5; return b }),
		"lone option type":      append(good[:pioOff:pioOff], 3),
		"truncated prefix opt":  good[:len(good)-8],
		"prefix opt length 3":   edit(func(b []byte) []byte { b[pioOff+1] = 3; return b[:len(b)-8] }),
		"prefix opt length 5":   edit(func(b []byte) []byte { b[pioOff+1] = 5; return append(b, make([]byte, 8)...) }),
		"zero length after pio": append(append([]byte(nil), good...), 1, 0, 0, 0, 0, 0, 0, 0),
	} {
		if pios, err := parseRA(b); !errors.Is(err, errMalformedRA) {
			t.Errorf("%s: got %+v, %v; want errMalformedRA", name, pios, err)
		}
	}
	if _, err := parseRA(good); err != nil {
		t.Fatalf("the unedited advert: %v", err)
	}
}

// TestRAPrefixesSkipsUnusable: prefixes no host can use are dropped, not
// the whole advert.
func TestRAPrefixesSkipsUnusable(t *testing.T) {
	ok := raPIO{Prefix: netip.MustParsePrefix("2001:db8::/64"), Autonomous: true, Valid: 10, Preferred: 5}
	bad := []raPIO{
		{Prefix: netip.Prefix{}, Valid: 10},                               // prefix length over 128
		{Prefix: netip.MustParsePrefix("::ffff:10.0.0.0/104"), Valid: 10}, // IPv4-mapped
		{Prefix: netip.MustParsePrefix("ff02::/16"), Valid: 10},           // multicast
	}
	got := raPrefixes(netip.MustParseAddr("fe80::1"), append(bad, ok))
	if len(got) != 1 || got[0].Prefix != ok.Prefix {
		t.Fatalf("got %+v", got)
	}
}

// FuzzParseRA compares parseRA with ndp.ParseMessage, the reference: for
// every router advert ndp accepts, parseRA must accept it too and find the
// same prefix-information options with the same fields, and raPrefixes must
// give the same answer as on ndp's view. ndp also rejects adverts for
// options we never read (a bad MTU or DNS option), so where ndp says no,
// parseRA may still say yes; ndp does not check the ICMP code, which RFC
// 4861 6.1.2 requires to be 0, so there parseRA must say no. parseRA never
// panics on any input.
func FuzzParseRA(f *testing.F) {
	mac := []byte{2, 0, 0, 0, 0, 1}
	f.Add(marshalRA(f))
	f.Add(marshalRA(f, &ndp.LinkLayerAddress{Direction: ndp.Source, Addr: mac}, ndp.NewMTU(1492),
		pio("2001:db8:1::/64", true, time.Hour, 2*time.Hour), pio("2001:db8:2::/56", false, ndp.Infinity, ndp.Infinity)))
	f.Add(marshalRA(f, pio("2001:db8:4::/64", true, 0, 0), pio("fe80::/64", true, time.Hour, time.Hour),
		&ndp.RecursiveDNSServer{Lifetime: time.Hour, Servers: []netip.Addr{netip.MustParseAddr("2001:db8::53")}}))
	f.Add(marshalRA(f, pio("2001:db8:3::/64", true, 2*time.Hour, time.Hour), pio("::/0", true, time.Hour, time.Hour),
		pio("2001:db8:5::1/128", true, time.Hour, time.Hour)))
	f.Add([]byte{134, 0, 0, 0, 64, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ours, err := parseRA(b)
		m, nerr := ndp.ParseMessage(b)
		ra, isRA := m.(*ndp.RouterAdvertisement)
		if nerr != nil || !isRA {
			return
		}
		if b[1] != 0 {
			if err == nil {
				t.Fatalf("parseRA accepted ICMP code %d", b[1])
			}
			return
		}
		if err != nil {
			t.Fatalf("ndp accepts, parseRA: %v", err)
		}
		var theirs []*ndp.PrefixInformation
		for _, o := range ra.Options {
			if pi, ok := o.(*ndp.PrefixInformation); ok {
				theirs = append(theirs, pi)
			}
		}
		if len(ours) != len(theirs) {
			t.Fatalf("parseRA found %d prefix options, ndp %d", len(ours), len(theirs))
		}
		for i, pi := range theirs {
			o := ours[i]
			same := o.OnLink == pi.OnLink && o.Autonomous == pi.AutonomousAddressConfiguration &&
				time.Duration(o.Valid)*time.Second == pi.ValidLifetime &&
				time.Duration(o.Preferred)*time.Second == pi.PreferredLifetime
			if pi.PrefixLength <= 128 {
				same = same && o.Prefix == netip.PrefixFrom(pi.Prefix, int(pi.PrefixLength))
			} else {
				same = same && !o.Prefix.IsValid()
			}
			if !same {
				t.Fatalf("prefix option %d: parseRA %+v, ndp %+v", i, o, pi)
			}
		}
		router := netip.MustParseAddr("fe80::1")
		got, want := raPrefixes(router, ours), ndpPrefixes(router, theirs)
		if len(got) != len(want) {
			t.Fatalf("raPrefixes %+v, on ndp's view %+v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("raPrefixes %+v, on ndp's view %+v", got, want)
			}
		}
	})
}

// ndpPrefixes is raPrefixes as it was written on ndp's types (before
// detect had its own parser), kept as the reference for FuzzParseRA.
func ndpPrefixes(router netip.Addr, pios []*ndp.PrefixInformation) []RAPrefix {
	var out []RAPrefix
	for _, pi := range pios {
		p := netip.PrefixFrom(pi.Prefix, int(pi.PrefixLength))
		if !p.IsValid() || !p.Addr().Is6() || p.Addr().IsLinkLocalUnicast() || p.Addr().IsMulticast() {
			continue
		}
		pref, valid := ndpLifetime(pi.PreferredLifetime), ndpLifetime(pi.ValidLifetime)
		if pref > valid {
			continue
		}
		out = append(out, RAPrefix{Prefix: p.Masked(), Router: router, Autonomous: pi.AutonomousAddressConfiguration, Preferred: pref, Valid: valid})
	}
	return out
}

func ndpLifetime(d time.Duration) uint32 {
	if d >= ndp.Infinity {
		return Forever
	}
	if d <= 0 {
		return 0
	}
	return uint32(d / time.Second)
}
