// Package authverify checks a write where it matters first: at the zone's
// authoritative servers. It finds the zone's NS set through a resolver, then
// asks every one of those servers directly (RD=0, so no server recurses and
// no cache answers) until all of them serve the new value, within a bound.
//
// A secondary server learns of a change by NOTIFY and zone transfer, which
// can lag or fail; this is how a user sees that one of them did not follow.
package authverify

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/eddns/eddns/dnswire"
)

// DefaultWindow bounds a check when the caller gives no window: secondaries
// normally follow a NOTIFY within seconds; a few minutes covers slow
// transfers and SOA refresh retries of hosted DNS services.
const DefaultWindow = 5 * time.Minute

// Checker asks a zone's authoritative servers for a record.
type Checker struct {
	// Resolver (host:port) answers the NS and address lookups; empty means
	// the first nameserver of /etc/resolv.conf (on OpenWrt dnsmasq).
	Resolver string
	// Port is the port the authoritative servers are asked on; 0 means 53.
	Port int
	// Timeout bounds one query; 0 means 3 seconds.
	Timeout time.Duration
	// ServerAddr, when set, maps an authoritative server's address to the
	// host:port to ask; tests use it to run several servers on loopback.
	ServerAddr func(netip.Addr) string
	// Progress, when set, is called after every round that did not end
	// the wait, with every server's answer so far (for a status display).
	Progress func(Result)
	// Interval is the first pause between rounds (doubling up to 10s);
	// 0 means one second.
	Interval time.Duration
}

// Server is what one authoritative server (one NS name) said.
type Server struct {
	Name   string   // NS host name, without trailing dot
	Addr   string   // the address that answered last, or was tried last
	Values []string // addresses it serves for the record
	Err    error    // why it could not be asked, or answered without authority
	Agrees bool     // it serves the wanted value
}

// Result is the outcome of Wait: every server and its last answer.
type Result struct {
	Servers []Server
	Rounds  int
	Took    time.Duration
}

// Agreeing returns the servers serving the new value, and all of them.
func (r Result) Agreeing() (agree, total int) {
	for _, s := range r.Servers {
		if s.Agrees {
			agree++
		}
	}
	return agree, len(r.Servers)
}

func (r Result) copy() Result {
	r.Servers = append([]Server(nil), r.Servers...)
	return r
}

// Summary says which servers agree, for status and logs:
// "ns1.example.com ok; ns2.example.com serves 192.0.2.1".
func (r Result) Summary() string {
	parts := make([]string, 0, len(r.Servers))
	for _, s := range r.Servers {
		switch {
		case s.Agrees:
			parts = append(parts, s.Name+" ok")
		case s.Err != nil:
			parts = append(parts, s.Name+": "+s.Err.Error())
		case len(s.Values) == 0:
			parts = append(parts, s.Name+" serves no address")
		default:
			parts = append(parts, s.Name+" serves "+strings.Join(s.Values, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// ErrNotAll is returned (wrapped) when the window ended before every
// authoritative server served the value.
var ErrNotAll = errors.New("not every authoritative server serves the new value")

const maxRounds = 200

// Wait asks the authoritative servers of zone for fqdn/typ until all of them
// serve want or window ends. Servers that agreed are not asked again.
func (c *Checker) Wait(ctx context.Context, zone, fqdn, typ string, want netip.Addr, window time.Duration) (Result, error) {
	if window <= 0 {
		window = DefaultWindow
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	qtype := dnswire.TypeA
	if typ == "AAAA" {
		qtype = dnswire.TypeAAAA
	}
	pause := c.Interval
	if pause <= 0 {
		pause = time.Second
	}
	var (
		res     Result
		servers []nameServer
		lastErr error
	)
	for res.Rounds < maxRounds {
		res.Rounds++
		if servers == nil {
			servers, lastErr = c.nameServers(ctx, zone)
			if lastErr == nil {
				res.Servers = make([]Server, len(servers))
				for i, ns := range servers {
					res.Servers[i] = Server{Name: ns.name, Err: ns.err}
				}
			}
		}
		if servers != nil {
			for i, ns := range servers {
				if res.Servers[i].Agrees || len(ns.addrs) == 0 {
					continue
				}
				res.Servers[i] = c.askServer(ctx, ns, fqdn, qtype, want)
			}
			res.Took = time.Since(start)
			if agree, total := res.Agreeing(); agree == total {
				return res, nil
			}
			if c.Progress != nil {
				c.Progress(res.copy())
			}
		}
		select {
		case <-ctx.Done():
			res.Took = time.Since(start)
			if lastErr != nil && servers == nil {
				return res, fmt.Errorf("find the authoritative servers of %s: %w", zone, lastErr)
			}
			return res, fmt.Errorf("%w (%s)", ErrNotAll, res.Summary())
		case <-time.After(pause):
		}
		pause = min(pause*2, 10*time.Second)
	}
	res.Took = time.Since(start)
	return res, fmt.Errorf("%w after %d rounds (%s)", ErrNotAll, res.Rounds, res.Summary())
}

type nameServer struct {
	name  string
	addrs []netip.Addr
	err   error // its addresses could not be found
}

// nameServers finds the NS set of zone and each server's addresses.
func (c *Checker) nameServers(ctx context.Context, zone string) ([]nameServer, error) {
	zone = strings.TrimSuffix(zone, ".")
	resolver, err := c.resolver()
	if err != nil {
		return nil, err
	}
	m, err := c.query(ctx, resolver, zone, dnswire.TypeNS, true)
	if err != nil {
		return nil, err
	}
	if m.Header.RCode != dnswire.RCodeSuccess {
		return nil, fmt.Errorf("NS %s: %s", zone, rcodeName(m.Header.RCode))
	}
	var names []string
	for _, rr := range append(m.Answers, m.Authorities...) {
		if rr.Type == dnswire.TypeNS && sameName(rr.Name, zone) {
			n := strings.ToLower(strings.TrimSuffix(rr.Target, "."))
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("NS %s: no name servers in the answer", zone)
	}
	slices.Sort(names)
	out := make([]nameServer, len(names))
	for i, n := range names {
		out[i].name = n
		for _, t := range []dnswire.Type{dnswire.TypeA, dnswire.TypeAAAA} {
			a, err := c.query(ctx, resolver, n, t, true)
			if err != nil {
				out[i].err = fmt.Errorf("address lookup: %w", err)
				continue
			}
			for _, rr := range a.Answers {
				if rr.Type == t && rr.Addr.IsValid() {
					out[i].addrs = append(out[i].addrs, rr.Addr)
				}
			}
		}
		if len(out[i].addrs) > 0 {
			out[i].err = nil
		} else if out[i].err == nil {
			out[i].err = errors.New("no address")
		}
	}
	return out, nil
}

// askServer asks each address of ns until one answers with authority.
func (c *Checker) askServer(ctx context.Context, ns nameServer, fqdn string, qtype dnswire.Type, want netip.Addr) Server {
	s := Server{Name: ns.name}
	port := c.Port
	if port == 0 {
		port = 53
	}
	for _, a := range ns.addrs {
		s.Addr = a.String()
		target := netip.AddrPortFrom(a, uint16(port)).String()
		if c.ServerAddr != nil {
			target = c.ServerAddr(a)
		}
		m, err := c.query(ctx, target, fqdn, qtype, false)
		if err != nil {
			s.Err = fmt.Errorf("%s: %s", a, brief(err))
			continue
		}
		if !m.Header.Authoritative {
			s.Err = fmt.Errorf("%s answered without authority (%s)", a, rcodeName(m.Header.RCode))
			continue
		}
		s.Err, s.Values = nil, nil
		for _, rr := range m.Answers {
			if rr.Type != qtype || !sameName(rr.Name, fqdn) {
				continue
			}
			s.Values = append(s.Values, rr.Addr.String())
			s.Agrees = s.Agrees || rr.Addr == want
		}
		return s
	}
	return s
}

// brief says why a server did not answer in a few words, for status.
func brief(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "unreachable"
	}
	return err.Error()
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// query sends one question; rd asks for recursion (the resolver) or not
// (authoritative servers, RFC 1035 section 4.1.1).
func (c *Checker) query(ctx context.Context, server, name string, t dnswire.Type, rd bool) (*dnswire.Reply, error) {
	var idb [2]byte
	rand.Read(idb[:])
	msg, err := dnswire.Build(dnswire.Message{
		Header:    dnswire.Header{ID: binary.BigEndian.Uint16(idb[:]), RecursionDesired: rd},
		Questions: []dnswire.Question{{Name: name, Type: t, Class: dnswire.ClassINET}},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := dnswire.Exchange(qctx, server, msg)
	if err != nil {
		return nil, err
	}
	m, err := dnswire.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", server, err)
	}
	if !sameName(m.Question.Name, name) || m.Question.Type != t {
		return nil, fmt.Errorf("%s: answer to another question", server)
	}
	return m, nil
}

func rcodeName(rc dnswire.RCode) string { return rc.String() }

func (c *Checker) resolver() (string, error) {
	if c.Resolver != "" {
		return c.Resolver, nil
	}
	return SystemResolver("/etc/resolv.conf")
}

// SystemResolver returns the first nameserver of a resolv.conf file, port 53.
func SystemResolver(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no resolver: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if a, err := netip.ParseAddr(f[1]); err == nil {
				return netip.AddrPortFrom(a, 53).String(), nil
			}
		}
	}
	return "", fmt.Errorf("no nameserver line in %s", path)
}

// TestEnv is the environment variable tests set to point verification at a
// local server instead of the system resolver and port 53: host:port used
// as the resolver, its port also as the authoritative servers' port.
const TestEnv = "EDDNS_TEST_AUTH_DNS"

// FromEnv returns a Checker honouring TestEnv when it is set.
func FromEnv() *Checker {
	v := os.Getenv(TestEnv)
	if v == "" {
		return &Checker{}
	}
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return &Checker{}
	}
	p, _ := strconv.Atoi(port)
	return &Checker{Resolver: v, Port: p}
}
