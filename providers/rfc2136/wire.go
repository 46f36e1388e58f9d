package rfc2136

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/eddns/eddns/dnswire"
)

// The TSIG RR must be found by byte offset (its MAC covers the bytes before
// it); this is the small walk over the wire format of RFC 1035 section 4.1
// that finds it.

var errShort = errors.New("truncated or malformed DNS message")

// readName is dnswire.ReadName lower-cased, as TSIG compares names.
func readName(msg []byte, off int) (string, int, error) {
	n, end, err := dnswire.ReadName(msg, off)
	return strings.ToLower(n), end, err
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
		if off, err = dnswire.SkipName(msg, off); err != nil {
			return 0, err
		}
		off += 4
	}
	for range rrs - 1 {
		if off, err = dnswire.SkipName(msg, off); err != nil {
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
