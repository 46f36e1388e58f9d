// Package daemon wires the pieces of eddns together: the detect watcher feeds
// the planner, whose desired values go to one reconciler worker per provider;
// signals reload, resync and fix the clock. It holds no logic of its own
// beyond that wiring and the status file.
package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/detect"
	"github.com/eddns/eddns/events"
	"github.com/eddns/eddns/httpc"
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
	// trustworthy), SIGWINCH (interfaces changed) and SIGTERM/SIGINT (stop).
	Signals <-chan os.Signal
	// StatusCopy, when set, is a root-owned file the status is also
	// written into, in place, for LuCI (see state.WriteStatusCopy).
	StatusCopy string
	// DHCPLeaseFiles are dnsmasq's lease files; none: those named by
	// /etc/config/dhcp (see leaseFiles).
	DHCPLeaseFiles []string

	// env replaces the system (netlink, ubus, echo services) in tests.
	env *environment
}

// SignalInterfaces is what the iface hotplug sends when netifd brought an
// interface up or changed it: re-resolve `option network` names and
// re-plan; only records whose desired value changed reach their provider.
// Its default action is to be ignored, so a hotplug event that races the
// daemon's start cannot kill it.
const SignalInterfaces = syscall.SIGWINCH

// addrWatcher is the address model the daemon follows: detect.Watcher on a
// router, a scripted one in tests.
type addrWatcher interface {
	Run(ctx context.Context) error
	Ready() <-chan struct{}
	Changes() <-chan struct{}
	Snapshot() detect.Snapshot
	// AddrGen counts link, address and advert changes (not LAN hosts).
	AddrGen() uint64
	// SetRADevices changes the devices whose router adverts are heard.
	SetRADevices(names []string)
}

// environment is what the daemon asks of the system.
type environment struct {
	newWatcher func(detect.WatchOptions) addrWatcher
	resolve    func(ctx context.Context, network string) (string, error)
	fetchIP    func(ctx context.Context, urls []string, typ string) (netip.Addr, error)
}

func systemEnv() *environment {
	return &environment{
		newWatcher: func(o detect.WatchOptions) addrWatcher { return detect.NewWatcher(o) },
		resolve:    detect.ResolveNetwork,
		fetchIP: func(ctx context.Context, urls []string, typ string) (netip.Addr, error) {
			return detect.FetchPublicIP(ctx, nil, urls, typ)
		},
	}
}

// daemon is the state of a running `eddns run`.
type daemon struct {
	o       Options
	env     *environment
	log     *slog.Logger
	clocks  *httpc.Clocks
	tracker *tracker
	gen     *generation
	cur     atomic.Pointer[generation] // gen, for the worker goroutines
	trim    *trimmer

	fetchKick chan []*config.Record
	fetched   chan fetchResult
	died      chan *generation // a generation's watcher stopped on its own
	leaseKick chan struct{}    // see hosts.go
	leased    chan leaseSet    // see hosts.go
	leaseWant atomic.Uint32    // leasesWanted of the running generation
	events    *events.Emitter  // see events.go
}

// generation is everything built from one configuration. A reload builds
// the next one completely (workers of unchanged providers carried over)
// before the old one is stopped.
type generation struct {
	cfg     *config.Config
	recs    []*config.Record // enabled records
	store   *state.Store
	workers map[string]*runningWorker // by provider section
	watcher addrWatcher
	verify  *verifier
	cancel  context.CancelFunc // stops the watcher
	done    chan struct{}      // closed when the watcher has returned

	in      planner.Inputs
	desired map[string]planner.Desired
	unclean bool   // the state cache may lag the providers: check them first
	addrGen uint64 // watcher.AddrGen at the last echo-service kick
}

// runningWorker is one provider's worker and what it was built from; it
// outlives a reload that leaves its provider section and state dir alone,
// and with it every record's pending value and backoff.
type runningWorker struct {
	w       *reconciler.Worker
	section config.Provider
	store   *state.Store
	cancel  context.CancelFunc
	done    chan struct{}
}

func (rw *runningWorker) start() {
	ctx, cancel := context.WithCancel(context.Background())
	rw.cancel, rw.done = cancel, make(chan struct{})
	go func() {
		defer close(rw.done)
		rw.w.Run(ctx)
	}()
}

// stop ends the worker once the call in flight has finished.
func (rw *runningWorker) stop() {
	if rw.cancel != nil {
		rw.cancel()
		<-rw.done
	}
}

type fetchResult struct {
	addrs map[string]netip.Addr
	errs  map[string]string
}

// Run is `eddns run`: it returns nil after SIGTERM once in-flight calls have
// finished, or an error if the configuration cannot be used at start or
// the address watcher stops (so procd restarts the daemon).
func Run(ctx context.Context, o Options) error {
	cfg, err := config.Load(o.ConfigPath)
	if err != nil {
		return err
	}
	env := o.env
	if env == nil {
		env = systemEnv()
	}
	d := &daemon{
		o: o, env: env, log: o.Log,
		clocks:    &httpc.Clocks{Log: o.Log},
		trim:      newTrimmer(),
		fetchKick: make(chan []*config.Record, 1),
		fetched:   make(chan fetchResult, 1),
		died:      make(chan *generation, 1),
		leaseKick: make(chan struct{}, 1),
		leased:    make(chan leaseSet, 1),
	}
	d.events = d.newEmitter()
	defer d.events.Close()
	gen, err := d.build(ctx, cfg, nil)
	if err != nil {
		return err
	}
	d.commit(gen, nil)
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
			d.stopAll()
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
			d.gen.in.Leases, d.gen.in.Leases4 = l.v6, l.v4
			d.replan()
		case r := <-d.fetched:
			d.gen.in.PublicIP, d.gen.in.PublicIPErrs = r.addrs, r.errs
			d.replan()
		case g := <-d.died:
			if g != d.gen {
				continue // an old generation's, already replaced
			}
			d.log.Error("address watcher stopped; exiting so that procd restarts eddns")
			d.stopAll()
			return errors.New("address watcher stopped")
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
			case SignalInterfaces:
				d.log.Info("interfaces changed; re-evaluating")
				d.interfacesChanged()
			case syscall.SIGUSR2:
				d.log.Info("clock is trustworthy now; dropping learned offsets and retrying", "offset", d.clocks.Largest())
				d.clocks.Reset()
				for _, rw := range d.gen.workers {
					rw.w.RetryNow()
				}
			case syscall.SIGTERM, os.Interrupt:
				d.log.Info("stopping: finishing calls in flight", "signal", sig.String())
				d.stopAll()
				d.log.Info("eddns stopped")
				return nil
			}
		}
	}
}

// trustPersistedTime raises the time certificates are checked at to the
// last known good time saved in dir, and saves it there from now on.
func trustPersistedTime(dir string, log *slog.Logger) {
	tt := httpc.DefaultTrustedTime
	if t, err := state.LoadTrustedTime(dir); err != nil {
		log.Warn("last known good time unreadable; using the build time and the system clock", "err", err)
	} else {
		tt.Raise(t)
	}
	tt.SetSave(func(t time.Time) error { return state.SaveTrustedTime(dir, t) })
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

// build makes the generation for cfg and starts its watcher, reusing the
// workers of old whose provider section and state are unchanged. Nothing
// of old is touched: on error the new parts are stopped and old runs on.
func (d *daemon) build(ctx context.Context, cfg *config.Config, old *generation) (*generation, error) {
	if w := config.CheckPermissions(cfg.File); w != "" {
		d.log.Warn(w)
	}
	checkTLS(cfg, d.log)
	g := &generation{cfg: cfg, workers: map[string]*runningWorker{}, desired: map[string]planner.Desired{}}
	if old != nil && old.cfg.Global.StateDir == cfg.Global.StateDir {
		g.store = old.store
	} else {
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
		g.store, g.unclean = store, unclean
	}
	g.recs = enabled(cfg)

	byProvider := map[string][]*config.Record{}
	for _, r := range g.recs {
		byProvider[r.Provider] = append(byProvider[r.Provider], r)
	}
	for name, recs := range byProvider {
		sec := *cfg.Providers[name]
		if old != nil {
			if rw := old.workers[name]; rw != nil && sameProvider(rw.section, sec) && rw.store == g.store {
				g.workers[name] = rw
				continue
			}
		}
		prov, err := registry.New(cfg.Providers[name], d.providerOptions(cfg.Providers[name]))
		if err != nil {
			d.closeNewStore(g, old)
			return nil, err
		}
		rc := &reconciler.Reconciler{Name: name, Provider: prov, Store: g.store, DryRun: d.o.DryRun, Log: d.log}
		w := reconciler.NewWorker(rc, d.onReport)
		w.SetRecords(recs)
		g.workers[name] = &runningWorker{w: w, section: sec, store: g.store}
	}
	g.verify = newVerifier(d, g)
	g.in.Networks, g.in.NetworkErrs = d.resolveNetworks(ctx, g.recs)
	wo := detect.WatchOptions{RADevices: raDevices(g.recs, g.in), Logger: d.log, HostMACs: hostMACs(g.recs)}
	if old != nil && len(wo.HostMACs) > 0 {
		wo.Neighbours = neighboursOf(old.watcher.Snapshot())
	}
	g.watcher = d.env.newWatcher(wo)

	gctx, cancel := context.WithCancel(ctx)
	g.cancel, g.done = cancel, make(chan struct{})
	go func() {
		defer close(g.done)
		err := g.watcher.Run(gctx)
		if gctx.Err() == nil {
			d.log.Error("address watcher stopped", "err", err)
			select {
			case d.died <- g:
			default:
			}
		}
	}()
	select {
	case <-g.watcher.Ready():
	case <-g.done:
		g.verify.stop()
		d.closeNewStore(g, old)
		return nil, errors.New("address watcher stopped before its first dump")
	case <-ctx.Done():
	}
	return g, nil
}

// sameProvider reports whether two provider sections configure the same
// account and endpoint (where they were written does not matter).
func sameProvider(a, b config.Provider) bool {
	if !a.Settings.Equal(b.Settings) {
		return false
	}
	a.Pos, b.Pos, a.Settings, b.Settings = config.Pos{}, config.Pos{}, providers.Settings{}, providers.Settings{}
	return a == b
}

// commit makes g the running generation and stops what is left of old:
// its watcher, its verifications and the workers g did not carry over.
func (d *daemon) commit(g, old *generation) {
	d.applyLogLevel(g.cfg)
	if old == nil || old.cfg.Global.StateDir != g.cfg.Global.StateDir {
		trustPersistedTime(g.cfg.Global.StateDir, d.log)
	}
	if d.tracker == nil {
		d.tracker = newTracker(g.cfg.Global.StateDir, d.o.Version, d.o.DryRun, d.clocks.Largest, d.log)
		d.tracker.copyPath = d.o.StatusCopy
		// status.json follows state.json to the disk, off the hot path.
		d.tracker.startWriter(func() {
			if cur := d.cur.Load(); cur != nil {
				cur.store.WaitWritten()
			}
		})
	}
	d.tracker.setDir(g.cfg.Global.StateDir)
	d.tracker.setRecords(g.recs, g.store)
	if !g.cfg.Global.Enabled {
		d.log.Warn("global.enabled is 0: idle, no record is updated; set it to 1 and reload")
	}
	byProvider := map[string][]*config.Record{}
	for _, r := range g.recs {
		byProvider[r.Provider] = append(byProvider[r.Provider], r)
	}
	d.gen = g
	d.cur.Store(g)
	for name, rw := range g.workers {
		if rw.cancel != nil {
			rw.w.SetRecords(byProvider[name]) // carried over: keeps unchanged records' state
		} else {
			rw.start()
		}
	}
	if old == nil {
		return
	}
	old.cancel()
	old.verify.stop()
	for name, rw := range old.workers {
		if g.workers[name] != rw {
			rw.stop()
		}
	}
	<-old.done
	if old.store != g.store {
		d.closeStore(old.store)
	}
}

// closeNewStore closes g's store after a failed build when it is not the
// one old still uses.
func (d *daemon) closeNewStore(g, old *generation) {
	if old == nil || g.store != old.store {
		d.closeStore(g.store)
	}
}

// closeStore ends a store's background writing with a final durable write.
func (d *daemon) closeStore(s *state.Store) {
	if err := s.Close(); err != nil {
		d.log.Warn("could not persist state", "err", err)
	}
}

// stopAll ends the running generation: workers finish the call they are
// in, then return.
func (d *daemon) stopAll() {
	g := d.gen
	g.cancel()
	g.verify.stop()
	for _, rw := range g.workers {
		rw.stop()
	}
	<-g.done
	d.tracker.stopWriter()
	d.closeStore(g.store)
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

// providerOptions gives each provider endpoint its own clock: sections of
// one type on the official endpoint share it, a custom endpoint has its own.
func (d *daemon) providerOptions(p *config.Provider) providers.Options {
	return providers.Options{Clock: d.clocks.For(clockKey(p)), UserAgent: userAgent(d.o.Version)}
}

// clockKey names the endpoint whose clock signs p's requests.
func clockKey(p *config.Provider) string {
	if p.Endpoint != "" {
		return p.Endpoint
	}
	return "official " + p.Type
}

func userAgent(version string) string {
	return "eddns/" + version + " (+https://github.com/eddns/eddns)"
}

// reload re-reads the configuration and builds the new generation beside
// the running one; only once it is complete does it replace the old. A
// configuration that does not validate or cannot be built leaves the
// running one untouched, and the log says why.
func (d *daemon) reload(ctx context.Context) {
	cfg, err := config.Load(d.o.ConfigPath)
	if err != nil {
		d.log.Error("reload: new configuration rejected; keeping the running one", "problems", err.Error())
		return
	}
	old := d.gen
	gen, err := d.build(ctx, cfg, old)
	if err != nil {
		d.log.Error("reload: could not apply the new configuration; keeping the running one", "err", err)
		return
	}
	gen.in.PublicIP, gen.in.PublicIPErrs = old.in.PublicIP, old.in.PublicIPErrs
	gen.in.Leases, gen.in.Leases4 = old.in.Leases, old.in.Leases4
	d.commit(gen, old)
	d.log.Info("configuration reloaded", "records", len(gen.recs))
	d.replan()
	d.kickFetch()
}

// fullCheck looks every record up at its provider again.
func (d *daemon) fullCheck() { d.reevaluate(true) }

// interfacesChanged is netifd's news that an interface came up or changed:
// the names behind `option network` may point elsewhere now, and records
// that failed while it was down deserve a retry. Records whose desired
// value is unchanged cost no API call.
func (d *daemon) interfacesChanged() { d.reevaluate(false) }

// reevaluate resolves networks again, re-plans and asks the echo services
// again; full makes every record due and looked up, otherwise only failing
// records are retried now.
func (d *daemon) reevaluate(full bool) {
	g := d.gen
	if hasNetworks(g.recs) {
		g.in.Networks, g.in.NetworkErrs = d.resolveNetworks(context.Background(), g.recs)
		// A network may now sit on a device that did not exist at start
		// (pppoe-wan is made at ifup): listen for its adverts too.
		g.watcher.SetRADevices(raDevices(g.recs, g.in))
	}
	d.replan()
	for _, rw := range g.workers {
		if full {
			rw.w.Resync()
		} else {
			rw.w.RetryNow()
		}
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
	switch {
	case g.unclean:
		// After a crash the state cache may lag the providers: every
		// record is looked up, together with its new value, in one pass
		// per worker (one listing per zone).
		g.unclean = false
		batch := map[string]map[string]netip.Addr{}
		for _, w := range wants {
			if batch[w.prov] == nil {
				batch[w.prov] = map[string]netip.Addr{}
			}
			batch[w.prov][w.key] = w.v
		}
		for prov, rw := range g.workers {
			rw.w.ResyncWith(batch[prov])
		}
	case len(wants) == 1:
		// The common case, one record: straight to its worker.
		g.workers[wants[0].prov].w.Want(wants[0].key, wants[0].v)
	case len(wants) > 1:
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
			g.workers[prov].w.WantAll(b)
		}
	}
	for _, c := range changed {
		d.tracker.desired(c.key, c.d)
	}
}

// onReport is called by the workers, whichever generation they started in.
func (d *daemon) onReport(rep reconciler.Report) {
	d.trim.Poke()
	res := rep.Result
	if res.Outcome == reconciler.Failed {
		d.log.Error("update failed", "record", rep.Record.FQDN(), "type", rep.Record.Type,
			"err", res.Err.Error(), "retry_in", time.Until(rep.NextRetry).Round(time.Second).String())
	}
	old := d.tracker.published(rep.Record.Key())
	d.tracker.report(rep)
	d.emit(rep, old)
	if res.Outcome == reconciler.Created || res.Outcome == reconciler.Updated {
		d.cur.Load().verify.start(rep.Record, rep.Want)
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
		res := fetchPublicIPs(ctx, recs, d.env.fetchIP, d.log)
		select {
		case d.fetched <- res:
		case <-ctx.Done():
			return
		}
	}
}

func fetchPublicIPs(ctx context.Context, recs []*config.Record, fetch func(context.Context, []string, string) (netip.Addr, error), log *slog.Logger) fetchResult {
	res := fetchResult{addrs: map[string]netip.Addr{}, errs: map[string]string{}}
	for _, r := range recs {
		a, err := fetch(ctx, r.URLs, r.Type)
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

func (d *daemon) resolveNetworks(ctx context.Context, recs []*config.Record) (map[string]string, map[string]string) {
	return resolveNetworks(ctx, recs, d.env.resolve)
}

// resolveNetworks maps each `option network` to its L3 device through ubus.
func resolveNetworks(ctx context.Context, recs []*config.Record, resolve func(context.Context, string) (string, error)) (map[string]string, map[string]string) {
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
		dev, err := resolve(ctx, r.Network)
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
