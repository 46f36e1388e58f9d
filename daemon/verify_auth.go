package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/eddns/eddns/authverify"
	"github.com/eddns/eddns/config"
)

// runAuthoritative checks a write at the zone's authoritative servers
// (option verify 'authoritative'); status names the servers that agree.
func (v *verifier) runAuthoritative(ctx context.Context, rec *config.Record, want netip.Addr) {
	key := rec.Key()
	log := v.d.log.With("record", rec.FQDN(), "type", rec.Type, "via", config.VerifyAuthoritative)
	window := authverify.DefaultWindow
	checker := authverify.FromEnv()
	checker.Progress = func(r authverify.Result) {
		if ctx.Err() == nil {
			agree, total := r.Agreeing()
			v.g.tracker.verify(key, fmt.Sprintf("pending: %d of %d authoritative servers serve it: %s", agree, total, r.Summary()), nil)
		}
	}
	res, err := checker.Wait(ctx, rec.Zone, rec.FQDN(), rec.Type, want, window)
	if ctx.Err() != nil {
		return // superseded by a newer write, or shutting down
	}
	agree, total := res.Agreeing()
	if err == nil {
		now := time.Now().UTC()
		v.g.tracker.verify(key, fmt.Sprintf("verified at %d of %d authoritative servers after %s: %s",
			agree, total, res.Took.Round(time.Second), res.Summary()), &now)
		log.Info("verified: every authoritative server serves the new value", "value", want,
			"servers", res.Summary(), "after", res.Took.Round(time.Millisecond).String())
		return
	}
	msg := fmt.Sprintf("not at every authoritative server after %ds: %v", int(window.Seconds()), err)
	if total > 0 {
		msg = fmt.Sprintf("%d of %d authoritative servers serve it after %ds: %s", agree, total, int(window.Seconds()), res.Summary())
	}
	v.g.tracker.verify(key, msg, nil)
	log.Warn("verification failed; checking the provider's own state", "value", want, "err", err.Error())
	if w := v.g.workers[rec.Provider]; w != nil {
		w.Recheck(key)
	}
}
