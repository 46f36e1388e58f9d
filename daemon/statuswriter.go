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
	sw   state.StatusWriter
}

// startWriter moves t's status writes to a background goroutine; stopWriter
// ends it with a final write. Without it (eddns once) writes are inline.
// Each write first waits for the state store's pending changes to reach
// the disk (waitState, may be nil), so a record shown as published in
// status.json is also in state.json, yet no update waited for either.
func (t *tracker) startWriter(waitState func()) {
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
				if waitState != nil {
					waitState()
				}
				t.write()
				if len(w.wake) == 0 {
					// Quiet: let the encoding buffers go rather than keep
					// them through the idle hours.
					w.wmu.Lock()
					w.sw = state.StatusWriter{}
					w.wmu.Unlock()
				}
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
	w, dir := t.w, t.dir
	t.mu.Unlock()
	st := t.snapshot()
	var err error
	if w != nil {
		w.wmu.Lock()
		err = w.sw.Write(dir, st)
		w.wmu.Unlock()
	} else {
		err = state.WriteStatus(dir, st)
	}
	if err != nil {
		t.log.Warn("could not write status", "err", err)
	}
	t.writeCopy(st)
}
