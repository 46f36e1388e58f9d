package daemon

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/planner"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/reconciler"
	"github.com/eddns/eddns/state"
)

// tracker keeps status.json current. Every method is safe for concurrent use
// and rewrites the file only when something in it changed.
type tracker struct {
	mu     sync.Mutex
	dir    string
	log    *slog.Logger
	offset func() time.Duration // the clock correction to show
	st     state.Status
	idx    map[string]int // record key -> index in st.Records
	// copyPath is Options.StatusCopy: LuCI's copy of status.json;
	// copyBroken stops a failing copy from logging on every write.
	copyPath   string
	copyBroken bool
	w          *statusWriter // nil: write inline (eddns once)
}

func newTracker(dir, version string, dryRun bool, offset func() time.Duration, log *slog.Logger) *tracker {
	now := time.Now().UTC()
	return &tracker{dir: dir, log: log, offset: offset, idx: map[string]int{},
		st: state.Status{Version: version, PID: os.Getpid(), StartedAt: now, DryRun: dryRun}}
}

// setDir moves the status file to dir (a reload changed state_dir).
func (t *tracker) setDir(dir string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dir = dir
}

// setRecords lists the enabled records of cfg, keeping what is known about
// records that survive a reload.
func (t *tracker) setRecords(recs []*config.Record, store *state.Store) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.st.Records
	oldIdx := t.idx
	t.st.Records = make([]state.RecordStatus, 0, len(recs))
	t.idx = make(map[string]int, len(recs))
	for _, r := range recs {
		k := r.Key()
		rs := state.RecordStatus{}
		if i, ok := oldIdx[k]; ok {
			rs = old[i]
		} else if a, ok := store.Get(k); ok {
			rs.Published, rs.RecordID = a.Value, a.RecordID
		}
		rs.Key, rs.Section, rs.FQDN, rs.Type, rs.Provider, rs.Source = k, r.Section, r.FQDN(), r.Type, r.Provider, r.Source
		t.idx[k] = len(t.st.Records)
		t.st.Records = append(t.st.Records, rs)
	}
	t.flushLocked()
}

func (t *tracker) desired(key string, d planner.Desired) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.idx[key]
	if !ok {
		return
	}
	rs := &t.st.Records[i]
	val, reason := "", d.Reason
	if d.OK() {
		val, reason = d.Value.String(), ""
	}
	if rs.Desired == val && rs.DesiredReason == reason {
		return
	}
	rs.Desired, rs.DesiredReason = val, reason
	t.flushLocked()
}

func (t *tracker) report(rep reconciler.Report) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.idx[rep.Record.Key()]
	if !ok {
		return
	}
	rs := &t.st.Records[i]
	now := time.Now().UTC()
	res := rep.Result
	rs.Calls.List += res.Calls.List
	rs.Calls.Create += res.Calls.Create
	rs.Calls.Update += res.Calls.Update
	rs.Calls.Failed += res.Calls.Failed
	rs.Failures = rep.Failures
	rs.NextRetry = nil
	if !rep.NextRetry.IsZero() {
		nr := rep.NextRetry.UTC()
		rs.NextRetry = &nr
	}
	switch res.Outcome {
	case reconciler.Failed:
		rs.LastError = res.Err.Error()
		rs.LastErrorAt = &now
		rs.LastErrorCode, rs.LastErrorKind = "", providers.KindOf(res.Err).String()
		if pe := providers.AsError(res.Err); pe != nil {
			rs.LastErrorCode = pe.Code
		}
		if errors.Is(res.Err, httpc.ErrClockNotSet) {
			rs.LastErrorKind = state.KindWaitingForClock
		}
	case reconciler.DryRun:
		rs.LastError, rs.LastErrorCode, rs.LastErrorKind, rs.LastErrorAt = "", "", "", nil
	default:
		rs.Published, rs.RecordID = res.Value, res.RecordID
		rs.LastSuccess = &now
		rs.LastError, rs.LastErrorCode, rs.LastErrorKind, rs.LastErrorAt = "", "", "", nil
		if res.Outcome == reconciler.Created || res.Outcome == reconciler.Updated {
			rs.LastChange = &now
			rs.Warning = ""
		}
		if res.Warning != "" {
			// Kept until the next write: the stale record stays until the
			// user deletes it.
			rs.Warning = res.Warning
		}
	}
	t.flushLocked()
}

func (t *tracker) verify(key, result string, at *time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.idx[key]
	if !ok {
		return
	}
	t.st.Records[i].Verify = result
	t.st.Records[i].VerifiedAt = at
	t.flushLocked()
}

func (t *tracker) flushLocked() {
	t.st.UpdatedAt = time.Now().UTC()
	t.st.ClockOffset = ""
	if off := t.offset(); off != 0 {
		t.st.ClockOffset = off.Round(time.Second).String()
	}
	if t.w != nil {
		select {
		case t.w.wake <- struct{}{}:
		default: // a write is pending and will include this change
		}
		return
	}
	if err := state.WriteStatus(t.dir, t.st); err != nil {
		t.log.Warn("could not write status", "err", err)
	}
	t.writeCopy(t.st)
}

// writeCopy rewrites LuCI's copy of the status (Options.StatusCopy). One
// writer at a time: the status writer's goroutine, or the caller of
// flushLocked when there is none.
func (t *tracker) writeCopy(st state.Status) {
	if t.copyPath == "" {
		return
	}
	err := state.WriteStatusCopy(t.copyPath, st)
	if err != nil && !t.copyBroken {
		t.log.Warn("could not write the status for LuCI; not saying again until it works", "err", err)
	}
	if err == nil && t.copyBroken {
		t.log.Info("writing the status for LuCI again", "file", t.copyPath)
	}
	t.copyBroken = err != nil
}

// snapshot returns a copy of the status.
func (t *tracker) snapshot() state.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.st
	st.Records = append([]state.RecordStatus(nil), t.st.Records...)
	return st
}
