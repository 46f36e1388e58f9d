package daemon

import (
	"sync"

	"github.com/eddns/eddns/state"
)

// statusWriter writes status.json on its own goroutine, so that neither the
// main loop (replan) nor a provider worker (report) waits for the disk.
// Changes are coalesced: a burst of reports costs one write with all of them.
type statusWriter struct {
	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
	wmu  sync.Mutex // one write at a time, so an older status never lands last
}

// startWriter moves t's status writes to a background goroutine; stopWriter
// ends it with a final write. Without it (eddns once) writes are inline.
func (t *tracker) startWriter() {
	w := &statusWriter{wake: make(chan struct{}, 1), done: make(chan struct{})}
	t.mu.Lock()
	t.w = w
	t.mu.Unlock()
	w.wg.Go(func() {
		for {
			select {
			case <-w.done:
				return
			case <-w.wake:
				t.write()
			}
		}
	})
}

func (t *tracker) stopWriter() {
	t.mu.Lock()
	w := t.w
	t.w = nil
	t.mu.Unlock()
	if w == nil {
		return
	}
	close(w.done)
	w.wg.Wait()
	t.write()
}

// write renders the current status and writes it, outside t.mu.
func (t *tracker) write() {
	t.mu.Lock()
	w := t.w
	t.mu.Unlock()
	if w != nil {
		w.wmu.Lock()
		defer w.wmu.Unlock()
	}
	st := t.snapshot()
	if err := state.WriteStatus(t.dir, st); err != nil {
		t.log.Warn("could not write status", "err", err)
	}
}
