// Package daemon wires the pieces of eddns together: the detect watcher feeds
// the planner, whose desired values go to one reconciler worker per provider;
// signals reload, resync and fix the clock. It holds no logic of its own
// beyond that wiring and the status file.
package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/detect"
	"github.com/eddns/eddns/events"
	"github.com/eddns/eddns/planner"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/registry"
	"github.com/eddns/eddns/reconciler"
	"github.com/eddns/eddns/state"
)

// Options configure Run and Once.
type Options struct {
	ConfigPath string
	DryRun     bool
	NoVerify   bool // once: do not wait for HTTPDNS verification
	Version    string
	Log        *slog.Logger
	// Level is adjusted to the config's log_level unless LevelFixed.
	Level      *slog.LevelVar
	LevelFixed bool
	// Signals delivers SIGHUP (reload), SIGUSR1 (full check), SIGUSR2 (clock
	// trustworthy) and SIGTERM/SIGINT (stop).
	Signals <-chan os.Signal
}

// daemon is the state of a running `eddns run`.
type daemon struct {
	o     Options
	log   *slog.Logger
	clock *providers.Clock
	gen   *generation
	trim  *trimmer

	fetchKick chan []*config.Record
	fetched   chan fetchResult
	leaseKick chan struct{}      // see hosts.go
	leased    chan detect.Leases // see hosts.go
	events    *events.Emitter    // see events.go
}

// generation is everything built from one configuration; a reload replaces
// it whole once the new configuration has validated.
type generation struct {
	cfg     *config.Config
	recs    []*config.Record // enabled records
	store   *state.Store
	tracker *tracker
	workers map[string]*reconciler.Worker // by provider section
	watcher *detect.Watcher
	verify  *verifier
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	in      planner.Inputs
	desired map[string]planner.Desired
	unclean bool   // the state cache may lag the providers: check them first
	addrGen uint64 // watcher.AddrGen at the last echo-service kick
}

type fetchResult struct {
	addrs map[string]netip.Addr
	errs  map[string]string
}

// Run is `eddns run`: it returns nil after SIGTERM once in-flight calls have
// finished, or an error if the configuration cannot be used at start.
func Run(ctx context.Context, o Options) error {
	cfg, err := config.Load(o.ConfigPath)
	if err != nil {
		return err
	}
	d := &daemon{
		o: o, log: o.Log, clock: providers.NewClock(nil),
		trim:      newTrimmer(),
		fetchKick: make(chan []*config.Record, 1),
		fetched:   make(chan fetchResult, 1),
		leaseKick: make(chan struct{}, 1),
		leased:    make(chan detect.Leases, 1),
	}
	d.events = d.newEmitter()
	defer d.events.Close()
	gen, err := d.build(ctx, cfg)
	if err != nil {
		return err
	}
	d.gen = gen
	d.log.Info("eddns started", "version", o.Version, "config", o.ConfigPath, "records", len(gen.recs), "dry_run", o.DryRun)

	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	go d.fetchLoop(fetchCtx)
	go d.trim.run(fetchCtx)
	go d.leaseLoop(fetchCtx)

	d.replan()
	d.kickFetch()
	d.kickLeases()

	resync := d.newResyncTimer()
	defer func() { resync.Stop() }()
	for {
		// Whatever woke the loop (start-up included) was work; the trimmer
		// waits for the quiet after it.
		d.trim.Poke()
		select {
		case <-ctx.Done():
			d.stop(d.gen)
			d.log.Info("eddns stopped")
			return nil
		case <-d.gen.watcher.Changes():
			d.replan()
			if g := d.gen.watcher.AddrGen(); g != d.gen.addrGen {
				// Not for a LAN host coming or going: the echo
				// services need not hear about those.
				d.gen.addrGen = g
				d.kickFetch()
			}
			d.kickLeases()
		case l := <-d.leased:
			d.gen.in.Leases = l
			d.replan()
		case r := <-d.fetched:
			d.gen.in.PublicIP, d.gen.in.PublicIPErrs = r.addrs, r.errs
			d.replan()
		case <-resync.C:
			d.log.Debug("periodic full check")
			d.fullCheck()
			resync = d.newResyncTimer()
		case sig := <-o.Signals:
			switch sig {
			case syscall.SIGHUP:
				d.reload(ctx)
				resync.Stop()
				resync = d.newResyncTimer()
			case syscall.SIGUSR1:
				d.log.Info("full check requested")
				d.fullCheck()
			case syscall.SIGUSR2:
				d.log.Info("clock is trustworthy now; dropping the learned offset and retrying", "offset", d.clock.Offset())
				d.clock.Reset()
				for _, w := range d.gen.workers {
					w.RetryNow()
				}
			case syscall.SIGTERM, os.Interrupt:
				d.log.Info("stopping: finishing calls in flight", "signal", sig.String())
				d.stop(d.gen)
				d.log.Info("eddns stopped")
				return nil
			}
		}
	}
}

// newResyncTimer returns the safety-net timer; a stopped one when disabled,
// so an idle daemon has no timer faster than resync_interval.
func (d *daemon) newResyncTimer() *time.Timer {
	iv := d.gen.cfg.Global.ResyncInterval
	if iv <= 0 {
		t := time.NewTimer(time.Hour)
		t.Stop()
		return t
	}
	return time.NewTimer(iv)
}

func (d *daemon) applyLogLevel(cfg *config.Config) {
	if d.o.Level == nil || d.o.LevelFixed {
		return
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(cfg.Global.LogLevel)); err == nil {
		d.o.Level.Set(l)
	}
}

// build creates providers, workers and the watcher for cfg and starts them.
func (d *daemon) build(ctx context.Context, cfg *config.Config) (*generation, error) {
	d.applyLogLevel(cfg)
	if w := config.CheckPermissions(cfg.File); w != "" {
		d.log.Warn(w)
	}
	checkTLS(cfg, d.log)
	store, warn, err := state.Open(cfg.Global.StateDir)
	if err != nil {
		return nil, err
	}
	if warn != "" {
		d.log.Warn(warn)
	}
	unclean, err := store.Background(func(err error) { d.log.Warn("could not persist state", "err", err) })
	if err != nil {
		return nil, err
	}
	if unclean {
		d.log.Warn("the previous run did not stop cleanly; checking every record at its provider before trusting the state cache")
	}
	g := &generation{cfg: cfg, store: store, workers: map[string]*reconciler.Worker{}, desired: map[string]planner.Desired{}, unclean: unclean}
	g.recs = enabled(cfg)
	if !cfg.Global.Enabled {
		d.log.Warn("global.enabled is 0: idle, no record is updated; set it to 1 and reload")
	}
	g.tracker = newTracker(cfg.Global.StateDir, d.o.Version, d.o.DryRun, d.clock, d.log)
	g.tracker.setRecords(g.recs, store)
	g.tracker.startWriter(store.WaitWritten)

	byProvider := map[string][]*config.Record{}
	for _, r := range g.recs {
		byProvider[r.Provider] = append(byProvider[r.Provider], r)
	}
	for name, recs := range byProvider {
		prov, err := registry.New(cfg.Providers[name], d.providerOptions())
		if err != nil {
			g.tracker.stopWriter()
			_ = store.Close()
			return nil, err
		}
		rc := &reconciler.Reconciler{Name: name, Provider: prov, Store: store, DryRun: d.o.DryRun, Log: d.log}
		w := reconciler.NewWorker(rc, d.onReport(g))
		w.SetRecords(recs)
		g.workers[name] = w
	}
	g.verify = newVerifier(d, g)
	g.in.Networks, g.in.NetworkErrs = resolveNetworks(ctx, g.recs)
	g.watcher = detect.NewWatcher(detect.WatchOptions{RADevices: raDevices(g.recs, g.in), Logger: d.log, HostMACs: hostMACs(g.recs)})

	gctx, cancel := context.WithCancel(ctx)
	g.cancel = cancel
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := g.watcher.Run(gctx); err != nil && gctx.Err() == nil {
			d.log.Error("address watcher stopped", "err", err)
		}
	}()
	for _, w := range g.workers {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			w.Run(gctx)
		}()
	}
	select {
	case <-g.watcher.Ready():
	case <-ctx.Done():
	}
	return g, nil
}

// checkTLS says once, clearly, when HTTPS endpoints cannot be verified
// because the router has no CA bundle. Verification itself is never skipped.
func checkTLS(cfg *config.Config, log *slog.Logger) {
	https := false
	for _, r := range cfg.Records {
		if p := cfg.Providers[r.Provider]; r.Enabled && p != nil && !strings.HasPrefix(p.Endpoint, "http://") {
			https = true
		}
	}
	if !https {
		return
	}
	if err := providers.CheckCABundle(); err != nil {
		log.Error("HTTPS updates will fail: " + err.Error())
	}
}

func (d *daemon) providerOptions() providers.Options {
	return providers.Options{Clock: d.clock, UserAgent: userAgent(d.o.Version)}
}

func userAgent(version string) string {
	return "eddns/" + version + " (+https://github.com/eddns/eddns)"
}

// stop ends a generation: workers finish the call they are in, then return.
func (d *daemon) stop(g *generation) {
	g.cancel()
	g.verify.stop()
	g.wg.Wait()
	g.tracker.stopWriter()
	if err := g.store.Close(); err != nil {
		d.log.Warn("could not persist state", "err", err)
	}
}

// reload re-reads the configuration; a configuration that does not validate
// leaves the running one untouched.
func (d *daemon) reload(ctx context.Context) {
	cfg, err := config.Load(d.o.ConfigPath)
	if err != nil {
		d.log.Error("reload: new configuration rejected; keeping the running one", "problems", err.Error())
		return
	}
	old := d.gen
	d.stop(old)
	gen, err := d.build(ctx, cfg)
	if err != nil {
		d.log.Error("reload: could not apply the new configuration; restoring the previous one", "err", err)
		gen, err = d.build(ctx, old.cfg)
		if err != nil {
			d.log.Error("reload: previous configuration failed too", "err", err)
			return
		}
	}
	gen.in.PublicIP, gen.in.PublicIPErrs = old.in.PublicIP, old.in.PublicIPErrs
	gen.in.Leases = old.in.Leases
	d.gen = gen
	d.log.Info("configuration reloaded", "records", len(gen.recs))
	d.replan()
	d.kickFetch()
}

// fullCheck looks every record up at its provider again.
func (d *daemon) fullCheck() {
	g := d.gen
	if hasNetworks(g.recs) {
		g.in.Networks, g.in.NetworkErrs = resolveNetworks(context.Background(), g.recs)
	}
	d.replan()
	for _, w := range g.workers {
		w.Resync()
	}
	d.kickFetch()
}

// replan computes every record's desired value and hands changes to the
// workers. It runs on every address event, so it does no I/O first: the
// workers start their calls before the status file is written.
func (d *daemon) replan() {
	g := d.gen
	g.in.Snapshot = g.watcher.Snapshot()
	type change struct {
		key string
		d   planner.Desired
	}
	var changed []change
	type wanted struct {
		prov, key string
		v         netip.Addr
	}
	var wants []wanted
	for _, r := range g.recs {
		want := planner.Plan(r, g.in)
		k := r.Key()
		if old, ok := g.desired[k]; ok && old == want {
			continue
		}
		g.desired[k] = want
		if want.OK() {
			d.log.Debug("desired value", "record", r.FQDN(), "type", r.Type, "value", want.Value)
			wants = append(wants, wanted{r.Provider, k, want.Value})
		} else {
			d.log.Info("nothing to publish; keeping the current record", "record", r.FQDN(), "type", r.Type, "reason", want.Reason)
		}
		changed = append(changed, change{k, want})
	}
	if len(wants) == 1 {
		// The common case, one record: straight to its worker.
		g.workers[wants[0].prov].Want(wants[0].key, wants[0].v)
	} else if len(wants) > 1 {
		// Several (start, a prefix change): together, so that the worker's
		// pass sees them all and lists each zone once (WantAll).
		batch := map[string]map[string]netip.Addr{}
		for _, w := range wants {
			if batch[w.prov] == nil {
				batch[w.prov] = map[string]netip.Addr{}
			}
			batch[w.prov][w.key] = w.v
		}
		for prov, b := range batch {
			g.workers[prov].WantAll(b)
		}
	}
	for _, c := range changed {
		g.tracker.desired(c.key, c.d)
	}
	if g.unclean {
		g.unclean = false
		for _, w := range g.workers {
			w.Resync()
		}
	}
}

func (d *daemon) onReport(g *generation) func(reconciler.Report) {
	return func(rep reconciler.Report) {
		d.trim.Poke()
		res := rep.Result
		if res.Outcome == reconciler.Failed {
			d.log.Error("update failed", "record", rep.Record.FQDN(), "type", rep.Record.Type,
				"err", res.Err.Error(), "retry_in", time.Until(rep.NextRetry).Round(time.Second).String())
		}
		old := g.tracker.published(rep.Record.Key())
		g.tracker.report(rep)
		d.emit(rep, old)
		if res.Outcome == reconciler.Created || res.Outcome == reconciler.Updated {
			g.verify.start(rep.Record, rep.Want)
		}
	}
}

// kickFetch asks the fetch goroutine to query the echo services for the url
// records of the current generation. A pending request is replaced, so the
// newest record list wins and kicks never pile up.
func (d *daemon) kickFetch() {
	var recs []*config.Record
	for _, r := range d.gen.recs {
		if r.Source == "url" {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return
	}
	for {
		select {
		case d.fetchKick <- recs:
			return
		default:
			select {
			case <-d.fetchKick:
			default:
			}
		}
	}
}

// fetchLoop queries the public-IP echo services whenever kicked (start,
// address change, resync) and hands the answers to the main loop.
func (d *daemon) fetchLoop(ctx context.Context) {
	for {
		var recs []*config.Record
		select {
		case <-ctx.Done():
			return
		case recs = <-d.fetchKick:
		}
		res := fetchPublicIPs(ctx, recs, d.log)
		select {
		case d.fetched <- res:
		case <-ctx.Done():
			return
		}
	}
}

func fetchPublicIPs(ctx context.Context, recs []*config.Record, log *slog.Logger) fetchResult {
	res := fetchResult{addrs: map[string]netip.Addr{}, errs: map[string]string{}}
	for _, r := range recs {
		a, err := detect.FetchPublicIP(ctx, nil, r.URLs, r.Type)
		if err != nil {
			log.Warn("public address lookup failed", "record", r.FQDN(), "err", err)
			res.errs[r.Key()] = err.Error()
			continue
		}
		res.addrs[r.Key()] = a
	}
	return res
}

func hasNetworks(recs []*config.Record) bool {
	for _, r := range recs {
		if r.Network != "" && r.Device == "" {
			return true
		}
	}
	return false
}

// resolveNetworks maps each `option network` to its L3 device through ubus.
func resolveNetworks(ctx context.Context, recs []*config.Record) (map[string]string, map[string]string) {
	devs, errs := map[string]string{}, map[string]string{}
	for _, r := range recs {
		if r.Network == "" || r.Device != "" {
			continue
		}
		if _, done := devs[r.Network]; done {
			continue
		}
		if _, done := errs[r.Network]; done {
			continue
		}
		dev, err := detect.ResolveNetwork(ctx, r.Network)
		if err != nil {
			errs[r.Network] = err.Error()
			continue
		}
		devs[r.Network] = dev
	}
	return devs, errs
}

// raDevices lists the devices whose router adverts we listen to: those of
// prefix records, where a new prefix matters before any address changes.
func raDevices(recs []*config.Record, in planner.Inputs) []string {
	set := map[string]bool{}
	for _, r := range recs {
		if r.Source != "prefix" {
			continue
		}
		if dev, _ := planner.Device(r, in); dev != "" {
			set[dev] = true
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
