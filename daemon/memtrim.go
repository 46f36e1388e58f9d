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
	free  func() // debug.FreeOSMemory; tests count calls
}

func newTrimmer() *trimmer {
	return &trimmer{poke: make(chan struct{}, 1), quiet: trimQuiet, free: debug.FreeOSMemory}
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
	timer := time.NewTimer(t.quiet)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.poke:
			timer.Reset(t.quiet)
		case <-timer.C:
			t.free()
		}
	}
}
