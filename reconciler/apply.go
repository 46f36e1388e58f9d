// Package reconciler makes a provider's records match what the planner wants,
// with as few API calls as possible: none when the cached state already
// matches, one write when a value changed.
package reconciler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/state"
)

// Outcome says what Apply did.
type Outcome int

const (
	Unchanged Outcome = iota // the record already held the value
	Created                  // a record was created
	Updated                  // an existing record was changed
	DryRun                   // nothing was sent (--dry-run)
	Failed                   // see Result.Err
)

var outcomeNames = [...]string{"unchanged", "created", "updated", "dry-run", "failed"}

func (o Outcome) String() string { return outcomeNames[o] }

// Result is the outcome of one Apply.
type Result struct {
	Outcome  Outcome
	RecordID string
	Value    string      // what the provider now holds, when known
	Calls    state.Calls // API calls made
	Err      error
	// Warning is set when the value is published but something beside it
	// needs the user's attention, e.g. another record still publishing the
	// old value.
	Warning string
}

// Reconciler applies desired values to one provider.
type Reconciler struct {
	Name     string // provider section name, for logs
	Provider providers.Provider
	Store    *state.Store
	DryRun   bool
	Log      *slog.Logger
	Now      func() time.Time // nil = time.Now

	zones *zoneLists // listings of the current worker pass, see zonelist.go
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Apply makes rec hold want. With fresh set it ignores the cached state and
// looks the record up at the provider first (periodic resync, after errors).
//
// It never creates a record without having listed the name first in the same
// call, so an interrupted create cannot lead to a duplicate on the next try.
func (r *Reconciler) Apply(ctx context.Context, rec *config.Record, want netip.Addr, fresh bool) (res Result) {
	key := rec.Key()
	wantS := want.String()
	cached, hasCache := r.Store.Get(key)
	log := r.Log.With("record", rec.FQDN(), "type", rec.Type, "provider", r.Name)

	if fresh && hasCache && providers.IsBlind(r.Provider) {
		// A provider that cannot read records back (a webhook) has
		// nothing fresher to offer than what we cached.
		fresh = false
	}
	if !fresh && hasCache && sameAddr(cached.Value, want) {
		return Result{Outcome: Unchanged, RecordID: cached.RecordID, Value: cached.Value}
	}
	if r.DryRun {
		if hasCache && cached.RecordID != "" && !fresh {
			log.Info("dry-run: would update", "record_id", cached.RecordID, "from", cached.Value, "to", wantS)
		} else {
			log.Info("dry-run: would look up the record, then create or update it", "zone", rec.Zone, "name", rec.Name, "value", wantS, "ttl", rec.TTL)
		}
		return Result{Outcome: DryRun}
	}

	line := r.line(rec)
	desired := providers.Record{Name: rec.Name, Type: rec.Type, Value: wantS, TTL: rec.TTL, Line: line}
	if !fresh && hasCache && cached.RecordID != "" {
		desired.ID = cached.RecordID
		err := retrySkew(&res.Calls.Update, func() error {
			_, err := r.Provider.Update(ctx, rec.Zone, desired)
			return err
		})
		if err == nil {
			log.Info("updated", "from", cached.Value, "to", wantS, "record_id", desired.ID)
			return r.remember(key, Result{Outcome: Updated, RecordID: desired.ID, Value: wantS, Calls: res.Calls})
		}
		switch providers.KindOf(err) {
		case providers.KindConflict:
			// Another record of ours already holds the value.
			return r.settle(ctx, rec, log, key, desired, cached.Value, err, res.Calls)
		case providers.KindNotFound:
		default:
			res.Calls.Failed++
			return Result{Outcome: Failed, Err: err, Calls: res.Calls}
		}
		// The record vanished at the provider (deleted by hand): look again.
		log.Warn("cached record id no longer exists at the provider; looking it up again", "record_id", desired.ID)
		_ = r.Store.Forget(key)
		desired.ID = ""
	}

	existing, err := r.list(ctx, rec, line, &res.Calls)
	if err != nil {
		res.Calls.Failed++
		return Result{Outcome: Failed, Err: err, Calls: res.Calls}
	}
	if len(existing) == 0 {
		var created providers.Record
		err := retrySkew(&res.Calls.Create, func() (err error) {
			created, err = r.Provider.Create(ctx, rec.Zone, desired)
			return err
		})
		if providers.KindOf(err) == providers.KindConflict {
			// "Already exists": the list missed a record (another client,
			// or the provider's index lagging behind). Look again at once
			// rather than after the permanent-error backoff.
			log.Info("create answered that the record exists; looking it up again", "err", err.Error())
			if existing, err = r.list(ctx, rec, line, &res.Calls); err != nil {
				res.Calls.Failed++
				return Result{Outcome: Failed, Err: err, Calls: res.Calls}
			}
			if len(existing) == 0 {
				res.Calls.Failed++
				return Result{Outcome: Failed, Err: fmt.Errorf("create said the record exists, but it is not listed on line %q: %w", line, errConflict(err)), Calls: res.Calls}
			}
			return r.manage(ctx, rec, log, key, desired, existing, res.Calls)
		}
		if err != nil {
			res.Calls.Failed++
			return Result{Outcome: Failed, Err: err, Calls: res.Calls}
		}
		log.Info("created", "value", wantS, "record_id", created.ID, "line", line)
		return r.remember(key, Result{Outcome: Created, RecordID: created.ID, Value: wantS, Calls: res.Calls})
	}
	return r.manage(ctx, rec, log, key, desired, existing, res.Calls)
}

// errConflict keeps err when it is set (it carries the provider's code).
func errConflict(err error) error {
	if err != nil {
		return err
	}
	return errors.New("conflict")
}

// line is the resolution line rec manages: its own option, else the
// provider's default line; "" for providers without lines.
func (r *Reconciler) line(rec *config.Record) string {
	lp, ok := r.Provider.(providers.LineProvider)
	if !ok {
		return ""
	}
	if rec.Line != "" {
		return rec.Line
	}
	return lp.DefaultLine()
}

// list returns the records of rec's name and type on line. Records on
// other lines belong to other configurations (split-horizon answers) and
// are never touched.
func (r *Reconciler) list(ctx context.Context, rec *config.Record, line string, calls *state.Calls) ([]providers.Record, error) {
	all, ok := r.prefetched(rec) // one zone listing for a full check, see zonelist.go
	if !ok {
		err := retrySkew(&calls.List, func() (err error) {
			all, err = r.Provider.List(ctx, rec.Zone, rec.Name, rec.Type)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	lp, hasLines := r.Provider.(providers.LineProvider)
	if !hasLines {
		return all, nil
	}
	var out []providers.Record
	for _, x := range all {
		l := x.Line
		if l == "" { // a list answer without a line is on the default line
			l = lp.DefaultLine()
		}
		if l == line {
			out = append(out, x)
		}
	}
	return out, nil
}

// manage makes one of existing (all of rec's name, type and line) hold
// desired.Value: the one already holding it, else the lowest id; a paused
// record is updated and enabled.
func (r *Reconciler) manage(ctx context.Context, rec *config.Record, log *slog.Logger, key string,
	desired providers.Record, existing []providers.Record, calls state.Calls) Result {
	want, _ := netip.ParseAddr(desired.Value)
	pick := choose(existing, want)
	if len(existing) > 1 {
		log.Warn("several records share this name, type and line; managing one and leaving the others alone",
			"count", len(existing), "record_id", pick.ID, "line", desired.Line)
	}
	desired.ID = pick.ID
	if sameAddr(pick.Value, want) && !pick.Disabled {
		return r.remember(key, Result{Outcome: Unchanged, RecordID: pick.ID, Value: desired.Value, Calls: calls})
	}
	outcome := Unchanged
	if !sameAddr(pick.Value, want) {
		desired.Disabled = pick.Disabled
		var got providers.Record
		err := retrySkew(&calls.Update, func() (err error) {
			got, err = r.Provider.Update(ctx, rec.Zone, desired)
			return err
		})
		if providers.KindOf(err) == providers.KindConflict {
			return r.settle(ctx, rec, log, key, desired, pick.Value, err, calls)
		}
		if err != nil {
			calls.Failed++
			return Result{Outcome: Failed, Err: err, Calls: calls}
		}
		log.Info("updated", "from", pick.Value, "to", desired.Value, "record_id", pick.ID)
		outcome = Updated
		if pick.Disabled && !got.Disabled {
			// The provider's update call resumed it (DNSPod ModifyRecord).
			log.Warn("the record was paused at the provider; enabled it", "record_id", pick.ID, "value", desired.Value)
		}
		pick.Disabled = pick.Disabled && got.Disabled
	}
	if pick.Disabled {
		if err := r.enable(ctx, rec, log, desired, &calls); err != nil {
			calls.Failed++
			return Result{Outcome: Failed, Err: err, Calls: calls}
		}
		outcome = Updated
	}
	return r.remember(key, Result{Outcome: outcome, RecordID: pick.ID, Value: desired.Value, Calls: calls})
}

// enable resumes a paused record of ours, which otherwise would hold the
// value without publishing it.
func (r *Reconciler) enable(ctx context.Context, rec *config.Record, log *slog.Logger, desired providers.Record, calls *state.Calls) error {
	en, ok := r.Provider.(providers.Enabler)
	if !ok {
		return fmt.Errorf("record %s is paused at the provider and this provider cannot enable it", desired.ID)
	}
	err := retrySkew(&calls.Update, func() error { return en.Enable(ctx, rec.Zone, desired) })
	if err != nil {
		return err
	}
	log.Warn("the record was paused at the provider; enabled it", "record_id", desired.ID, "value", desired.Value)
	return nil
}

// settle handles a write refused because a record of the same name, type,
// line and value exists (alidns DomainRecordDuplicate, DNSPod
// DomainRecordExist, CNS 104). It looks again: when desired.ID itself holds
// the value the write had in effect happened; when another record holds it,
// that record is adopted and the result warns that desired.ID still
// publishes its old value beside it. Anything else fails with werr.
func (r *Reconciler) settle(ctx context.Context, rec *config.Record, log *slog.Logger, key string,
	desired providers.Record, old string, werr error, calls state.Calls) Result {
	existing, err := r.list(ctx, rec, desired.Line, &calls)
	if err != nil {
		calls.Failed++
		return Result{Outcome: Failed, Err: err, Calls: calls}
	}
	want, _ := netip.ParseAddr(desired.Value)
	var holder *providers.Record
	for i, x := range existing {
		if x.ID == desired.ID && sameAddr(x.Value, want) {
			holder = &existing[i]
			break
		}
		if sameAddr(x.Value, want) && (holder == nil || holder.Disabled && !x.Disabled) {
			holder = &existing[i]
		}
	}
	if holder == nil {
		calls.Failed++
		return Result{Outcome: Failed, Err: werr, Calls: calls}
	}
	res := Result{Outcome: Updated, RecordID: holder.ID, Value: desired.Value, Calls: calls}
	if holder.ID != desired.ID {
		stale := old
		for _, x := range existing {
			if x.ID == desired.ID {
				stale = x.Value
			}
		}
		if stale != "" && !sameAddr(stale, want) {
			res.Warning = fmt.Sprintf("record %s still publishes the old value %s beside record %s, which holds %s; delete record %s at the provider",
				desired.ID, stale, holder.ID, desired.Value, desired.ID)
			log.Warn("another record already holds the value; managing it from now on", "record_id", holder.ID,
				"stale_record_id", desired.ID, "stale_value", stale, "warning", res.Warning)
		} else {
			log.Info("another record already holds the value; managing it from now on", "record_id", holder.ID)
		}
	}
	if holder.Disabled {
		d := desired
		d.ID = holder.ID
		if err := r.enable(ctx, rec, log, d, &res.Calls); err != nil {
			res.Calls.Failed++
			return Result{Outcome: Failed, Err: err, Calls: res.Calls}
		}
	}
	return r.remember(key, res)
}

func (r *Reconciler) remember(key string, res Result) Result {
	if err := r.Store.Put(key, state.Applied{RecordID: res.RecordID, Value: res.Value, At: r.now().UTC()}); err != nil {
		// The provider holds the right value; losing the cache costs one
		// lookup after a restart, so report but do not fail the record.
		r.Log.Warn("could not persist state", "err", err)
	}
	return res
}

// retrySkew runs call once more, at once, when the provider refused the
// request's timestamp: the provider's Clock has learned the server's time
// from that response, so the second attempt is signed correctly.
func retrySkew(counter *int, call func() error) error {
	*counter++
	err := call()
	if providers.KindOf(err) == providers.KindClockSkew {
		*counter++
		err = call()
	}
	return err
}

// choose picks the record to manage among several of one name, type and
// line: an enabled one that already holds the value, else a paused one
// holding it, else the lowest enabled id, else the lowest id, so the choice
// is stable.
func choose(recs []providers.Record, want netip.Addr) providers.Record {
	sorted := append([]providers.Record(nil), recs...)
	sort.Slice(sorted, func(i, j int) bool {
		if len(sorted[i].ID) != len(sorted[j].ID) {
			return len(sorted[i].ID) < len(sorted[j].ID)
		}
		return sorted[i].ID < sorted[j].ID
	})
	for _, pass := range []func(providers.Record) bool{
		func(r providers.Record) bool { return sameAddr(r.Value, want) && !r.Disabled },
		func(r providers.Record) bool { return sameAddr(r.Value, want) },
		func(r providers.Record) bool { return !r.Disabled },
	} {
		for _, r := range sorted {
			if pass(r) {
				return r
			}
		}
	}
	return sorted[0]
}

// sameAddr compares a provider's textual value with an address, tolerating
// non-canonical spellings such as 2001:db8:0:0:0:0:0:1.
func sameAddr(s string, a netip.Addr) bool {
	p, err := netip.ParseAddr(s)
	return err == nil && p == a
}

// Describe renders a result for logs and `once` output.
func (res Result) Describe() string {
	if res.Err != nil {
		return fmt.Sprintf("%s: %v", res.Outcome, res.Err)
	}
	if res.Warning != "" {
		return res.Outcome.String() + "; warning: " + res.Warning
	}
	return res.Outcome.String()
}
