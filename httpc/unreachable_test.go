package httpc

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/netnstest"
)

// Issue 10 item 9: on a WAN with IPv6 only, a provider host with no AAAA is
// unreachable; the error says so and names NAT64/DNS64 or an IPv4 path.
// The namespace has an IPv6 address and default route but no IPv4 route,
// so the kernel answers the connect with ENETUNREACH.
func TestDialWithoutIPv4RouteExplainsIPv6Only(t *testing.T) {
	netnstest.Require(t)
	ns := netnstest.New(t)
	ns.AddVeth(t, "wan0", "wan0p")
	ns.Run(t, "ip", "-6", "addr", "add", "2001:db8:1::2/64", "dev", "wan0", "nodad")
	ns.Run(t, "ip", "-6", "route", "add", "default", "via", "2001:db8:1::1", "dev", "wan0")
	var err error
	if e := ns.Do(t, func() error {
		req, _ := NewRequest("POST", "https://192.0.2.10/", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = (&Client{}).Do(ctx, req)
		return nil
	}); e != nil {
		t.Fatal(e)
	}
	var ue *UnreachableError
	if !errors.As(err, &ue) || !ue.NoIPv6 || !errors.Is(err, syscall.ENETUNREACH) {
		t.Fatalf("err = %v; want an UnreachableError for an IPv4-only host", err)
	}
	for _, want := range []string{"no IPv6 address (AAAA)", "NAT64/DNS64", "IPv4 path"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestExplainUnreachable(t *testing.T) {
	unreach := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
	noAAAA := func(context.Context, string, string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "no such host", Name: "alidns.aliyuncs.com", IsNotFound: true}
	}
	withAAAA := func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("2001:db8::53")}, nil
	}
	var ue *UnreachableError
	err := explainUnreachable(context.Background(), "alidns.aliyuncs.com", unreach, noAAAA)
	if !errors.As(err, &ue) || !ue.NoIPv6 || !strings.Contains(err.Error(), "alidns.aliyuncs.com has no IPv6 address") {
		t.Fatalf("no AAAA: %v", err)
	}
	err = explainUnreachable(context.Background(), "dnspod.tencentcloudapi.com", unreach, withAAAA)
	if !errors.As(err, &ue) || ue.NoIPv6 || !strings.Contains(err.Error(), "no route from this router to any address") {
		t.Fatalf("with AAAA: %v", err)
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	if err := explainUnreachable(context.Background(), "h", refused, noAAAA); err != error(refused) {
		t.Fatalf("a refused connection is not a routing problem: %v", err)
	}
}
