package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// The router advert parser: only what raPrefixes needs, so the router binary
// does not link github.com/mdlayher/ndp and, through it, x/net's ipv6, icmp
// and idna packages and x/text (about 190 KB on mipsle). ndp stays the
// reference the tests compare this parser with (FuzzParseRA).

const (
	icmpTypeRouterAdvert = 134 // RFC 4861 4.2
	raHeaderLen          = 16  // ICMP type, code, checksum + 12 octets of RA body
	optPrefixInfo        = 3   // RFC 4861 4.6.2
	optPrefixInfoLen     = 4   // in units of 8 octets: 32 octets
	ndpHopLimit          = 255 // RFC 4861 6.1.2: not forwarded by a router
)

var errMalformedRA = errors.New("malformed router advertisement")

// raPIO is one Prefix Information option (RFC 4861 4.6.2) as sent.
type raPIO struct {
	// Prefix has the option's prefix length and its prefix with the bits past
	// that length cleared (the receiver ignores them, 4.6.2); it is invalid
	// when the length is over 128.
	Prefix     netip.Prefix
	OnLink     bool   // L flag
	Autonomous bool   // A flag: usable for SLAAC (RFC 4862 5.5.3)
	Valid      uint32 // seconds; 0xffffffff means forever
	Preferred  uint32 // seconds; 0xffffffff means forever
}

// parseRA parses an ICMPv6 router advertisement, starting at the ICMP type
// octet, and returns its prefix-information options. Following RFC 4861
// 6.1.2 it rejects a message with a code other than 0, shorter than 16
// octets, or with an option of length zero; an option that runs past the end
// of the message, or a prefix option whose length is not 4, is rejected too.
// Other options are skipped unread.
func parseRA(b []byte) ([]raPIO, error) {
	if len(b) < raHeaderLen {
		return nil, fmt.Errorf("%w: %d octets", errMalformedRA, len(b))
	}
	if b[0] != icmpTypeRouterAdvert || b[1] != 0 {
		return nil, fmt.Errorf("%w: ICMPv6 type %d code %d", errMalformedRA, b[0], b[1])
	}
	var out []raPIO
	// RFC 4861 4.6: options are type, length in units of 8 octets, value.
	for opts := b[raHeaderLen:]; len(opts) > 0; {
		if len(opts) < 2 {
			return nil, fmt.Errorf("%w: truncated option", errMalformedRA)
		}
		typ, n := opts[0], int(opts[1])*8
		if n == 0 {
			return nil, fmt.Errorf("%w: option %d has length 0", errMalformedRA, typ)
		}
		if n > len(opts) {
			return nil, fmt.Errorf("%w: option %d runs past the end", errMalformedRA, typ)
		}
		if typ == optPrefixInfo {
			if opts[1] != optPrefixInfoLen {
				return nil, fmt.Errorf("%w: prefix option of length %d", errMalformedRA, opts[1])
			}
			out = append(out, parsePIO(opts[:n]))
		}
		opts = opts[n:]
	}
	return out, nil
}

// parsePIO reads a 32-octet Prefix Information option (RFC 4861 4.6.2):
// type, length, prefix length, L|A|reserved, valid lifetime, preferred
// lifetime, 4 reserved octets, prefix.
func parsePIO(o []byte) raPIO {
	addr := netip.AddrFrom16([16]byte(o[16:32]))
	p := netip.PrefixFrom(addr, int(o[2])).Masked() // invalid when over 128
	return raPIO{
		Prefix:     p,
		OnLink:     o[3]&0x80 != 0,
		Autonomous: o[3]&0x40 != 0,
		Valid:      binary.BigEndian.Uint32(o[4:8]),
		Preferred:  binary.BigEndian.Uint32(o[8:12]),
	}
}
