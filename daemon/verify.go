package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/httpdns"
	"github.com/eddns/eddns/providers"
)

// verifyWindow is how long a write of rec may take to become visible:
// resolvers keep the old answer for the record's TTL, the service caches
// answers for up to two minutes; an explicit verify_window is used as set.
func verifyWindow(h *config.HTTPDNS, rec *config.Record) time.Duration {
	return httpdns.Window(rec.TTL, h.Window)
}

// verifyOnce waits until resolvers (as the httpdns section h sees them)
// hand out want for rec, within the record's window. It returns the status
// line for `eddns status`/`once` and whether the value was seen.
func verifyOnce(ctx context.Context, client *httpdns.Client, rec *config.Record, h *config.HTTPDNS, want netip.Addr,
	sleep func(context.Context, time.Duration) error) (took time.Duration, msg string, err error) {
	window := verifyWindow(h, rec)
	took, err = client.WaitVisible(ctx, rec.FQDN(), rec.Type, want, window, sleep)
	if err == nil {
		return took, fmt.Sprintf("verified after %s", took.Round(time.Second)), nil
	}
	msg = fmt.Sprintf("not visible after %ds: %v", int(window.Seconds()), err)
	var nv *httpdns.NotVisible
	if errors.As(err, &nv) {
		last := "no address"
		switch {
		case nv.LastErr != nil:
			last = "query failed: " + nv.LastErr.Error()
		case len(nv.LastSeen) > 0:
			last = fmt.Sprint(nv.LastSeen)
		}
		msg = fmt.Sprintf("not visible after %ds (%d queries; last answer: %s)", int(window.Seconds()), nv.Attempts, last)
	}
	return took, msg, err
}

// verifier checks through HTTPDNS that what was written is what resolvers
// hand out. Each record has at most one check running; a newer write replaces
// it. Checks run beside the workers and never delay other records' updates.
type verifier struct {
	d      *daemon
	g      *generation
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	runs   map[string]context.CancelFunc
	wg     sync.WaitGroup
}

func newVerifier(d *daemon, g *generation) *verifier {
	ctx, cancel := context.WithCancel(context.Background())
	return &verifier{d: d, g: g, ctx: ctx, cancel: cancel, runs: map[string]context.CancelFunc{}}
}

func (v *verifier) stop() {
	v.cancel()
	v.wg.Wait()
}

func (v *verifier) start(rec *config.Record, want netip.Addr) {
	if rec.Verify == "" || v.d.o.DryRun {
		return
	}
	h := v.g.cfg.HTTPDNS[rec.Verify]
	if h == nil {
		return
	}
	key := rec.Key()
	ctx, cancel := context.WithCancel(v.ctx)
	v.mu.Lock()
	if prev := v.runs[key]; prev != nil {
		prev()
	}
	v.runs[key] = cancel
	v.mu.Unlock()
	v.g.tracker.verify(key, "pending", nil)
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		defer cancel()
		v.run(ctx, rec, h, want)
	}()
}

func (v *verifier) run(ctx context.Context, rec *config.Record, h *config.HTTPDNS, want netip.Addr) {
	key := rec.Key()
	log := v.d.log.With("record", rec.FQDN(), "type", rec.Type, "via", h.Name)
	client := NewHTTPDNSClient(h, v.d.clock, userAgent(v.d.o.Version))
	took, msg, err := verifyOnce(ctx, client, rec, h, want, nil)
	if ctx.Err() != nil {
		return // superseded by a newer write, or shutting down
	}
	if err == nil {
		now := time.Now().UTC()
		v.g.tracker.verify(key, msg, &now)
		log.Info("verified: resolvers serve the new value", "value", want, "after", took.Round(time.Millisecond).String())
		return
	}
	v.g.tracker.verify(key, msg, nil)
	log.Warn("verification failed; checking the provider's own state", "value", want, "err", err.Error())
	if w := v.g.workers[rec.Provider]; w != nil {
		// The provider may have lost or reverted the write: look again and
		// rewrite if its state disagrees; a matching state costs one lookup.
		w.Recheck(key)
	}
}

// NewHTTPDNSClient builds the client for an httpdns section; clock is shared
// with the providers so that what one server says about the time helps all.
func NewHTTPDNSClient(h *config.HTTPDNS, clock *providers.Clock, ua string) *httpdns.Client {
	return &httpdns.Client{URL: h.URL, AccountID: h.AccountID, Secret: h.Secret, Encrypt: h.Encrypt,
		Timeout: h.Timeout, Clock: clock, UserAgent: ua}
}
