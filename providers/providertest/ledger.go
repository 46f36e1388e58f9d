package providertest

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/eddns/eddns/providers"
)

// Ledger is the bookkeeping every fake shares: call and write counters, the
// fault queue, the server clock and the write hook. Fakes embed it, which
// gives them Calls, Writes, Faults, SetNow and OnWrite of the Fake
// interface. It has its own lock, so a fake may use it while holding its
// record lock.
type Ledger struct {
	faults Faults

	mu      sync.Mutex
	now     func() time.Time
	calls   map[string]int
	writes  int
	onWrite func(action, zone string, rec providers.Record)
}

// Calls returns how many requests for action were received.
func (l *Ledger) Calls(action string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[action]
}

// Writes returns how many create/update calls succeeded.
func (l *Ledger) Writes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writes
}

// Faults returns the queue of injected failures.
func (l *Ledger) Faults() *Faults { return &l.faults }

// SetNow sets the server clock; nil means time.Now.
func (l *Ledger) SetNow(now func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = now
}

// OnWrite sets a function called after each successful write.
func (l *Ledger) OnWrite(fn func(action, zone string, rec providers.Record)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onWrite = fn
}

// Now reads the server clock.
func (l *Ledger) Now() time.Time {
	l.mu.Lock()
	now := l.now
	l.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}

// Called counts one request for action.
func (l *Ledger) Called(action string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls == nil {
		l.calls = map[string]int{}
	}
	l.calls[action]++
}

// Wrote counts a successful write and runs the OnWrite hook. Fakes call it
// before answering, so that whatever the hook records is in place by the
// time the client sees success, and without holding their own lock, so
// that the hook may look at the fake.
func (l *Ledger) Wrote(action, zone string, rec providers.Record) {
	l.mu.Lock()
	l.writes++
	fn := l.onWrite
	l.mu.Unlock()
	if fn != nil {
		fn(action, zone, rec)
	}
}

// SortRecords orders records the way Fake.Records promises: by name, type,
// then id (numeric ids compare by length first, so "99" < "100").
func SortRecords(rs []providers.Record) {
	slices.SortFunc(rs, func(a, b providers.Record) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type),
			cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
}
