package reconciler

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
)

// Retry policy. Transient failures retry fast; a provider that says "slow
// down" is obeyed; failures a retry cannot fix (credentials, unknown zone)
// retry slowly so a fixed account recovers on its own without a hot loop.
const (
	transientFirst = 2 * time.Second
	transientMax   = 5 * time.Minute
	permanentFirst = 1 * time.Minute
	permanentMax   = 30 * time.Minute
)

// Backoff returns how long to wait before attempt number failures+1 after an
// error of kind k; retryAfter is the server's request, if any.
func Backoff(k providers.Kind, failures int, retryAfter time.Duration, rnd func() float64) time.Duration {
	first, max := transientFirst, transientMax
	switch k {
	case providers.KindAuth, providers.KindPermanent, providers.KindNotFound, providers.KindConflict, providers.KindConfig:
		first, max = permanentFirst, permanentMax
	}
	d := first
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	// ±20 % jitter so that many routers behind one throttled account spread out.
	d = time.Duration(float64(d) * (0.8 + 0.4*rnd()))
	if retryAfter > d {
		d = retryAfter
	}
	return d
}

// Report is what the worker tells its owner after each attempt.
type Report struct {
	Record    *config.Record
	Want      netip.Addr
	Result    Result
	Failures  int       // consecutive failures so far (0 after success)
	NextRetry time.Time // zero unless a retry is scheduled
}

// Worker owns the records of one provider: it applies them one at a time, in
// configuration order, retries failures with backoff, and always works on the
// newest desired value.
type Worker struct {
	R        *Reconciler
	OnReport func(Report) // called from the worker goroutine
	Now      func() time.Time
	Rand     func() float64

	mu    sync.Mutex
	order []string
	items map[string]*item
	kick  chan struct{}
}

type item struct {
	rec      *config.Record
	want     netip.Addr
	fresh    bool // look up at the provider instead of trusting the cache
	dirty    bool
	failures int
	nextTry  time.Time
}

// NewWorker returns a worker for r.
func NewWorker(r *Reconciler, onReport func(Report)) *Worker {
	return &Worker{R: r, OnReport: onReport, items: map[string]*item{}, kick: make(chan struct{}, 1)}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) rand() float64 {
	if w.Rand != nil {
		return w.Rand()
	}
	return rand.Float64()
}

func (w *Worker) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// SetRecords replaces the managed records (config reload), keeping the state
// of records that are unchanged (pending value, backoff, cache trust). A
// record whose options changed (a TTL, a source) keeps its desired value
// but is looked up and applied again at once.
func (w *Worker) SetRecords(recs []*config.Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	items := make(map[string]*item, len(recs))
	w.order = w.order[:0]
	for _, rec := range recs {
		k := rec.Key()
		it := w.items[k]
		switch {
		case it == nil:
			it = &item{}
		case !sameRecord(it.rec, rec):
			it = &item{want: it.want, dirty: it.want.IsValid(), fresh: true}
		}
		it.rec = rec
		items[k] = it
		w.order = append(w.order, k)
	}
	w.items = items
}

// sameRecord reports whether a and b configure a record identically
// (where they were written does not matter).
func sameRecord(a, b *config.Record) bool {
	if a == nil || b == nil || !slices.Equal(a.URLs, b.URLs) {
		return false
	}
	x, y := *a, *b
	x.Pos, y.Pos, x.URLs, y.URLs = config.Pos{}, config.Pos{}, nil, nil
	return reflect.DeepEqual(x, y)
}

// Want sets the desired value of the record with key. A new value makes the
// record due at once, dropping any backoff: the newest value always wins.
func (w *Worker) Want(key string, a netip.Addr) {
	w.mu.Lock()
	it := w.items[key]
	if it == nil || !a.IsValid() || it.want == a {
		// Unknown record, nothing to publish, or nothing new: a pending
		// retry keeps its schedule.
		w.mu.Unlock()
		return
	}
	it.want, it.dirty, it.failures, it.nextTry = a, true, 0, time.Time{}
	w.mu.Unlock()
	w.wake()
}

// WantAll is Want for several records at once (key -> value) with one
// wake-up, so that the pass it starts sees all of them: records of one zone
// that need a lookup then share one zone listing (see zonelist.go).
func (w *Worker) WantAll(wants map[string]netip.Addr) {
	w.mu.Lock()
	woke := w.wantLocked(wants)
	w.mu.Unlock()
	if woke {
		w.wake()
	}
}

// ResyncWith is WantAll and Resync in one step: the worker's next pass
// sees every record due and to be looked up at once, so it lists each zone
// once, never some records alone because the pass began in between.
func (w *Worker) ResyncWith(wants map[string]netip.Addr) {
	w.mu.Lock()
	w.wantLocked(wants)
	w.resyncLocked()
	w.mu.Unlock()
	w.wake()
}

func (w *Worker) wantLocked(wants map[string]netip.Addr) (changed bool) {
	for key, a := range wants {
		it := w.items[key]
		if it == nil || !a.IsValid() || it.want == a {
			continue
		}
		it.want, it.dirty, it.failures, it.nextTry = a, true, 0, time.Time{}
		changed = true
	}
	return changed
}

// Resync makes every record due now and checked at the provider, ignoring
// the cache and any backoff.
func (w *Worker) Resync() {
	w.mu.Lock()
	w.resyncLocked()
	w.mu.Unlock()
	w.wake()
}

func (w *Worker) resyncLocked() {
	for _, it := range w.items {
		if it.want.IsValid() {
			it.fresh, it.dirty, it.nextTry = true, true, time.Time{}
		}
	}
}

// RetryNow drops the backoff of failing records (the clock was fixed, an
// interface came up) without forcing lookups of healthy ones.
func (w *Worker) RetryNow() {
	w.mu.Lock()
	for _, it := range w.items {
		if it.dirty {
			it.nextTry = time.Time{}
		}
	}
	w.mu.Unlock()
	w.wake()
}

// Run applies due records until ctx is done. A call in flight when ctx ends
// is finished (bounded by the provider's request timeout), not abandoned.
func (w *Worker) Run(ctx context.Context) {
	callCtx := context.WithoutCancel(ctx)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		next := w.runDue(ctx, callCtx)
		if ctx.Err() != nil {
			return
		}
		var tc <-chan time.Time
		if !next.IsZero() {
			timer.Reset(max(time.Until(next), 0))
			tc = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-tc:
		}
		if tc != nil && !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// runDue applies every due record once and returns the earliest pending
// retry time (zero if none).
func (w *Worker) runDue(ctx, callCtx context.Context) time.Time {
	var next time.Time
	zoneCalls := w.prefetch(callCtx) // one listing per zone for a full check, see zonelist.go
	defer w.R.EndPrefetch()
	for i := 0; ; i++ {
		if ctx.Err() != nil {
			return time.Time{}
		}
		w.mu.Lock()
		if i >= len(w.order) {
			w.mu.Unlock()
			return next
		}
		it := w.items[w.order[i]]
		now := w.now()
		if !it.dirty || !it.want.IsValid() {
			w.mu.Unlock()
			continue
		}
		if it.nextTry.After(now) {
			if next.IsZero() || it.nextTry.Before(next) {
				next = it.nextTry
			}
			w.mu.Unlock()
			continue
		}
		rec, want, fresh := it.rec, it.want, it.fresh
		w.mu.Unlock()

		res := w.R.Apply(callCtx, rec, want, fresh)
		if c, ok := zoneCalls[rec.Key()]; ok {
			res.Calls = addCalls(res.Calls, c)
			delete(zoneCalls, rec.Key())
		}

		w.mu.Lock()
		rep := Report{Record: rec, Want: want, Result: res}
		switch {
		case it.want != want:
			// A newer value arrived during the call: go again at once.
			i--
		case res.Outcome == Failed:
			it.failures++
			pe := providers.AsError(res.Err)
			var ra time.Duration
			if pe != nil {
				ra = pe.RetryAfter
			}
			it.nextTry = w.now().Add(Backoff(providers.KindOf(res.Err), it.failures, ra, w.rand))
			// After a failure the cache may be stale: look before writing.
			it.fresh = true
			if next.IsZero() || it.nextTry.Before(next) {
				next = it.nextTry
			}
			rep.NextRetry = it.nextTry
		default:
			it.dirty, it.fresh, it.failures, it.nextTry = false, false, 0, time.Time{}
		}
		rep.Failures = it.failures
		w.mu.Unlock()
		if w.OnReport != nil {
			w.OnReport(rep)
		}
	}
}

// Recheck makes one record due now and looked up at the provider, e.g. when
// verification found that resolvers never saw the value we wrote.
func (w *Worker) Recheck(key string) {
	w.mu.Lock()
	it := w.items[key]
	if it == nil || !it.want.IsValid() {
		w.mu.Unlock()
		return
	}
	it.fresh, it.dirty, it.nextTry = true, true, time.Time{}
	w.mu.Unlock()
	w.wake()
}
