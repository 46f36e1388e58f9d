package daemon

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeTimer is a timer the test fires by hand; it records whether it is
// armed and for how long.
type fakeTimer struct {
	mu     sync.Mutex
	c      chan time.Time
	armed  bool
	d      time.Duration
	resets int
}

func (f *fakeTimer) C() <-chan time.Time { return f.c }
func (f *fakeTimer) Reset(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.d = true, d
	f.resets++
}
func (f *fakeTimer) Stop() { f.mu.Lock(); f.armed = false; f.mu.Unlock() }

// fire delivers the timer's tick if it is armed, as the runtime would
// once the quiet period has passed without a Reset.
func (f *fakeTimer) fire() bool {
	f.mu.Lock()
	armed := f.armed
	f.armed = false
	f.mu.Unlock()
	if armed {
		f.c <- time.Now()
	}
	return armed
}

func (f *fakeTimer) state() (armed bool, d time.Duration, resets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.armed, f.d, f.resets
}

// TestTrimmerFreesOnceAfterQuiet: no activity arms nothing; a burst of
// pokes re-arms the quiet period each time and ends in exactly one trim
// when it expires; with no new activity it is not re-armed. Time is the
// fake timer's, so a busy machine changes nothing.
func TestTrimmerFreesOnceAfterQuiet(t *testing.T) {
	frees := make(chan struct{}, 10)
	ft := &fakeTimer{c: make(chan time.Time)}
	tr := newTrimmer()
	tr.free = func() { frees <- struct{}{} }
	tr.timer = func(time.Duration) trimTimer { return ft }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	if armed, _, _ := ft.state(); armed {
		t.Fatal("timer armed without activity")
	}
	for i := 0; i < 5; i++ {
		tr.Poke()
		// Each poke is taken before the next (the channel holds one).
		waitUntil(t, func() bool { _, _, n := ft.state(); return n >= i+1 })
	}
	armed, d, resets := ft.state()
	if !armed || d != trimQuiet || resets != 5 {
		t.Fatalf("after 5 pokes: armed=%v for %v after %d resets; want armed for %v, 5 resets", armed, d, resets, trimQuiet)
	}
	select {
	case <-frees:
		t.Fatal("trimmed during the burst")
	default:
	}
	if !ft.fire() {
		t.Fatal("timer not armed")
	}
	select {
	case <-frees:
	case <-time.After(10 * time.Second):
		t.Fatal("no trim after the quiet period")
	}
	if armed, _, _ := ft.state(); armed {
		t.Error("re-armed without new activity: a second trim would follow")
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}
