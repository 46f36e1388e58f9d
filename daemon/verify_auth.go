package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/eddns/eddns/authverify"
	"github.com/eddns/eddns/config"
)

// verifyAuthoritative waits until every authoritative server of rec's zone
// serves want (option verify 'authoritative'), reporting each round that
// did not end the wait through pending. It returns the status line, naming
// the servers that agree, and whether all of them do.
func verifyAuthoritative(ctx context.Context, rec *config.Record, want netip.Addr, pending func(msg string)) (msg string, err error) {
	window := authverify.DefaultWindow
	checker := authverify.FromEnv()
	checker.Progress = func(r authverify.Result) {
		if pending != nil && ctx.Err() == nil {
			agree, total := r.Agreeing()
			pending(fmt.Sprintf("pending: %d of %d authoritative servers serve it: %s", agree, total, r.Summary()))
		}
	}
	res, err := checker.Wait(ctx, rec.Zone, rec.FQDN(), rec.Type, want, window)
	agree, total := res.Agreeing()
	switch {
	case err == nil:
		return fmt.Sprintf("verified at %d of %d authoritative servers after %s: %s",
			agree, total, res.Took.Round(time.Second), res.Summary()), nil
	case total > 0:
		return fmt.Sprintf("%d of %d authoritative servers serve it after %ds: %s", agree, total, int(window.Seconds()), res.Summary()), err
	}
	return fmt.Sprintf("not at every authoritative server after %ds: %v", int(window.Seconds()), err), err
}

// runAuthoritative is the daemon's check of a write at the zone's
// authoritative servers; status names the servers that agree.
func (v *verifier) runAuthoritative(ctx context.Context, rec *config.Record, want netip.Addr) {
	key := rec.Key()
	log := v.d.log.With("record", rec.FQDN(), "type", rec.Type, "via", config.VerifyAuthoritative)
	msg, err := verifyAuthoritative(ctx, rec, want, func(msg string) { v.d.tracker.verify(key, msg, nil) })
	if ctx.Err() != nil {
		return // superseded by a newer write, or shutting down
	}
	if err == nil {
		now := time.Now().UTC()
		v.d.tracker.verify(key, msg, &now)
		log.Info("verified: every authoritative server serves the new value", "value", want, "result", msg)
		return
	}
	v.d.tracker.verify(key, msg, nil)
	log.Warn("verification failed; checking the provider's own state", "value", want, "err", err.Error())
	if rw := v.g.workers[rec.Provider]; rw != nil {
		rw.w.Recheck(key)
	}
}
