package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/eddns/eddns/httpc"
)

// publicIPTimeout bounds each echo URL, so one dead service cannot hold up
// the next one in the list.
const publicIPTimeout = 5 * time.Second

// maxPublicIPBody is the most we read of an echo service's answer; an
// address (or a small JSON object holding one) is far shorter.
const maxPublicIPBody = 4 << 10

// FetchPublicIP asks the echo services in urls, in order, for this host's
// public address of type typ ("A" or "AAAA") and returns the first valid
// answer. Each URL gets at most 5 seconds. An answer is valid when the body
// (at most 4 KiB, surrounding whitespace ignored) is an address or a JSON
// object {"ip": "..."}, of the right family, and public (see PublicIPv4 and
// PublicIPv6: a private or CGNAT address means the echo service saw us
// behind another NAT). When no URL gives one, the error names each URL
// (without query or credentials) and why it failed. A nil client means an
// httpc.Client with the system CA roots.
func FetchPublicIP(ctx context.Context, client httpc.Doer, urls []string, typ string) (netip.Addr, error) {
	return fetchPublicIP(ctx, client, urls, typ, publicIPTimeout)
}

func fetchPublicIP(ctx context.Context, client httpc.Doer, urls []string, typ string, perURL time.Duration) (netip.Addr, error) {
	if typ != "A" && typ != "AAAA" {
		return netip.Addr{}, fmt.Errorf("detect: public IP: record type %q is neither A nor AAAA", typ)
	}
	if len(urls) == 0 {
		return netip.Addr{}, fmt.Errorf("detect: public IP (%s): no URL configured", typ)
	}
	if client == nil {
		client = &httpc.Client{MaxBody: maxPublicIPBody}
	}
	var errs []error
	for _, u := range urls {
		a, err := fetchOne(ctx, client, u, typ, perURL)
		if err == nil {
			return a, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", redactURL(u), err))
		if ctx.Err() != nil {
			break
		}
	}
	return netip.Addr{}, fmt.Errorf("detect: public IP (%s): %w", typ, errors.Join(errs...))
}

func fetchOne(ctx context.Context, client httpc.Doer, u, typ string, timeout time.Duration) (netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := httpc.NewRequest("GET", u, nil)
	if err != nil {
		return netip.Addr{}, errors.New("invalid URL")
	}
	req.Header.Set("Accept", "text/plain, application/json")
	resp, err := client.Do(ctx, req) // httpc errors never quote the URL
	// The default client stops at the limit; a caller's may read more.
	if errors.Is(err, httpc.ErrTooLarge) || err == nil && len(resp.Body) > maxPublicIPBody {
		return netip.Addr{}, fmt.Errorf("body longer than %d bytes", maxPublicIPBody)
	}
	if err != nil {
		return netip.Addr{}, err
	}
	if resp.StatusCode != httpc.StatusOK {
		return netip.Addr{}, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	a, err := parsePublicIPBody(resp.Body)
	if err != nil {
		return netip.Addr{}, err
	}
	switch {
	case typ == "A" && !a.Is4():
		return netip.Addr{}, fmt.Errorf("got %s, not an IPv4 address", a)
	case typ == "AAAA" && !a.Is6():
		return netip.Addr{}, fmt.Errorf("got %s, not an IPv6 address", a)
	case typ == "A" && !PublicIPv4(a), typ == "AAAA" && !PublicIPv6(a):
		return netip.Addr{}, fmt.Errorf("got %s, which is not a public address", a)
	}
	return a, nil
}

// parsePublicIPBody reads an echo service's answer: a bare address or a JSON
// object with an "ip" member. IPv4-mapped IPv6 answers are taken as IPv4;
// zones are refused.
func parsePublicIPBody(b []byte) (netip.Addr, error) {
	b = bytes.TrimSpace(b)
	s := string(b)
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			IP string `json:"ip"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return netip.Addr{}, errors.New("body is JSON without a readable \"ip\" member")
		}
		s = strings.TrimSpace(v.IP)
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("body is not an IP address (%d bytes)", len(b))
	}
	return a.Unmap(), nil
}

// redactURL keeps scheme, host and path: echo URLs sometimes carry an API
// key in the query or in userinfo, which must not reach logs or status.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<invalid URL>"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
