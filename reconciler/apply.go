// Package reconciler makes a provider's records match what the planner wants,
// with as few API calls as possible: none when the cached state already
// matches, one write when a value changed.
package reconciler

import (
	"context"
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
}

// Reconciler applies desired values to one provider.
type Reconciler struct {
	Name     string // provider section name, for logs
	Provider providers.Provider
	Store    *state.Store
	DryRun   bool
	Log      *slog.Logger
	Now      func() time.Time // nil = time.Now
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

	desired := providers.Record{Name: rec.Name, Type: rec.Type, Value: wantS, TTL: rec.TTL}
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
		if providers.KindOf(err) != providers.KindNotFound {
			res.Calls.Failed++
			return Result{Outcome: Failed, Err: err, Calls: res.Calls}
		}
		// The record vanished at the provider (deleted by hand): look again.
		log.Warn("cached record id no longer exists at the provider; looking it up again", "record_id", desired.ID)
		_ = r.Store.Forget(key)
		desired.ID = ""
	}

	var existing []providers.Record
	err := retrySkew(&res.Calls.List, func() (err error) {
		existing, err = r.Provider.List(ctx, rec.Zone, rec.Name, rec.Type)
		return err
	})
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
		if err != nil {
			res.Calls.Failed++
			return Result{Outcome: Failed, Err: err, Calls: res.Calls}
		}
		log.Info("created", "value", wantS, "record_id", created.ID)
		return r.remember(key, Result{Outcome: Created, RecordID: created.ID, Value: wantS, Calls: res.Calls})
	}

	pick := choose(existing, want)
	if len(existing) > 1 {
		log.Warn("several records share this name and type; managing one and leaving the others alone",
			"count", len(existing), "record_id", pick.ID)
	}
	if sameAddr(pick.Value, want) {
		return r.remember(key, Result{Outcome: Unchanged, RecordID: pick.ID, Value: wantS, Calls: res.Calls})
	}
	desired.ID = pick.ID
	err = retrySkew(&res.Calls.Update, func() error {
		_, err := r.Provider.Update(ctx, rec.Zone, desired)
		return err
	})
	if err != nil {
		res.Calls.Failed++
		return Result{Outcome: Failed, Err: err, Calls: res.Calls}
	}
	log.Info("updated", "from", pick.Value, "to", wantS, "record_id", pick.ID)
	return r.remember(key, Result{Outcome: Updated, RecordID: pick.ID, Value: wantS, Calls: res.Calls})
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

// choose picks the record to manage among several of one name and type: one
// that already holds the value, else the lowest id, so the choice is stable.
func choose(recs []providers.Record, want netip.Addr) providers.Record {
	sorted := append([]providers.Record(nil), recs...)
	sort.Slice(sorted, func(i, j int) bool {
		if len(sorted[i].ID) != len(sorted[j].ID) {
			return len(sorted[i].ID) < len(sorted[j].ID)
		}
		return sorted[i].ID < sorted[j].ID
	})
	for _, r := range sorted {
		if sameAddr(r.Value, want) {
			return r
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
	return res.Outcome.String()
}
