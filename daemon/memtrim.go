package daemon

import (
	"context"
	"runtime/debug"
	"time"
)

// trimQuiet is how long the daemon must have been quiet after doing work
// before it hands its free heap back to the kernel.
const trimQuiet = 5 * time.Second

// trimmer returns free memory to the kernel once the daemon has gone quiet
// after a burst of work (address changes, reconciles, verification).
//
// Go's background scavenger would get there too, but slowly and only
// partly; on a router with 64-128 MB of RAM the daemon should sit at its
// floor between events. It arms a one-shot timer only after activity, so
// an idle daemon still has no timer at all.
type trimmer struct {
	poke  chan struct{}
	quiet time.Duration
	free  func()                        // debug.FreeOSMemory; tests count calls
	timer func(time.Duration) trimTimer // a stopped timer; tests drive a fake one
}

// trimTimer is the part of *time.Timer the trimmer uses.
type trimTimer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time   { return r.t.C }
func (r realTimer) Reset(d time.Duration) { r.t.Reset(d) }
func (r realTimer) Stop()                 { r.t.Stop() }

func newTrimmer() *trimmer {
	return &trimmer{poke: make(chan struct{}, 1), quiet: trimQuiet, free: debug.FreeOSMemory,
		timer: func(d time.Duration) trimTimer {
			t := time.NewTimer(d)
			t.Stop()
			return realTimer{t}
		}}
}

// Poke records activity. It never blocks.
func (t *trimmer) Poke() {
	select {
	case t.poke <- struct{}{}:
	default:
	}
}

// run trims after each quiet period that follows activity, until ctx ends.
func (t *trimmer) run(ctx context.Context) {
	timer := t.timer(t.quiet)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.poke:
			timer.Reset(t.quiet)
		case <-timer.C():
			t.free()
		}
	}
}
