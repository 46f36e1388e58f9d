package reconciler

import (
	"context"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/state"
)

// zoneKey names one zone listing: a zone and a record type.
type zoneKey struct{ zone, typ string }

// zoneLists holds the listings fetched for one pass of a worker, and which
// records have used theirs: a record's entries are valid for its first
// lookup in the pass only (after its own write they are stale).
type zoneLists struct {
	lists  map[zoneKey][]providers.Record
	served map[string]bool
}

// Prefetch lists, once each, the zones (per type) that at least two of recs
// share, when the provider can list a zone (providers.ZoneLister). Until
// EndPrefetch, Apply picks a record's entries out of that listing instead
// of calling List: a full check of 50 records in one zone costs one paged
// listing. It returns the calls made, charged to the first record of each
// zone. A failed listing is left out: those records list one by one.
func (r *Reconciler) Prefetch(ctx context.Context, recs []*config.Record) map[string]state.Calls {
	zl, ok := r.Provider.(providers.ZoneLister)
	if !ok || r.DryRun {
		return nil
	}
	count := map[zoneKey]int{}
	first := map[zoneKey]string{}
	for _, rec := range recs {
		k := zoneKey{rec.Zone, rec.Type}
		if count[k] == 0 {
			first[k] = rec.Key()
		}
		count[k]++
	}
	var calls map[string]state.Calls
	for k, n := range count {
		if n < 2 {
			continue
		}
		var c state.Calls
		var all []providers.Record
		err := retrySkew(&c.List, func() (err error) {
			all, err = zl.ListZone(ctx, k.zone, k.typ)
			return err
		})
		if calls == nil {
			calls = map[string]state.Calls{}
		}
		if err != nil {
			r.Log.Debug("zone listing failed; listing records one by one", "zone", k.zone, "type", k.typ, "err", err)
			c.Failed++
			calls[first[k]] = c
			continue
		}
		if r.zones == nil {
			r.zones = &zoneLists{lists: map[zoneKey][]providers.Record{}, served: map[string]bool{}}
		}
		r.zones.lists[k] = all
		calls[first[k]] = c
	}
	return calls
}

// EndPrefetch drops the listings of the pass.
func (r *Reconciler) EndPrefetch() { r.zones = nil }

// prefetched returns rec's entries (its name and type, every line) from the
// pass's zone listing, once per record.
func (r *Reconciler) prefetched(rec *config.Record) ([]providers.Record, bool) {
	if r.zones == nil {
		return nil, false
	}
	all, ok := r.zones.lists[zoneKey{rec.Zone, rec.Type}]
	if !ok || r.zones.served[rec.Key()] {
		return nil, false
	}
	r.zones.served[rec.Key()] = true
	out := providers.KeepExact(append([]providers.Record(nil), all...), rec.Name, rec.Type)
	return out, true
}

// prefetch lists the zones of the records due for a lookup now (a full
// check, retries after failures, records not in the state cache yet: the
// first start), see Reconciler.Prefetch.
func (w *Worker) prefetch(ctx context.Context) map[string]state.Calls {
	w.mu.Lock()
	var recs []*config.Record
	now := w.now()
	for _, k := range w.order {
		it := w.items[k]
		if !it.dirty || !it.want.IsValid() || it.nextTry.After(now) {
			continue
		}
		if _, cached := w.R.Store.Get(k); it.fresh || !cached { // these look the record up
			recs = append(recs, it.rec)
		}
	}
	w.mu.Unlock()
	if len(recs) < 2 {
		return nil
	}
	return w.R.Prefetch(ctx, recs)
}

func addCalls(a, b state.Calls) state.Calls {
	return state.Calls{List: a.List + b.List, Create: a.Create + b.Create, Update: a.Update + b.Update, Failed: a.Failed + b.Failed}
}
