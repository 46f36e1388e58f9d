// Package rfc2136 updates records on an authoritative DNS server with DNS
// UPDATE (RFC 2136) authenticated by TSIG (RFC 8945): BIND, Knot, PowerDNS
// with dnsupdate=yes, and any other server that speaks the standard.
//
// An update is one prerequisite-free message that deletes the RRset of our
// name and type and adds the new value (RFC 2136 sections 2.5.2 and 2.5.1),
// so eddns owns the whole RRset: other values of that name and type go.
// Records are listed with a TSIG-signed query (RD=0) to the same server,
// not with a zone transfer: one small answer instead of the whole zone, and
// no allow-transfer grant needed for the key. Both go over UDP and retry
// over TCP when the answer is truncated (RFC 1035 section 4.2.1).
package rfc2136

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/eddns/eddns/dnswire"
	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// Name is the provider name used in errors and configuration.
const Name = "rfc2136"

// DefaultTTL is used when a record asks for the provider default: the
// server needs an explicit TTL on every added record.
const DefaultTTL = 600

// Provider sends signed updates to one server. It is safe for concurrent use.
type Provider struct {
	server  string // host:port
	key     *Key
	clock   *providers.Clock
	timeout time.Duration
}

var _ providers.Provider = (*Provider)(nil)

// New returns a provider for server ("host", "host:port", "[v6]:port"; the
// port defaults to 53) signing with the given TSIG key.
func New(server, keyName, keyAlgorithm, keySecret string, opts providers.Options) (*Provider, error) {
	addr, err := ServerAddr(server)
	if err != nil {
		return nil, fmt.Errorf("rfc2136: %w", err)
	}
	key, err := NewKey(keyName, keyAlgorithm, keySecret)
	if err != nil {
		return nil, fmt.Errorf("rfc2136: %w", err)
	}
	p := &Provider{server: addr, key: key, clock: opts.Clock, timeout: opts.Timeout}
	if p.timeout <= 0 {
		p.timeout = providers.DefaultTimeout
	}
	return p, nil
}

// ServerAddr normalises a server option to host:port, port 53 by default.
func ServerAddr(s string) (string, error) {
	if s == "" {
		return "", errors.New("server is required")
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a, 53).String(), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Contains(s, ":") {
			return "", fmt.Errorf("server %q is not host or host:port", s)
		}
		host, port = s, "53"
	}
	if host == "" || strings.ContainsAny(host, " /") {
		return "", fmt.Errorf("server %q is not host or host:port", s)
	}
	if n, err := netip.ParseAddrPort("0.0.0.0:" + port); err != nil || n.Port() == 0 {
		return "", fmt.Errorf("server %q: bad port", s)
	}
	return net.JoinHostPort(host, port), nil
}

// recordID names the RRset we manage; an update replaces the whole RRset,
// so the id is the same for every value.
func recordID(fqdn, typ string) string { return fqdn + "/" + typ }

// List asks the server for the RRset of name and type in zone.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	what := providers.RecordLabel(zone, name, typ)
	_, fqdn, qtype, err := names(zone, name, typ)
	if err != nil {
		return nil, p.fail("list", what, providers.KindPermanent, "", err)
	}
	q := dnswire.Question{Name: fqdn, Type: qtype, Class: dnswire.ClassINET}
	msg, err := p.roundTrip(ctx, "list", what, func(id uint16) ([]byte, error) {
		return dnswire.Build(dnswire.Message{Header: dnswire.Header{ID: id}, Questions: []dnswire.Question{q}})
	})
	if err != nil {
		return nil, err
	}
	if msg.Header.RCode == dnswire.RCodeNameError {
		return nil, nil // NXDOMAIN: no records of any type at the name
	}
	if !msg.Header.Authoritative {
		return nil, p.fail("list", what, providers.KindNotFound, "NOTAUTH",
			fmt.Errorf("%s answered without authority for %s: it is not a primary or secondary of the zone", p.server, zone))
	}
	var out []providers.Record
	for _, rr := range msg.Answers {
		if !strings.EqualFold(rr.Name, fqdn) {
			continue
		}
		// A name holding a CNAME can hold nothing else, and a server
		// silently ignores an update adding an address there (RFC 2136
		// section 3.4.2.2): say so instead of "succeeding".
		if rr.Type == dnswire.TypeCNAME {
			return nil, p.fail("list", what, providers.KindConflict, "CNAME",
				fmt.Errorf("%s is a CNAME (to %s); an address record cannot be added there", strings.TrimSuffix(fqdn, "."), rr.Target))
		}
		if rr.Type != qtype {
			continue
		}
		out = append(out, providers.Record{ID: recordID(providers.FQDN(zone, name), typ), Name: name, Type: typ,
			TTL: int(rr.TTL), Value: rr.Addr.String()})
	}
	return out, nil
}

// Create sets the RRset of rec's name and type to rec's value.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	return p.replace(ctx, "create", zone, rec)
}

// Update sets the RRset of rec's name and type to rec's value; rec.ID is
// not needed: the RRset is addressed by name and type.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	return p.replace(ctx, "update", zone, rec)
}

func (p *Provider) replace(ctx context.Context, op, zone string, rec providers.Record) (providers.Record, error) {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	zname, fqdn, rtype, err := names(zone, rec.Name, rec.Type)
	if err != nil {
		return rec, p.fail(op, what, providers.KindPermanent, "", err)
	}
	addr, err := netip.ParseAddr(rec.Value)
	if err != nil || (rtype == dnswire.TypeA) != addr.Is4() {
		return rec, p.fail(op, what, providers.KindPermanent, "", fmt.Errorf("value %q is not an address for a %s record", rec.Value, rec.Type))
	}
	ttl := rec.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	_, err = p.roundTrip(ctx, op, what, func(id uint16) ([]byte, error) {
		data := addr.AsSlice()
		return dnswire.Build(dnswire.Message{
			Header: dnswire.Header{ID: id, OpCode: dnswire.OpUpdate},
			// Zone section (RFC 2136 section 2.3): the zone, type SOA.
			Questions: []dnswire.Question{{Name: zname, Type: dnswire.TypeSOA, Class: dnswire.ClassINET}},
			// No prerequisites; the update section is the authority section.
			Authorities: []dnswire.RR{
				// Delete an RRset: class ANY, TTL 0, no RDATA (section 2.5.2).
				{Name: fqdn, Type: rtype, Class: dnswire.ClassANY},
				// Add to an RRset (section 2.5.1).
				{Name: fqdn, Type: rtype, Class: dnswire.ClassINET, TTL: uint32(ttl), Data: data},
			},
		})
	})
	if err != nil {
		return rec, err
	}
	rec.ID = recordID(providers.FQDN(zone, rec.Name), rec.Type)
	rec.Value = addr.String()
	return rec, nil
}

// names builds the zone's name and the record's owner name (canonical,
// with a trailing dot) and type.
func names(zone, name, typ string) (zname, owner string, t dnswire.Type, err error) {
	switch typ {
	case "A":
		t = dnswire.TypeA
	case "AAAA":
		t = dnswire.TypeAAAA
	default:
		return "", "", 0, fmt.Errorf("type %q is not A or AAAA", typ)
	}
	z, err := canonicalName(zone)
	if err != nil || z == "." {
		return "", "", 0, fmt.Errorf("zone %q is not a domain name", zone)
	}
	o, err := canonicalName(providers.FQDN(strings.TrimSuffix(zone, "."), name))
	if err != nil {
		return "", "", 0, fmt.Errorf("name %q: %v", name, err)
	}
	if _, err := dnswire.AppendName(nil, o); err != nil {
		return "", "", 0, fmt.Errorf("name %q: %v", name, err)
	}
	return z, o, t, nil
}

func (p *Provider) fail(op, what string, kind providers.Kind, code string, err error) *providers.Error {
	return &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, Code: code, Err: err}
}

// roundTrip signs the message build makes, sends it and checks the signed
// response; it turns DNS and TSIG errors into *providers.Error.
func (p *Provider) roundTrip(ctx context.Context, op, what string, build func(id uint16) ([]byte, error)) (*dnswire.Reply, error) {
	var idb [2]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, p.fail(op, what, providers.KindTransient, "", err)
	}
	msg, err := build(binary.BigEndian.Uint16(idb[:]))
	if err != nil {
		return nil, p.fail(op, what, providers.KindPermanent, "", fmt.Errorf("build message: %w", err))
	}
	signed, mac := p.key.sign(msg, p.clock.Now())
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	raw, err := dnswire.Exchange(ctx, p.server, signed)
	if err != nil {
		return nil, p.fail(op, what, providers.KindTransient, "", err)
	}
	resp, err := dnswire.Parse(raw)
	if err != nil {
		return nil, p.fail(op, what, providers.KindTransient, "", fmt.Errorf("%s: %w", p.server, err))
	}
	v, verr := p.key.verify(raw, mac, p.clock.Now())
	var te tsigError
	switch {
	case errors.As(verr, &te):
		// The server could not check our signature and said why, unsigned.
		return nil, p.fail(op, what, providers.KindAuth, te.Error(), fmt.Errorf("%s refused the TSIG key %s: %s", p.server, strings.TrimSuffix(p.key.name, "."), tsigHint(te)))
	case verr == nil && v.errCode == tsigBADTIME:
		e := p.fail(op, what, providers.KindClockSkew, "BADTIME", fmt.Errorf("%s says our clock is off by more than %ds", p.server, fudge))
		if !v.serverTime.IsZero() {
			// Authenticated by the key: safe to learn the time from.
			h := httpc.Header{}
			h.Set("Date", v.serverTime.UTC().Format(httpc.TimeFormat))
			p.clock.Observe(h)
		}
		return nil, e
	case verr == nil && v.errCode != 0:
		return nil, p.fail(op, what, providers.KindAuth, tsigError(v.errCode).Error(), fmt.Errorf("%s reported TSIG error %s", p.server, tsigError(v.errCode)))
	}
	if kind, code := rcodeKind(resp.Header.RCode); code != "" {
		suffix := ""
		if verr != nil {
			suffix = " (unsigned response)"
		}
		return nil, p.fail(op, what, kind, code, fmt.Errorf("%s answered %s%s", p.server, rcodeHint(code, op), suffix))
	}
	if verr != nil {
		// A success we cannot authenticate is not a success.
		return nil, p.fail(op, what, providers.KindTransient, "", fmt.Errorf("%s: %w", p.server, verr))
	}
	return resp, nil
}

func tsigHint(e tsigError) string {
	switch e {
	case tsigBADKEY:
		return "BADKEY: the server has no key of that name and algorithm"
	case tsigBADSIG:
		return "BADSIG: the key_secret does not match the server's"
	case tsigBADTIME:
		return "BADTIME: our clock differs from the server's"
	}
	return e.Error()
}

// rcodeKind classifies a response code (RFC 1035 section 4.1.1, RFC 2136
// section 2.2); code is "" for success.
func rcodeKind(rc dnswire.RCode) (providers.Kind, string) {
	switch rc {
	case dnswire.RCodeSuccess, dnswire.RCodeNameError:
		return 0, ""
	case dnswire.RCodeFormatError:
		return providers.KindPermanent, "FORMERR"
	case dnswire.RCodeServerFailure:
		return providers.KindTransient, "SERVFAIL"
	case dnswire.RCodeNotImplemented:
		return providers.KindPermanent, "NOTIMP"
	case dnswire.RCodeRefused:
		return providers.KindAuth, "REFUSED"
	case dnswire.RCodeNotAuth:
		return providers.KindNotFound, "NOTAUTH"
	case dnswire.RCodeNotZone:
		return providers.KindPermanent, "NOTZONE"
	}
	return providers.KindPermanent, fmt.Sprintf("RCODE%d", rc)
}

func rcodeHint(code, op string) string {
	switch code {
	case "REFUSED":
		if op == "list" {
			return "REFUSED: the server does not answer queries for this zone from us"
		}
		return "REFUSED: the key may not update this name (check allow-update / update-policy)"
	case "NOTAUTH":
		return "NOTAUTH: the server is not authoritative for this zone"
	case "NOTZONE":
		return "NOTZONE: the name is not inside the zone"
	case "NOTIMP":
		return "NOTIMP: the server does not implement this operation"
	}
	return code
}
