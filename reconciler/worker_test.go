package reconciler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/alidns"
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

// gate holds every request to the fake until opened, so a test can pile
// changes up while a call is in flight without depending on how fast the
// machine is.
type gate struct {
	arrived chan struct{} // one token per request held
	open    chan struct{}
}

func newGate() *gate { return &gate{arrived: make(chan struct{}, 100), open: make(chan struct{})} }

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- struct{}{}
		<-g.open
		h.ServeHTTP(w, r)
	})
}

// TestWorkerNewestValueWinsAndBurstsCoalesce: 20 changes made while the
// first call is held in flight cost at most two writes (the value in
// flight, then the newest), and the newest value is what ends up published.
func TestWorkerNewestValueWinsAndBurstsCoalesce(t *testing.T) {
	g := newRig(t, false)
	gt := newGate()
	srv := httptest.NewServer(gt.wrap(g.fake))
	t.Cleanup(srv.Close)
	prov, err := alidns.New(keyID, secret, providers.Options{Endpoint: srv.URL, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	g.r.Provider = prov
	r := rec("nas", "AAAA")
	var reps reports
	w := NewWorker(g.r, reps.add)
	w.SetRecords([]*config.Record{r})
	start(t, w)

	w.Want(r.Key(), addr("2001:db8::1"))
	select {
	case <-gt.arrived: // the first call is in flight, held
	case <-time.After(10 * time.Second):
		t.Fatal("no call for the first value")
	}
	for i := 2; i <= 20; i++ {
		w.Want(r.Key(), addr(fmt.Sprintf("2001:db8::%x", i)))
	}
	close(gt.open)
	waitFor(t, "final value published and reported", func() bool {
		got := g.fake.Records("example.com")
		rep, _ := reps.last()
		return len(got) == 1 && got[0].Value == "2001:db8::14" && rep.Want == addr("2001:db8::14")
	})
	if n := g.fake.Writes(); n > 2 {
		t.Errorf("writes = %d for 20 changes during one call; want at most 2", n)
	}
	rep, _ := reps.last()
	if rep.Want != addr("2001:db8::14") || rep.Result.Outcome == Failed {
		t.Errorf("last report %+v; want the newest value applied", rep)
	}
}

// TestWorkerSetRecordsKeepsState: a reload with the same records keeps a
// record's backoff (no call); a changed TTL makes it due at once.
func TestWorkerSetRecordsKeepsState(t *testing.T) {
	g := newRig(t, false)
	r := rec("nas", "AAAA")
	var reps reports
	w := NewWorker(g.r, reps.add)
	w.SetRecords([]*config.Record{r})
	g.fake.Faults().Push(providertest.Fault{Code: "InvalidAccessKeyId.NotFound", Status: 404})
	start(t, w)
	w.Want(r.Key(), addr("2001:db8::1"))
	waitFor(t, "auth failure", func() bool { rep, n := reps.last(); return n >= 1 && rep.Result.Outcome == Failed })

	same := *r
	same.Pos = config.Pos{File: "other", Line: 99}
	w.SetRecords([]*config.Record{&same})
	w.Want(r.Key(), addr("2001:db8::1")) // the planner says the same again
	w.mu.Lock()
	it := w.items[r.Key()]
	kept := it.failures == 1 && !it.nextTry.IsZero() && it.want == addr("2001:db8::1")
	w.mu.Unlock()
	if !kept {
		t.Errorf("unchanged record lost its state: %+v", it)
	}

	changed := same
	changed.TTL = 1200
	w.SetRecords([]*config.Record{&changed})
	w.mu.Lock()
	it = w.items[r.Key()]
	reset := it.failures == 0 && it.fresh && it.dirty && it.nextTry.IsZero() && it.want == addr("2001:db8::1")
	w.mu.Unlock()
	if !reset {
		t.Errorf("changed record not made due: %+v", it)
	}
	w.wake()
	waitFor(t, "published after the change", func() bool {
		got := g.fake.Records("example.com")
		return len(got) == 1 && got[0].Value == "2001:db8::1"
	})
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

// TestWorkerResyncWithListsTheZoneOnce: after a crash the daemon hands a
// worker its records' values and asks for a lookup of each in one step.
// Whenever the worker's pass starts, it sees them all: one listing of the
// zone, no lookup of a single name, and each record holds its value.
func TestWorkerResyncWithListsTheZoneOnce(t *testing.T) {
	g := newRig(t, false)
	recs := []*config.Record{rec("a", "AAAA"), rec("b", "AAAA"), rec("c", "AAAA")}
	for i, r := range recs {
		// A stale cache: the provider holds other values than the cache says.
		if res := g.r.Apply(context.Background(), r, addr(fmt.Sprintf("2001:db8::%d", i+1)), false); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	byName, byZone := g.fake.Calls("DescribeSubDomainRecords"), g.fake.Calls("DescribeDomainRecords")
	var reps reports
	w := NewWorker(g.r, reps.add)
	w.SetRecords(recs)
	start(t, w)
	wants := map[string]netip.Addr{}
	for i, r := range recs {
		wants[r.Key()] = addr(fmt.Sprintf("2001:db8::%d", i+1))
	}
	wants[recs[2].Key()] = addr("2001:db8::33")
	w.ResyncWith(wants)
	waitFor(t, "three reports", func() bool { _, n := reps.last(); return n >= 3 })
	if n := g.fake.Calls("DescribeDomainRecords") - byZone; n != 1 {
		t.Errorf("%d listings of the zone, want 1", n)
	}
	if n := g.fake.Calls("DescribeSubDomainRecords") - byName; n != 0 {
		t.Errorf("%d lookups of single names, want 0", n)
	}
	got := map[string]string{}
	for _, r := range g.fake.Records("example.com") {
		got[r.Name] = r.Value
	}
	if got["a"] != "2001:db8::1" || got["b"] != "2001:db8::2" || got["c"] != "2001:db8::33" {
		t.Errorf("records %v", got)
	}
}
