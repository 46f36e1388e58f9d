package httpdns_test

import (
	"context"
	"errors"
	"github.com/eddns/eddns/config"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/httpdns"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

var (
	oldAddr = netip.MustParseAddr("2408:8741:0:1::27")
	newAddr = netip.MustParseAddr("2408:8741:0:2::27")
)

func secs(ns ...int) []time.Duration {
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n) * time.Second
	}
	return out
}

func TestWaitVisible(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cacheDelay time.Duration // how long the service keeps handing out the old value
		publish    bool          // whether the new value is set at all
		faults     []providertest.Fault
		window     time.Duration
		wantAfter  time.Duration
		wantSleeps []time.Duration
		visible    bool
		attempts   int // NotVisible.Attempts
	}{
		{name: "already visible", cacheDelay: 0, publish: true, window: 150 * time.Second,
			wantAfter: 0, wantSleeps: nil, visible: true},
		{name: "visible after the cache delay", cacheDelay: 40 * time.Second, publish: true, window: 150 * time.Second,
			// queries at 0,1,3,7,15,31 see the old value; at 47 the new one
			wantAfter: 47 * time.Second, wantSleeps: secs(1, 2, 4, 8, 16, 16), visible: true},
		{name: "full documented 2-minute cache", cacheDelay: 120 * time.Second, publish: true, window: 150 * time.Second,
			wantAfter: 127 * time.Second, wantSleeps: secs(1, 2, 4, 8, 16, 16, 16, 16, 16, 16, 16), visible: true},
		{name: "throttled and failing on the way", cacheDelay: 5 * time.Second, publish: true, window: 150 * time.Second,
			faults:    []providertest.Fault{{Code: "AccessRestricted"}, {Code: "InternalError"}, {Reset: true}},
			wantAfter: 7 * time.Second, wantSleeps: secs(1, 2, 4), visible: true},
		{name: "never visible", publish: false, window: 150 * time.Second,
			// the last pause is cut to end exactly at the window
			wantAfter: 150 * time.Second, wantSleeps: secs(1, 2, 4, 8, 16, 16, 16, 16, 16, 16, 16, 16, 7), attempts: 14},
		{name: "zero window: one query", publish: false, window: 0,
			wantAfter: 0, wantSleeps: nil, attempts: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			e.fake.SetCacheDelay(tc.cacheDelay)
			if tc.publish {
				e.fake.SetRecord("www.yunaq.com", "AAAA", newAddr)
			}
			e.fake.Faults().Push(tc.faults...)
			after, err := e.c.WaitVisible(context.Background(), "www.yunaq.com", "AAAA", newAddr, tc.window, e.clock.Sleep)
			if after != tc.wantAfter {
				t.Errorf("after = %v, want %v", after, tc.wantAfter)
			}
			if got := e.clock.Sleeps(); !slices.Equal(got, tc.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", got, tc.wantSleeps)
			}
			if tc.visible {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var nv *httpdns.NotVisible
			if !errors.As(err, &nv) {
				t.Fatalf("err = %v, want *NotVisible", err)
			}
			if nv.After != tc.wantAfter || nv.Attempts != tc.attempts || nv.Want != newAddr ||
				!slices.Equal(nv.LastSeen, []netip.Addr{oldAddr}) || nv.LastErr != nil {
				t.Errorf("NotVisible = %+v", nv)
			}
			if n := e.fake.Requests(); n != tc.attempts {
				t.Errorf("requests = %d, want %d", n, tc.attempts)
			}
			for _, s := range []string{newAddr.String(), oldAddr.String(), tc.wantAfter.String()} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
		})
	}
}

func TestWaitVisibleStopsOnHopelessErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cause func(*env)
		code  string
	}{
		{"wrong secret", func(e *env) { e.c.Secret = config.NewSecret(secret2) }, httpdns.CodeInvalidSignature},
		{"not whitelisted", func(e *env) { e.fake.SetRecord("www.example.com", "AAAA", oldAddr) }, httpdns.CodeDnNotInWhitelist},
		{"unknown account", func(e *env) { e.c.AccountID = "7cf125ce0190b2fe2bb6bbb6ab386c15" }, httpdns.CodeInvalidAccountID},
		{"wrong path", func(e *env) { e.c.URL = strings.TrimSuffix(e.url, "/sign_d") + "/x" }, httpdns.CodeInvalidURLPath},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			tc.cause(e)
			host := "www.yunaq.com"
			if tc.code == httpdns.CodeDnNotInWhitelist {
				host = "www.example.com"
			}
			_, err := e.c.WaitVisible(context.Background(), host, "AAAA", oldAddr, 150*time.Second, e.clock.Sleep)
			var he *httpdns.Error
			if !errors.As(err, &he) || he.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
			if n := e.fake.Requests(); n != 1 {
				t.Errorf("requests = %d, want 1 (no retry)", n)
			}
			noSecret(t, err)
		})
	}
}

func TestWaitVisibleReportsLastError(t *testing.T) {
	e := setup(t)
	e.fake.SetRateLimit(1, time.Hour) // every query after the first is refused
	_, err := e.c.WaitVisible(context.Background(), "www.yunaq.com", "AAAA", newAddr, 30*time.Second, e.clock.Sleep)
	var nv *httpdns.NotVisible
	var he *httpdns.Error
	if !errors.As(err, &nv) || !errors.As(err, &he) || he.Code != httpdns.CodeAccessRestricted {
		t.Fatalf("err = %v, want NotVisible wrapping AccessRestricted", err)
	}
	if !slices.Equal(nv.LastSeen, []netip.Addr{oldAddr}) {
		t.Errorf("LastSeen = %v", nv.LastSeen)
	}
}

func TestWaitVisibleBoundedAttempts(t *testing.T) {
	// A sleep that does not move the clock must not loop forever.
	e := setup(t)
	var slept int
	noTime := func(context.Context, time.Duration) error { slept++; return nil }
	_, err := e.c.WaitVisible(context.Background(), "www.yunaq.com", "AAAA", newAddr, time.Hour, noTime)
	var nv *httpdns.NotVisible
	if !errors.As(err, &nv) || nv.Attempts != httpdns.WaitMaxAttempts {
		t.Fatalf("err = %v, want NotVisible after %d attempts", err, httpdns.WaitMaxAttempts)
	}
	if slept != httpdns.WaitMaxAttempts-1 || e.fake.Requests() != httpdns.WaitMaxAttempts {
		t.Errorf("slept %d, requests %d", slept, e.fake.Requests())
	}
}

func TestWaitVisibleCancelled(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	sleep := func(ctx context.Context, d time.Duration) error {
		cancel() // the daemon is shutting down during the pause
		return e.clock.Sleep(ctx, d)
	}
	_, err := e.c.WaitVisible(ctx, "www.yunaq.com", "AAAA", newAddr, 150*time.Second, sleep)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := e.fake.Requests(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestWaitVisibleClockCorrectionIsNotWaiting(t *testing.T) {
	// The router clock is a day slow: the first query learns the offset,
	// but that jump must not count as time spent waiting.
	e := setup(t)
	e.c.Clock = providers.NewClock(func() time.Time { return e.clock.Now().Add(-24 * time.Hour) })
	e.fake.SetCacheDelay(10 * time.Second)
	e.fake.SetRecord("www.yunaq.com", "AAAA", newAddr)
	after, err := e.c.WaitVisible(context.Background(), "www.yunaq.com", "AAAA", newAddr, 150*time.Second, e.clock.Sleep)
	if err != nil || after != 15*time.Second {
		t.Fatalf("after = %v, err = %v; want 15s", after, err)
	}
}

func TestWaitVisibleRefusesBadInput(t *testing.T) {
	e := setup(t)
	for _, tc := range []struct {
		typ  string
		want netip.Addr
	}{
		{"A", newAddr}, {"AAAA", netip.MustParseAddr("192.0.2.1")}, {"AAAA", netip.Addr{}}, {"TXT", newAddr},
	} {
		_, err := e.c.WaitVisible(context.Background(), "www.yunaq.com", tc.typ, tc.want, time.Minute, e.clock.Sleep)
		if !errors.Is(err, httpdns.ErrInvalidQuery) {
			t.Errorf("%s %v: err = %v, want ErrInvalidQuery", tc.typ, tc.want, err)
		}
	}
	if e.fake.Requests() != 0 {
		t.Errorf("requests = %d, want 0", e.fake.Requests())
	}
}

// Issue 10 item 8: a resolver keeps the old answer for the record's TTL, so
// the wait covers TTL plus the service's cache, within the attempt bound.
func TestWaitCoversTheRecordTTL(t *testing.T) {
	if w := httpdns.Window(600, 0); w != 750*time.Second {
		t.Fatalf("Window(600, 0) = %v, want TTL + 150 s", w)
	}
	if w := httpdns.Window(60, 20*time.Minute); w != 20*time.Minute {
		t.Fatalf("an explicit verify_window is kept: %v", w)
	}
	e := setup(t)
	e.fake.SetCacheDelay(700 * time.Second) // old answer cached for a TTL of 600 and more
	e.fake.SetRecord("www.yunaq.com", "AAAA", newAddr)
	after, err := e.c.WaitVisible(context.Background(), "www.yunaq.com", "AAAA", newAddr, httpdns.Window(600, 0), e.clock.Sleep)
	if err != nil || after < 700*time.Second || after > 750*time.Second {
		t.Fatalf("after %v: %v; want visible between 700 s and the 750 s window", after, err)
	}
	if n := e.fake.Requests(); n > httpdns.WaitMaxAttempts {
		t.Fatalf("%d queries", n)
	}
}

// Issue 10 item 8: a wildcard record is verified through a concrete name
// under it, not refused as an invalid host.
func TestWaitVisibleWildcard(t *testing.T) {
	e := setup(t)
	e.fake.SetRecord("*.yunaq.com", "AAAA", newAddr)
	if _, err := e.c.WaitVisible(context.Background(), "*.yunaq.com", "AAAA", newAddr, time.Minute, e.clock.Sleep); err != nil {
		t.Fatalf("wildcard: %v", err)
	}
	if got := e.fake.LastQuery().Get("host"); got != httpdns.WildcardLabel+".yunaq.com" {
		t.Fatalf("queried %q", got)
	}
}
