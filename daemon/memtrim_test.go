package daemon

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestTrimmerFreesOnceAfterQuiet(t *testing.T) {
	var calls atomic.Int32
	tr := newTrimmer()
	tr.quiet = 300 * time.Millisecond
	tr.free = func() { calls.Add(1) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// Without activity nothing happens.
	time.Sleep(400 * time.Millisecond)
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d trims without activity", n)
	}
	// A burst of pokes closer together than the quiet period: one trim,
	// after the burst (a trim inside it would make two).
	for i := 0; i < 5; i++ {
		tr.Poke()
		time.Sleep(5 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(400 * time.Millisecond) // no second trim without new activity
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d trims after one burst, want 1", n)
	}
}
