package reconciler

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// start runs w until the test ends, and waits for it to return before the
// test's temporary directories are removed.
func start(t *testing.T, w *Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

type reports struct {
	mu  sync.Mutex
	all []Report
}

func (r *reports) add(rep Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, rep)
}

func (r *reports) last() (Report, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.all) == 0 {
		return Report{}, 0
	}
	return r.all[len(r.all)-1], len(r.all)
}

func TestWorkerNewestValueWinsAndBurstsCoalesce(t *testing.T) {
	g := newRig(t, false)
	r := rec("nas", "AAAA")
	var reps reports
	w := NewWorker(g.r, reps.add)
	w.SetRecords([]*config.Record{r})
	start(t, w)

	// Every call is slow, so changes pile up while one is in flight.
	for i := 0; i < 30; i++ {
		g.fake.Faults().Push(providertest.Fault{Delay: 100 * time.Millisecond, Action: "UpdateDomainRecord"})
	}
	for i := 1; i <= 20; i++ {
		w.Want(r.Key(), addr(fmt.Sprintf("2001:db8::%x", i)))
		time.Sleep(2 * time.Millisecond)
	}
	waitFor(t, "final value published", func() bool {
		got := g.fake.Records("example.com")
		return len(got) == 1 && got[0].Value == "2001:db8::14"
	})
	if n := g.fake.Writes(); n >= 20 {
		t.Fatalf("writes = %d for 20 changes during slow calls; want coalescing", n)
	}
	t.Logf("20 changes -> %d writes", g.fake.Writes())
}

func TestWorkerRetriesTransientFailureWithBackoff(t *testing.T) {
	g := newRig(t, false)
	r := rec("nas", "AAAA")
	var reps reports
	w := NewWorker(g.r, reps.add)
	w.SetRecords([]*config.Record{r})
	now := time.Now()
	var mu sync.Mutex
	w.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	w.Rand = func() float64 { return 0.5 }
	g.fake.Faults().Push(providertest.Fault{Status: 500, Code: "InternalError"})
	start(t, w)
	w.Want(r.Key(), addr("2001:db8::1"))

	waitFor(t, "a failure report", func() bool { _, n := reps.last(); return n >= 1 })
	rep, _ := reps.last()
	if rep.Result.Outcome != Failed || rep.Failures != 1 || !rep.NextRetry.Equal(now.Add(2*time.Second)) {
		t.Fatalf("report = %+v; want failure 1 with retry in 2s", rep)
	}
	// Time passes (the worker's timer uses real time, so make the retry due
	// by moving the clock and waking it).
	mu.Lock()
	now = now.Add(3 * time.Second)
	mu.Unlock()
	w.RetryNow()
	waitFor(t, "success after retry", func() bool {
		rep, _ := reps.last()
		return rep.Result.Outcome == Created
	})
	rep, _ = reps.last()
	if rep.Failures != 0 || !rep.NextRetry.IsZero() {
		t.Fatalf("after success = %+v", rep)
	}
}

func TestWorkerNewValueCancelsBackoff(t *testing.T) {
	g := newRig(t, false)
	r := rec("nas", "AAAA")
	var reps reports
	w := NewWorker(g.r, reps.add)
	w.SetRecords([]*config.Record{r})
	// Bad credentials: retried slowly (a minute); but a new desired value is
	// tried at once.
	g.fake.Faults().Push(providertest.Fault{Code: "InvalidAccessKeyId.NotFound", Status: 404})
	start(t, w)
	w.Want(r.Key(), addr("2001:db8::1"))
	waitFor(t, "auth failure", func() bool { rep, n := reps.last(); return n >= 1 && rep.Result.Outcome == Failed })
	rep, _ := reps.last()
	if providers.KindOf(rep.Result.Err) != providers.KindAuth || time.Until(rep.NextRetry) < 40*time.Second {
		t.Fatalf("auth failure report = %+v; want a slow retry", rep)
	}
	w.Want(r.Key(), addr("2001:db8::2"))
	waitFor(t, "new value published", func() bool {
		got := g.fake.Records("example.com")
		return len(got) == 1 && got[0].Value == "2001:db8::2"
	})
}
