// Package providertest holds what every provider's fake API server shares:
// the Fake interface the daemon-level tests drive, fault injection, the
// Ledger of calls and writes, the record Store (zones, numeric ids, lines,
// paused records, duplicate detection, paging) that a fake keeps its state
// in, and a conformance suite each real provider must pass against its fake.
//
// A new fake embeds Ledger, keeps a *Store under its own mutex, translates
// its API's requests into Store calls and its records into the API's wire
// shapes, and cites the documentation of every behaviour it models.
package providertest

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/eddns/eddns/providers"
)

// Fake is a local stand-in for a provider's HTTP API. It verifies request
// signatures with its own implementation of the published algorithm, keeps
// zone and record state like the real API, and counts calls.
type Fake interface {
	http.Handler
	// AddZone makes zone known to the account; requests for other zones fail
	// the way the real API fails them.
	AddZone(zone string)
	// Put stores a record directly (test setup); it returns the new id.
	Put(zone string, rec providers.Record) string
	// Records returns the zone's records sorted by name, type, id.
	Records(zone string) []providers.Record
	// Calls returns how many requests for the API action were served
	// (successful or not, signature-valid or not).
	Calls(action string) int
	// Writes returns how many create/update calls succeeded.
	Writes() int
	// Faults is the queue of injected failures.
	Faults() *Faults
	// SetNow sets the server clock (default time.Now); it is used to check
	// request timestamps and to write the Date header.
	SetNow(func() time.Time)
	// OnWrite is called after each successful create/update.
	OnWrite(func(action string, zone string, rec providers.Record))
}

// Fault is one injected failure.
type Fault struct {
	Action     string        // API action it applies to; "" = any
	Status     int           // HTTP status to answer with (0 = provider's usual)
	Code       string        // provider error code to answer with
	Body       string        // raw body to send instead (garbage, truncated JSON)
	RetryAfter string        // Retry-After header value
	Delay      time.Duration // sleep before answering (bounded by the request's context)
	Reset      bool          // close the connection without answering
}

// Faults is a FIFO of faults consumed by matching requests.
type Faults struct {
	mu    sync.Mutex
	queue []Fault
}

// Push queues faults; each is consumed by one matching request.
func (f *Faults) Push(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, faults...)
}

// Len is the number of faults not yet consumed.
func (f *Faults) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queue)
}

// Take removes and returns the first fault matching action.
func (f *Faults) Take(action string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, q := range f.queue {
		if q.Action == "" || q.Action == action {
			f.queue = append(f.queue[:i], f.queue[i+1:]...)
			return q, true
		}
	}
	return Fault{}, false
}

// TakeFor is Take for a request being served: a fault that only delays
// (a slow response) is carried out here and the request then proceeds
// normally, so it is reported as no fault.
func (f *Faults) TakeFor(r *http.Request, action string) (Fault, bool) {
	fault, ok := f.Take(action)
	if !ok || !fault.slowOnly() {
		return fault, ok
	}
	t := time.NewTimer(fault.Delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
	return Fault{}, false
}

func (f Fault) slowOnly() bool {
	return f.Delay > 0 && f.Status == 0 && f.Code == "" && f.Body == "" && f.RetryAfter == "" && !f.Reset
}

// Apply carries out the transport part of a fault (delay, reset, raw body).
// It reports true when the response has been fully handled; otherwise the
// fake answers with the fault's Status/Code in its own error shape.
func Apply(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.Reset {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // RST, not FIN
				}
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	return false
}
