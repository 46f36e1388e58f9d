package dnswire

import (
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/net/dns/dnsmessage"
)

// Record is one answer or authority record of a kind eddns reads.
type Record struct {
	Name   string          // owner, with trailing dot, as sent
	Type   dnsmessage.Type // A, AAAA, CNAME or NS
	TTL    uint32
	Addr   netip.Addr // A, AAAA
	Target string     // CNAME, NS: the name pointed to
}

// Reply is what Parse reads from a response.
type Reply struct {
	Header      dnsmessage.Header
	Question    dnsmessage.Question // the first one
	Answers     []Record
	Authorities []Record
}

// Parse reads a response: its header, first question, and the A, AAAA,
// CNAME and NS records of the answer and authority sections; records of
// other types are skipped. It uses dnsmessage's Parser with the typed
// record methods only, so that the code for every other record type is not
// linked into the router binary (Message.Unpack would link all of it).
func Parse(raw []byte) (*Reply, error) {
	var p dnsmessage.Parser
	h, err := p.Start(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed answer: %w", err)
	}
	r := &Reply{Header: h}
	q, err := p.Question()
	switch {
	case err == nil:
		r.Question = q
		if err := p.SkipAllQuestions(); err != nil {
			return nil, fmt.Errorf("malformed answer: %w", err)
		}
	case !errors.Is(err, dnsmessage.ErrSectionDone):
		return nil, fmt.Errorf("malformed answer: %w", err)
	}
	if r.Answers, err = section(&p, p.AnswerHeader, p.SkipAnswer); err != nil {
		return nil, err
	}
	if r.Authorities, err = section(&p, p.AuthorityHeader, p.SkipAuthority); err != nil {
		return nil, err
	}
	return r, nil
}

func section(p *dnsmessage.Parser, header func() (dnsmessage.ResourceHeader, error), skip func() error) ([]Record, error) {
	var out []Record
	for {
		h, err := header()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("malformed answer: %w", err)
		}
		rec := Record{Name: h.Name.String(), Type: h.Type, TTL: h.TTL}
		switch h.Type {
		case dnsmessage.TypeA:
			b, e := p.AResource()
			rec.Addr, err = netip.AddrFrom4(b.A), e
		case dnsmessage.TypeAAAA:
			b, e := p.AAAAResource()
			rec.Addr, err = netip.AddrFrom16(b.AAAA), e
		case dnsmessage.TypeCNAME:
			b, e := p.CNAMEResource()
			rec.Target, err = b.CNAME.String(), e
		case dnsmessage.TypeNS:
			b, e := p.NSResource()
			rec.Target, err = b.NS.String(), e
		default:
			if err := skip(); err != nil {
				return nil, fmt.Errorf("malformed answer: %w", err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("malformed answer: %w", err)
		}
		out = append(out, rec)
	}
}
