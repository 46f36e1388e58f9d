package rfc2136

import (
	"encoding/binary"
	"errors"
	"strings"
)

// The TSIG RR must be found by byte offset (its MAC covers the bytes before
// it), which dnsmessage's parser does not expose; this is the small walk
// over the wire format of RFC 1035 section 4.1 that finds it.

var errShort = errors.New("truncated or malformed DNS message")

// skipName returns the offset just past the (possibly compressed) name at off.
func skipName(msg []byte, off int) (int, error) {
	for range 128 {
		if off >= len(msg) {
			return 0, errShort
		}
		c := msg[off]
		switch c & 0xC0 {
		case 0x00:
			if c == 0 {
				return off + 1, nil
			}
			off += 1 + int(c)
		case 0xC0:
			if off+2 > len(msg) {
				return 0, errShort
			}
			return off + 2, nil
		default:
			return 0, errShort
		}
	}
	return 0, errShort
}

// readName decodes the name at off, following compression pointers, and
// returns it lower-cased with a trailing dot plus the offset past it.
func readName(msg []byte, off int) (string, int, error) {
	var b strings.Builder
	end := -1
	for hops := 0; hops < 64; hops++ {
		if off >= len(msg) {
			return "", 0, errShort
		}
		c := int(msg[off])
		switch c & 0xC0 {
		case 0x00:
			if c == 0 {
				if end < 0 {
					end = off + 1
				}
				if b.Len() == 0 {
					return ".", end, nil
				}
				return strings.ToLower(b.String()), end, nil
			}
			if off+1+c > len(msg) || b.Len()+c+1 > 255 {
				return "", 0, errShort
			}
			b.Write(msg[off+1 : off+1+c])
			b.WriteByte('.')
			off += 1 + c
		case 0xC0:
			if off+2 > len(msg) {
				return "", 0, errShort
			}
			if end < 0 {
				end = off + 2
			}
			off = int(binary.BigEndian.Uint16(msg[off:]) & 0x3FFF)
		default:
			return "", 0, errShort
		}
	}
	return "", 0, errShort
}

// lastRecordOffset returns where the last record of the additional section
// starts; the TSIG RR, when present, is that record (RFC 8945 section 4.2).
func lastRecordOffset(msg []byte) (int, error) {
	if len(msg) < 12 {
		return 0, errShort
	}
	qd := int(binary.BigEndian.Uint16(msg[4:]))
	rrs := int(binary.BigEndian.Uint16(msg[6:])) + int(binary.BigEndian.Uint16(msg[8:])) + int(binary.BigEndian.Uint16(msg[10:]))
	if binary.BigEndian.Uint16(msg[10:]) == 0 {
		return 0, errUnsigned
	}
	off := 12
	var err error
	for range qd {
		if off, err = skipName(msg, off); err != nil {
			return 0, err
		}
		off += 4
	}
	for range rrs - 1 {
		if off, err = skipName(msg, off); err != nil {
			return 0, err
		}
		if off+10 > len(msg) {
			return 0, errShort
		}
		off += 10 + int(binary.BigEndian.Uint16(msg[off+8:]))
	}
	if off >= len(msg) {
		return 0, errShort
	}
	return off, nil
}
