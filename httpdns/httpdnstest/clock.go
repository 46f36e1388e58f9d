package httpdnstest

import (
	"context"
	"sync"
	"time"
)

// ManualClock is a virtual clock for tests: it moves only when told, and its
// Sleep advances it instead of waiting, so retry and backoff loops run in no
// real time. Share its Now between the fake and the client under test.
type ManualClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

// NewManualClock returns a clock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the current virtual time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Sleep advances the clock by d and records d, unless ctx is already done,
// in which case it returns ctx.Err() and the clock does not move.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

// Sleeps returns the durations passed to Sleep, in order.
func (c *ManualClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
