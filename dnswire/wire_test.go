package dnswire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// x/net's dnsmessage is the reference: Build must write the bytes its
// Builder writes (uncompressed), and Parse must read what its Parser reads.

func refName(t testing.TB, s string) dnsmessage.Name {
	t.Helper()
	n, err := dnsmessage.NewName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBuildMatchesDnsmessage: a recursive query and an RFC 2136 update
// (zone SOA, delete RRset, add A and AAAA), byte for byte.
func TestBuildMatchesDnsmessage(t *testing.T) {
	q, err := Build(Message{Header: Header{ID: 0x1234, RecursionDesired: true},
		Questions: []Question{{Name: "nas.example.com.", Type: TypeAAAA, Class: ClassINET}}})
	if err != nil {
		t.Fatal(err)
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 0x1234, RecursionDesired: true})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: refName(t, "nas.example.com."), Type: dnsmessage.TypeAAAA, Class: dnsmessage.ClassINET})
	want, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(q, want) {
		t.Errorf("query\n got %x\nwant %x", q, want)
	}

	for _, addr := range []netip.Addr{netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")} {
		typ, rtype := TypeA, dnsmessage.TypeA
		if addr.Is6() {
			typ, rtype = TypeAAAA, dnsmessage.TypeAAAA
		}
		u, err := Build(Message{Header: Header{ID: 7, OpCode: OpUpdate},
			Questions: []Question{{Name: "example.org", Type: TypeSOA, Class: ClassINET}},
			Authorities: []RR{{Name: "nas.example.org.", Type: typ, Class: ClassANY},
				{Name: "nas.example.org.", Type: typ, Class: ClassINET, TTL: 600, Data: addr.AsSlice()}}})
		if err != nil {
			t.Fatal(err)
		}
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7, OpCode: OpUpdate})
		b.StartQuestions()
		b.Question(dnsmessage.Question{Name: refName(t, "example.org."), Type: dnsmessage.TypeSOA, Class: dnsmessage.ClassINET})
		b.StartAuthorities()
		b.UnknownResource(dnsmessage.ResourceHeader{Name: refName(t, "nas.example.org."), Type: rtype, Class: dnsmessage.ClassANY}, dnsmessage.UnknownResource{Type: rtype})
		add := dnsmessage.ResourceHeader{Name: refName(t, "nas.example.org."), Type: rtype, Class: dnsmessage.ClassINET, TTL: 600}
		if addr.Is4() {
			b.AResource(add, dnsmessage.AResource{A: addr.As4()})
		} else {
			b.AAAAResource(add, dnsmessage.AAAAResource{AAAA: addr.As16()})
		}
		want, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(u, want) {
			t.Errorf("update %s\n got %x\nwant %x", addr, u, want)
		}
	}
}

// TestAppendNameRefuses what cannot be sent: empty and over-long labels,
// over-long names.
func TestAppendNameRefuses(t *testing.T) {
	long := string(bytes.Repeat([]byte("a"), 64))
	var name253 []byte
	for len(name253) < 250 {
		name253 = append(name253, "abcdefghi."...)
	}
	for _, n := range []string{"a..b", ".a", long + ".example", string(name253) + "toolong"} {
		if _, err := AppendName(nil, n); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
	for _, n := range []string{"", ".", "example.org", "example.org.", string(bytes.Repeat([]byte("a"), 63)) + ".x"} {
		if _, err := AppendName(nil, n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
}

// refParse reads raw the way Parse does, with dnsmessage's Parser.
func refParse(raw []byte) (*Reply, error) {
	var p dnsmessage.Parser
	h, err := p.Start(raw)
	if err != nil {
		return nil, err
	}
	r := &Reply{Header: Header{ID: h.ID, Response: h.Response, OpCode: uint8(h.OpCode), Authoritative: h.Authoritative,
		Truncated: h.Truncated, RecursionDesired: h.RecursionDesired, RecursionAvailable: h.RecursionAvailable, RCode: RCode(h.RCode)}}
	q, err := p.Question()
	switch {
	case err == nil:
		r.Question = Question{Name: q.Name.String(), Type: Type(q.Type), Class: Class(q.Class)}
		if err := p.SkipAllQuestions(); err != nil {
			return nil, err
		}
	case !errors.Is(err, dnsmessage.ErrSectionDone):
		return nil, err
	}
	read := func(header func() (dnsmessage.ResourceHeader, error), skip func() error) ([]Record, error) {
		var out []Record
		for {
			h, err := header()
			if errors.Is(err, dnsmessage.ErrSectionDone) {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			rec := Record{Name: h.Name.String(), Type: Type(h.Type), TTL: h.TTL}
			switch {
			case h.Class != dnsmessage.ClassINET:
				err = skip()
				if err != nil {
					return nil, err
				}
				continue
			case h.Type == dnsmessage.TypeA:
				b, e := p.AResource()
				rec.Addr, err = netip.AddrFrom4(b.A), e
			case h.Type == dnsmessage.TypeAAAA:
				b, e := p.AAAAResource()
				rec.Addr, err = netip.AddrFrom16(b.AAAA), e
			case h.Type == dnsmessage.TypeCNAME:
				b, e := p.CNAMEResource()
				rec.Target, err = b.CNAME.String(), e
			case h.Type == dnsmessage.TypeNS:
				b, e := p.NSResource()
				rec.Target, err = b.NS.String(), e
			default:
				if err := skip(); err != nil {
					return nil, err
				}
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
	}
	if r.Answers, err = read(p.AnswerHeader, p.SkipAnswer); err != nil {
		return nil, err
	}
	if r.Authorities, err = read(p.AuthorityHeader, p.SkipAuthority); err != nil {
		return nil, err
	}
	return r, nil
}

func sameRecords(a, b []Record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzParseDifferential: wherever both parsers accept a message, they read
// the same header, question and records.
func FuzzParseDifferential(f *testing.F) {
	ans := []byte{0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 1, 0, 0,
		3, 'n', 'a', 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 28, 0, 1,
		0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0xc0, 16, 0, 2, 0, 1, 0, 0, 14, 16, 0, 6, 3, 'n', 's', '1', 0xc0, 16}
	f.Add(ans)
	u, _ := Build(Message{Header: Header{ID: 7, OpCode: OpUpdate, Response: true},
		Questions:   []Question{{Name: "example.org", Type: TypeSOA, Class: ClassINET}},
		Authorities: []RR{{Name: "nas.example.org", Type: TypeA, Class: ClassANY}, {Name: "nas.example.org", Type: TypeA, Class: ClassINET, TTL: 60, Data: []byte{192, 0, 2, 1}}}})
	f.Add(u)
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := Parse(raw)
		want, rerr := refParse(raw)
		if err != nil || rerr != nil {
			return
		}
		if got.Header != want.Header || got.Question != want.Question ||
			!sameRecords(got.Answers, want.Answers) || !sameRecords(got.Authorities, want.Authorities) {
			t.Fatalf("Parse:\n%+v\ndnsmessage:\n%+v", got, want)
		}
	})
}
