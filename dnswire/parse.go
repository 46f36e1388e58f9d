package dnswire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Record is one answer or authority record of a kind eddns reads.
type Record struct {
	Name   string // owner, with trailing dot, as sent
	Type   Type   // A, AAAA, CNAME or NS
	TTL    uint32
	Addr   netip.Addr // A, AAAA
	Target string     // CNAME, NS: the name pointed to
}

// Reply is what Parse reads from a response.
type Reply struct {
	Header      Header
	Question    Question // the first one; Name with a trailing dot
	Answers     []Record
	Authorities []Record
}

// Parse reads a response: its header, first question, and the A, AAAA,
// CNAME and NS records of class IN of the answer and authority sections;
// other records are skipped, the additional section is not read.
func Parse(raw []byte) (*Reply, error) {
	if len(raw) < 12 {
		return nil, fmt.Errorf("malformed answer: %w", errShort)
	}
	be := binary.BigEndian
	r := &Reply{Header: headerFrom(be.Uint16(raw), be.Uint16(raw[2:]))}
	qd, an, ns := int(be.Uint16(raw[4:])), int(be.Uint16(raw[6:])), int(be.Uint16(raw[8:]))
	off := 12
	for i := range qd {
		name, next, err := ReadName(raw, off)
		if err != nil || next+4 > len(raw) {
			return nil, fmt.Errorf("malformed answer: %w", errShort)
		}
		if i == 0 {
			r.Question = Question{Name: name, Type: Type(be.Uint16(raw[next:])), Class: Class(be.Uint16(raw[next+2:]))}
		}
		off = next + 4
	}
	var err error
	if r.Answers, off, err = section(raw, off, an); err != nil {
		return nil, err
	}
	if r.Authorities, _, err = section(raw, off, ns); err != nil {
		return nil, err
	}
	return r, nil
}

// section reads n records from off and returns those of the types eddns
// reads, and the offset after the section.
func section(raw []byte, off, n int) ([]Record, int, error) {
	be := binary.BigEndian
	var out []Record
	for range n {
		name, next, err := ReadName(raw, off)
		if err != nil || next+10 > len(raw) {
			return nil, 0, fmt.Errorf("malformed answer: %w", errShort)
		}
		typ, class := Type(be.Uint16(raw[next:])), Class(be.Uint16(raw[next+2:]))
		ttl, rdlen := be.Uint32(raw[next+4:]), int(be.Uint16(raw[next+8:]))
		data := next + 10
		if data+rdlen > len(raw) {
			return nil, 0, fmt.Errorf("malformed answer: %w", errShort)
		}
		off = data + rdlen
		rec := Record{Name: name, Type: typ, TTL: ttl}
		switch {
		case class != ClassINET:
			// An update's delete records (class ANY or NONE, no data),
			// echoed by some servers in their response.
			continue
		case typ == TypeA:
			if rdlen != 4 {
				return nil, 0, fmt.Errorf("malformed answer: A record of %d bytes", rdlen)
			}
			rec.Addr = netip.AddrFrom4([4]byte(raw[data:off]))
		case typ == TypeAAAA:
			if rdlen != 16 {
				return nil, 0, fmt.Errorf("malformed answer: AAAA record of %d bytes", rdlen)
			}
			rec.Addr = netip.AddrFrom16([16]byte(raw[data:off]))
		case typ == TypeCNAME, typ == TypeNS:
			target, end, err := ReadName(raw, data)
			if err != nil || end != off {
				return nil, 0, fmt.Errorf("malformed answer: %s record: %w", typ, errShort)
			}
			rec.Target = target
		default:
			continue
		}
		out = append(out, rec)
	}
	return out, off, nil
}
