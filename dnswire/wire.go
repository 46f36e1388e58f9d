package dnswire

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
)

// The small part of the DNS wire format (RFC 1035 section 4.1) eddns
// builds and reads. It is written here rather than taken from
// golang.org/x/net/dns/dnsmessage, which stays the reference the tests
// compare with: the router binary already carries the standard library's
// own copy of that package, and a second one cost 30 kB of code on mipsle.

// Type is a resource record type.
type Type uint16

// The record types eddns asks for or writes.
const (
	TypeA     Type = 1
	TypeNS    Type = 2
	TypeCNAME Type = 5
	TypeSOA   Type = 6
	TypeAAAA  Type = 28
)

func (t Type) String() string {
	switch t {
	case TypeA:
		return "A"
	case TypeNS:
		return "NS"
	case TypeCNAME:
		return "CNAME"
	case TypeSOA:
		return "SOA"
	case TypeAAAA:
		return "AAAA"
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// Class is a resource record class.
type Class uint16

// Classes: IN for data, ANY in an update deletes an RRset (RFC 2136
// section 2.5.2).
const (
	ClassINET Class = 1
	ClassANY  Class = 255
)

// RCode is a response code (the 4 bits of the header).
type RCode uint8

// Response codes of RFC 1035 section 4.1.1 and RFC 2136 section 2.2.
const (
	RCodeSuccess        RCode = 0
	RCodeFormatError    RCode = 1
	RCodeServerFailure  RCode = 2
	RCodeNameError      RCode = 3
	RCodeNotImplemented RCode = 4
	RCodeRefused        RCode = 5
	RCodeNotAuth        RCode = 9
	RCodeNotZone        RCode = 10
)

// String is the mnemonic of RFC 1035 and RFC 2136 (NOERROR, NXDOMAIN, ...).
func (rc RCode) String() string {
	switch rc {
	case RCodeSuccess:
		return "NOERROR"
	case RCodeFormatError:
		return "FORMERR"
	case RCodeServerFailure:
		return "SERVFAIL"
	case RCodeNameError:
		return "NXDOMAIN"
	case RCodeNotImplemented:
		return "NOTIMP"
	case RCodeRefused:
		return "REFUSED"
	case RCodeNotAuth:
		return "NOTAUTH"
	case RCodeNotZone:
		return "NOTZONE"
	}
	return "RCODE" + strconv.Itoa(int(rc))
}

// OpUpdate is the opcode of an RFC 2136 dynamic update.
const OpUpdate = 5

// Header is the fixed part of a message, without the section counts.
type Header struct {
	ID                 uint16
	Response           bool
	OpCode             uint8
	Authoritative      bool
	Truncated          bool
	RecursionDesired   bool
	RecursionAvailable bool
	RCode              RCode
}

func (h Header) bits() uint16 {
	b := uint16(h.OpCode&0xF)<<11 | uint16(h.RCode&0xF)
	for _, f := range []struct {
		on  bool
		bit uint16
	}{{h.Response, 1 << 15}, {h.Authoritative, 1 << 10}, {h.Truncated, 1 << 9}, {h.RecursionDesired, 1 << 8}, {h.RecursionAvailable, 1 << 7}} {
		if f.on {
			b |= f.bit
		}
	}
	return b
}

func headerFrom(id, bits uint16) Header {
	return Header{ID: id, Response: bits&(1<<15) != 0, OpCode: uint8(bits>>11) & 0xF,
		Authoritative: bits&(1<<10) != 0, Truncated: bits&(1<<9) != 0, RecursionDesired: bits&(1<<8) != 0,
		RecursionAvailable: bits&(1<<7) != 0, RCode: RCode(bits & 0xF)}
}

// Question is an entry of the question section (the zone section of an
// update).
type Question struct {
	Name  string // with or without the trailing dot
	Type  Type
	Class Class
}

// RR is a resource record to build; Data is its RDATA as sent.
type RR struct {
	Name  string
	Type  Type
	Class Class
	TTL   uint32
	Data  []byte
}

// Message is what Build packs: a header, questions, and the authority
// section (an update's update section). Names are not compressed.
type Message struct {
	Header      Header
	Questions   []Question
	Authorities []RR
}

// errName is returned for a name that cannot be sent.
var errName = errors.New("invalid domain name")

// Build packs m into wire format.
func Build(m Message) ([]byte, error) {
	b := make([]byte, 12, 512)
	binary.BigEndian.PutUint16(b[0:], m.Header.ID)
	binary.BigEndian.PutUint16(b[2:], m.Header.bits())
	binary.BigEndian.PutUint16(b[4:], uint16(len(m.Questions)))
	binary.BigEndian.PutUint16(b[8:], uint16(len(m.Authorities)))
	var err error
	for _, q := range m.Questions {
		if b, err = AppendName(b, q.Name); err != nil {
			return nil, err
		}
		b = binary.BigEndian.AppendUint16(b, uint16(q.Type))
		b = binary.BigEndian.AppendUint16(b, uint16(q.Class))
	}
	for _, rr := range m.Authorities {
		if b, err = AppendName(b, rr.Name); err != nil {
			return nil, err
		}
		if len(rr.Data) > 0xFFFF {
			return nil, errors.New("record data too long")
		}
		b = binary.BigEndian.AppendUint16(b, uint16(rr.Type))
		b = binary.BigEndian.AppendUint16(b, uint16(rr.Class))
		b = binary.BigEndian.AppendUint32(b, rr.TTL)
		b = binary.BigEndian.AppendUint16(b, uint16(len(rr.Data)))
		b = append(b, rr.Data...)
	}
	return b, nil
}

// AppendName appends name in wire format, uncompressed: labels of 1 to 63
// bytes, at most 255 bytes in all (RFC 1035 section 3.1). A trailing dot
// is optional; "." and "" are the root.
func AppendName(b []byte, name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return append(b, 0), nil
	}
	if len(name)+2 > 255 {
		return nil, errName
	}
	for label := range strings.SplitSeq(name, ".") {
		if len(label) == 0 || len(label) > 63 {
			return nil, errName
		}
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return append(b, 0), nil
}

// errShort is returned for a message that ends early or is malformed.
var errShort = errors.New("truncated or malformed DNS message")

// maxPointers bounds the compression pointers followed in one name, so a
// pointer loop ends.
const maxPointers = 64

// SkipName returns the offset just past the (possibly compressed) name at
// off.
func SkipName(msg []byte, off int) (int, error) {
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

// ReadName decodes the name at off, following compression pointers, and
// returns it as sent with a trailing dot ("." for the root), plus the
// offset just past it.
func ReadName(msg []byte, off int) (string, int, error) {
	var b strings.Builder
	end := -1
	for range maxPointers + 128 {
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
				return b.String(), end, nil
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
