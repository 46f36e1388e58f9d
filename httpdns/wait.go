package httpdns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/eddns/eddns/providers"
)

// Backoff bounds of WaitVisible: the first pause, the longest pause, and the
// most queries one call may send whatever the window and the sleep function.
const (
	WaitFirstPause  = 1 * time.Second
	WaitMaxPause    = 16 * time.Second
	WaitMaxAttempts = 32
)

// SuggestedWindow is a window for WaitVisible that covers the service's
// documented answer cache (up to 2 minutes) plus a margin.
const SuggestedWindow = 150 * time.Second

// Window is how long to wait for a record written with ttl (seconds) to
// become visible: resolvers, the service's own included, keep handing out
// the old answer until its TTL has run out, so the wait lasts the TTL plus
// SuggestedWindow. A configured window (verify_window) is the user's
// explicit choice and is used as it is; `eddns check` warns when it is
// shorter than that.
func Window(ttl int, configured time.Duration) time.Duration {
	if configured > 0 {
		return configured
	}
	return time.Duration(max(ttl, 0))*time.Second + SuggestedWindow
}

// WildcardLabel is the label queried in place of a leading "*": resolvers
// answer any name under a wildcard from it, and a wildcard itself cannot be
// queried.
const WildcardLabel = "eddns-wildcard-check"

// QueryName is the name to query to see what a record named fqdn publishes:
// fqdn itself, or for a wildcard record "*.example.com" a concrete name
// under it ("eddns-wildcard-check.example.com").
func QueryName(fqdn string) string {
	if rest, ok := strings.CutPrefix(fqdn, "*."); ok {
		return WildcardLabel + "." + rest
	}
	return fqdn
}

// WaitVisible queries host/typ until want is among the answers and returns
// how long that took, measured on the client's clock.
//
// Between queries it calls sleep with pauses doubling from WaitFirstPause to
// WaitMaxPause (or window/24 when that is longer, so that a long window is
// covered within WaitMaxAttempts queries), never past the end of window; sleep nil means a real,
// cancellable sleep (tests pass a virtual one). It sends at most
// WaitMaxAttempts queries. When the window is spent it returns *NotVisible.
// Errors that waiting cannot fix (wrong secret or account, host not in the
// whitelist, malformed queries, a clock still refused after correction) end
// the wait at once and are returned as they are; throttling, server faults,
// transport errors and malformed answers are retried within the window.
func (c *Client) WaitVisible(ctx context.Context, host, typ string, want netip.Addr,
	window time.Duration, sleep func(context.Context, time.Duration) error) (time.Duration, error) {
	if !want.IsValid() {
		return 0, fmt.Errorf("httpdns: wait %s/%s: %w: no address to wait for", host, typ, ErrInvalidQuery)
	}
	q, err := normalise(Query{Host: QueryName(strings.ToLower(host)), Type: typ})
	if err != nil {
		return 0, err
	}
	want = want.Unmap()
	if (q.Type == "A") != want.Is4() {
		return 0, fmt.Errorf("httpdns: wait %s/%s: %w: %s is not an %s address", q.Host, q.Type, ErrInvalidQuery, want, q.Type)
	}
	if sleep == nil {
		sleep = realSleep
	}
	start := c.local()
	nv := &NotVisible{Host: q.Host, Type: q.Type, Want: want}
	pause := WaitFirstPause
	maxPause := max(WaitMaxPause, window/24)
	for {
		ans, err := c.Resolve(ctx, q)
		nv.Attempts++
		nv.LastErr = err
		if err == nil {
			if ans.Contains(want) {
				return c.local().Sub(start), nil
			}
			nv.LastSeen = ans.Addrs
		} else if ctx.Err() != nil || hopeless(err) {
			return c.local().Sub(start), err
		}
		nv.After = c.local().Sub(start)
		left := window - nv.After
		if left <= 0 || nv.Attempts >= WaitMaxAttempts {
			return nv.After, nv
		}
		if err := sleep(ctx, min(pause, left)); err != nil {
			return c.local().Sub(start), fmt.Errorf("httpdns: wait %s/%s: %w", q.Host, q.Type, err)
		}
		pause = min(2*pause, maxPause)
	}
}

// local is the client's clock without the learned offset, so that a
// correction learned during the wait does not count as time waited.
func (c *Client) local() time.Time {
	clk := c.clock()
	return clk.Now().Add(-clk.Offset())
}

// hopeless reports whether err will not go away by asking again.
func hopeless(err error) bool {
	if errors.Is(err, ErrInvalidQuery) || errors.Is(err, ErrConfig) {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Kind() {
	case providers.KindAuth, providers.KindPermanent, providers.KindClockSkew, providers.KindNotFound:
		return true
	}
	return false
}

func realSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
