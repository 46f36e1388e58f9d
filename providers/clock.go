package providers

import (
	"sync/atomic"
	"time"

	"github.com/eddns/eddns/httpc"
)

// Clock is a wall clock corrected by the offset learned from servers.
//
// Routers without an RTC boot with their clock at the firmware build date;
// every signing scheme we speak rejects timestamps a few minutes off. The
// HTTP Date header of any response (including an error) tells us the real
// time to within a second, which is enough to sign the retry correctly.
type Clock struct {
	now    func() time.Time // nil means time.Now
	offset atomic.Int64     // nanoseconds to add to now()
}

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

// skewThreshold is how far local time may drift from the server before we
// start correcting; below it the Date header's one-second resolution and the
// request's own latency are noise.
const skewThreshold = 30 * time.Second

// Observe learns from a response's Date header. It reports whether the
// offset changed.
func (c *Clock) Observe(h httpc.Header) bool {
	if c == nil {
		return false
	}
	d := h.Get("Date")
	if d == "" {
		return false
	}
	server, err := httpc.ParseTime(d)
	if err != nil {
		return false
	}
	off := server.Sub(c.local())
	if off > -skewThreshold && off < skewThreshold {
		off = 0
	}
	old := c.offset.Swap(int64(off))
	return old != int64(off)
}

// Reset drops the learned offset, for when NTP has set the local clock.
func (c *Clock) Reset() {
	if c != nil {
		c.offset.Store(0)
	}
}
