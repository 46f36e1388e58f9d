package httpc

import (
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is a wall clock corrected by the offset learned from one API
// endpoint, for signing requests to that endpoint.
//
// Routers without an RTC boot with their clock at the firmware build date;
// every signing scheme we speak rejects timestamps a few minutes off. The
// Date header of the endpoint's own response (including an error) tells us
// the time it checks against, to within a second. Only the endpoint's own
// responses teach it (see APIClient.Do): whoever can answer for another host
// (an HTTPDNS or echo service over plain http) cannot skew the signatures.
type Clock struct {
	// Endpoint is the scheme://host[:port] whose responses may teach the
	// offset; empty accepts the responses of any host the APIClient sent to.
	Endpoint string
	// Log reports changes of the offset larger than LogChange; nil is quiet.
	Log *slog.Logger

	now    func() time.Time // nil means time.Now
	offset atomic.Int64     // nanoseconds to add to now()
}

// Bounds on what a Date header may teach.
const (
	// MaxOffset bounds the offset: a server claiming a time further away
	// than this is broken, not a clock to follow.
	MaxOffset = 366 * 24 * time.Hour
	// LogChange is the change of offset worth a log line.
	LogChange = time.Minute
)

// skewThreshold is how far local time may drift from the server before we
// start correcting; below it the Date header's one-second resolution and the
// request's own latency are noise.
const skewThreshold = 30 * time.Second

// NewClock returns a clock reading now (nil: time.Now).
func NewClock(now func() time.Time) *Clock { return &Clock{now: now} }

func (c *Clock) local() time.Time {
	if c == nil || c.now == nil {
		return time.Now()
	}
	return c.now()
}

// Now returns the corrected time.
func (c *Clock) Now() time.Time {
	t := c.local()
	if c == nil {
		return t
	}
	return t.Add(time.Duration(c.offset.Load()))
}

// Offset returns the correction currently applied.
func (c *Clock) Offset() time.Duration {
	if c == nil {
		return 0
	}
	return time.Duration(c.offset.Load())
}

// Observe learns from a response's Date header, which the caller has
// established came from the endpoint. It reports whether the offset changed.
// An offset beyond MaxOffset is ignored.
func (c *Clock) Observe(h Header) bool {
	if c == nil {
		return false
	}
	d := h.Get("Date")
	if d == "" {
		return false
	}
	server, err := ParseTime(d)
	if err != nil {
		return false
	}
	off := server.Sub(c.local())
	if off > MaxOffset || off < -MaxOffset {
		if c.Log != nil {
			c.Log.Warn("ignoring the server's Date: too far from the local clock", "endpoint", c.Endpoint, "date", d)
		}
		return false
	}
	if off > -skewThreshold && off < skewThreshold {
		off = 0
	}
	old := time.Duration(c.offset.Swap(int64(off)))
	if change := off - old; c.Log != nil && (change > LogChange || change < -LogChange) {
		c.Log.Info("clock offset learned from the provider", "endpoint", c.Endpoint,
			"offset", off.Round(time.Second).String(), "was", old.Round(time.Second).String())
	}
	return old != off
}

// Reset drops the learned offset, for when NTP has set the local clock.
func (c *Clock) Reset() {
	if c != nil {
		c.offset.Store(0)
	}
}

// accepts reports whether a response from u may teach the clock.
func (c *Clock) accepts(u *url.URL) bool {
	return c != nil && (c.Endpoint == "" || EndpointKey(u) == c.Endpoint)
}

// EndpointKey is how clocks are keyed: scheme://host[:port], lower-case,
// without the scheme's default port.
func EndpointKey(u *url.URL) string {
	if u == nil {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host
}

// Clocks hands out one Clock per endpoint, for a daemon with several
// providers: what one server says about the time never moves another's.
type Clocks struct {
	Log *slog.Logger
	Now func() time.Time // nil means time.Now

	mu sync.Mutex
	m  map[string]*Clock
}

// For returns the clock of the endpoint rawURL (created on first use).
func (cs *Clocks) For(rawURL string) *Clock {
	u, err := url.Parse(rawURL)
	key := rawURL
	if err == nil {
		key = EndpointKey(u)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c := cs.m[key]; c != nil {
		return c
	}
	if cs.m == nil {
		cs.m = map[string]*Clock{}
	}
	c := NewClock(cs.Now)
	c.Endpoint, c.Log = key, cs.Log
	cs.m[key] = c
	return c
}

// Reset drops every learned offset.
func (cs *Clocks) Reset() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, c := range cs.m {
		c.Reset()
	}
}

// Largest returns the offset furthest from zero, for the status file.
func (cs *Clocks) Largest() time.Duration {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var big time.Duration
	for _, c := range cs.m {
		if o := c.Offset(); o.Abs() > big.Abs() {
			big = o
		}
	}
	return big
}
