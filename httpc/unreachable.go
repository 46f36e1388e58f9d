package httpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// UnreachableError is a dial that failed because this host has no route to
// any address of the server: the typical IPv6-only WAN (DS-Lite without the
// tunnel up, or a plain IPv6-only uplink) talking to an API host that has
// only IPv4 addresses. It is retried like any network error, but says what
// is missing instead of a bare "network is unreachable".
type UnreachableError struct {
	Host string
	// NoIPv6 is set when the host has no IPv6 address (AAAA) at all, so
	// no route of this router can reach it without IPv4.
	NoIPv6 bool
	Err    error
}

func (e *UnreachableError) Error() string {
	if e.NoIPv6 {
		return fmt.Sprintf("%s has no IPv6 address (AAAA) and this router has no route to its IPv4 addresses (%v): "+
			"an IPv6-only WAN needs NAT64/DNS64 or an IPv4 path (e.g. DS-Lite) to reach it", e.Host, e.Err)
	}
	return fmt.Sprintf("no route from this router to any address of %s (%v): check the WAN's routes; "+
		"on an IPv6-only WAN an IPv4-only host needs NAT64/DNS64 or an IPv4 path", e.Host, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// lookupTimeout bounds the AAAA lookup made to explain a failed dial.
const lookupTimeout = 2 * time.Second

// explainUnreachable returns err as an *UnreachableError when the dial
// failed for want of a route (ENETUNREACH, EHOSTUNREACH); Go's dialer
// returns the first address's error only after trying every address, so
// the error stands for all of them. lookup finds the host's IPv6
// addresses; nil means the system resolver. Any other error is returned
// as it is.
func explainUnreachable(ctx context.Context, host string, err error, lookup func(context.Context, string, string) ([]netip.Addr, error)) error {
	if !errors.Is(err, syscall.ENETUNREACH) && !errors.Is(err, syscall.EHOSTUNREACH) {
		return err
	}
	ue := &UnreachableError{Host: host, Err: err}
	if a, perr := netip.ParseAddr(host); perr == nil {
		ue.NoIPv6 = a.Unmap().Is4()
		return ue
	}
	if lookup == nil {
		lookup = net.DefaultResolver.LookupNetIP
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, lerr := lookup(lctx, "ip6", host)
	var dnsErr *net.DNSError
	switch {
	case lerr == nil:
		ue.NoIPv6 = len(addrs) == 0
	case errors.As(lerr, &dnsErr) && dnsErr.IsNotFound:
		ue.NoIPv6 = true
	}
	return ue
}
