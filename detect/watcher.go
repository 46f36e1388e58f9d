package detect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Bounds on how fast the watcher re-dumps after losing its netlink socket
// (ENOBUFS overrun, read error). The first retry is quick because an overrun
// during a burst is normal; repeated failures back off.
const (
	resyncMinDelay = 50 * time.Millisecond
	resyncMaxDelay = 10 * time.Second
	// A session that lasted this long resets the backoff.
	resyncHealthy = 30 * time.Second
)

// WatchOptions configures a Watcher.
type WatchOptions struct {
	// RADevices are the devices on which to listen for IPv6 router
	// advertisements (needs CAP_NET_RAW). Their prefix-information options
	// appear as Device.RAPrefixes.
	RADevices []string
	// Logger receives the watcher's decisions (re-dumps, NDP listener
	// trouble). Nil discards them.
	Logger *slog.Logger
	// NetNS is the path of a network namespace to watch instead of the
	// caller's, e.g. /run/netns/NAME. Tests use it; the daemon leaves it empty.
	NetNS string
	// HostMACs are the LAN hosts (source=host records) whose entries in
	// the kernel's neighbour table appear as Device.Neighbours. With none,
	// the watcher does not subscribe to neighbour events at all.
	HostMACs []MAC
	// Neighbours is what an earlier watcher knew of those hosts, by device
	// name (a reload's old generation): remembered, not live, when the
	// device first appears, so that a reload forgets neither a silent
	// host's addresses nor when each address was first seen, which the
	// "stable" order goes by.
	Neighbours map[string][]Neighbour
}

// Watcher keeps an always-current model of the host's devices, addresses and
// router-advertised prefixes, fed by netlink and NDP. Create one with
// NewWatcher and start it with Run.
type Watcher struct {
	opts    WatchOptions
	log     *slog.Logger
	changes chan struct{}
	ready   chan struct{}
	tracked map[MAC]bool // HostMACs; fixed after NewWatcher

	// The router-advert listeners: one per device, started by Run and
	// changed while running by SetRADevices. Lock order: mu, then raMu.
	raMu   sync.Mutex
	raKick map[string]chan struct{} // wakes a device's listener
	raStop map[string]raListener    // running listeners
	raCtx  context.Context          // Run's; nil before Run and after
	raWG   sync.WaitGroup

	mu        sync.Mutex
	m         *model
	isReady   bool
	raTimer   *time.Timer   // fires at the next RA prefix expiry; nil until needed
	signalled atomic.Uint64 // Changes signals raised, for tests and metrics
	resyncs   atomic.Uint64 // sessions started after the first, for tests
	rcvBuf    int           // socket receive buffer; tests shrink it to force ENOBUFS
	addrGen   atomic.Uint64 // see AddrGen
}

// NewWatcher returns a Watcher; nothing happens until Run.
func NewWatcher(opts WatchOptions) *Watcher {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{
		opts:    opts,
		log:     log,
		changes: make(chan struct{}, 1),
		ready:   make(chan struct{}),
		raKick:  map[string]chan struct{}{},
		raStop:  map[string]raListener{},
		m:       newModel(),
		rcvBuf:  sockRcvBuf,
	}
	for _, name := range opts.RADevices {
		w.raKick[name] = make(chan struct{}, 1)
	}
	if len(opts.HostMACs) > 0 {
		w.tracked = map[MAC]bool{}
		for _, m := range opts.HostMACs {
			w.tracked[m] = true
		}
		w.m.seed = map[string][]Neighbour{}
		for dev, ns := range opts.Neighbours {
			for _, n := range ns {
				if w.tracked[n.MAC] {
					w.m.seed[dev] = append(w.m.seed[dev], n)
				}
			}
		}
	}
	return w
}

// Changes returns a channel that receives a value after something a record
// could publish has changed: an address appeared or went away, an address
// became usable or unusable (DAD finished or failed, deprecated, temporary
// flag), a link went up or down or was replaced, or the set or usability of
// router-advertised prefixes changed. Signals are coalesced (capacity 1): read
// Snapshot after each one. A renewal that only refreshes lifetimes does not
// signal. Nothing is signalled before Ready is closed.
func (w *Watcher) Changes() <-chan struct{} { return w.changes }

// Ready returns a channel that is closed once the initial netlink dump has
// been applied, so that Snapshot reflects every existing device and address.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Snapshot returns a deep copy of the current model; it is safe to call from
// any goroutine. RA prefix lifetimes are restated as what remains now.
func (w *Watcher) Snapshot() Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.m.snapshot(time.Now())
}

// AddrGen counts the changes of links, addresses and router adverts (not
// of neighbours): a caller that compares it across Changes signals can tell
// a LAN host coming or going from a change of the router's own addresses.
func (w *Watcher) AddrGen() uint64 { return w.addrGen.Load() }

// signal raises Changes for a change of links, addresses or adverts.
// Called with w.mu held.
func (w *Watcher) signal() {
	w.addrGen.Add(1)
	w.raise()
}

// raise raises Changes without blocking. Called with w.mu held.
func (w *Watcher) raise() {
	if !w.isReady {
		return
	}
	w.signalled.Add(1)
	select {
	case w.changes <- struct{}{}:
	default: // a signal is already pending; the reader will see this change too
	}
}

// kickRA wakes the NDP listener of the named device, if any, after its link
// or addresses changed (it may now be able to listen, or must re-listen on a
// new ifindex).
func (w *Watcher) kickRA(name string) {
	w.raMu.Lock()
	defer w.raMu.Unlock()
	if ch, ok := w.raKick[name]; ok {
		poke(ch)
	}
}

// kickAllRA wakes every router-advert listener.
func (w *Watcher) kickAllRA() {
	w.raMu.Lock()
	defer w.raMu.Unlock()
	for _, ch := range w.raKick {
		poke(ch)
	}
}

// poke sends on a wake-up channel of capacity 1 without blocking: a wake-up
// already pending covers this one too.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// raListener is a running router-advert listener.
type raListener struct {
	stop context.CancelFunc
	done chan struct{} // closed when it has closed its socket
}

// SetRADevices changes the devices whose router adverts are listened to,
// e.g. after netifd moved a network onto a device that did not exist
// before (pppoe-wan appears at ifup). Listeners on devices still wanted
// keep running; removed ones have closed their sockets when it returns;
// the prefixes already heard stay in the model until their lifetimes end.
// Safe to call from any goroutine, before or during Run.
func (w *Watcher) SetRADevices(names []string) {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	var stopped []chan struct{}
	w.raMu.Lock()
	for name := range w.raKick {
		if want[name] {
			continue
		}
		if l, ok := w.raStop[name]; ok {
			l.stop()
			stopped = append(stopped, l.done)
			delete(w.raStop, name)
		}
		delete(w.raKick, name)
		w.log.Info("no longer listening for router advertisements", "device", name)
	}
	for name := range want {
		if _, ok := w.raKick[name]; ok {
			continue
		}
		w.raKick[name] = make(chan struct{}, 1)
		if w.raCtx != nil {
			w.startRALocked(name)
		}
	}
	w.raMu.Unlock()
	// Not under raMu: a listener may be taking mu, and mu's holders kick.
	for _, done := range stopped {
		<-done
	}
}

// startRALocked starts the listener of a device. Called with raMu held
// while Run is running.
func (w *Watcher) startRALocked(name string) {
	ctx, stop := context.WithCancel(w.raCtx)
	l := raListener{stop: stop, done: make(chan struct{})}
	w.raStop[name] = l
	kick := w.raKick[name]
	w.raWG.Go(func() {
		defer close(l.done)
		w.runRA(ctx, name, kick)
	})
}

// Run watches until ctx is done, then returns nil. It never gives up on a
// netlink failure: it re-dumps and resubscribes with bounded backoff, so the
// model is never left stale. Call Run once per Watcher.
func (w *Watcher) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		w.raMu.Lock()
		w.raCtx = nil // no listener starts after this
		clear(w.raStop)
		w.raMu.Unlock()
		w.raWG.Wait()
		w.mu.Lock()
		if w.raTimer != nil {
			w.raTimer.Stop()
		}
		w.mu.Unlock()
	}()
	w.raMu.Lock()
	w.raCtx = ctx
	for name := range w.raKick {
		w.startRALocked(name)
	}
	w.raMu.Unlock()

	delay := resyncMinDelay
	t := time.NewTimer(time.Hour)
	t.Stop()
	for {
		start := time.Now()
		err := w.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > resyncHealthy {
			delay = resyncMinDelay
		}
		w.log.Warn("netlink watch interrupted; re-dumping", "err", err, "after", delay)
		w.resyncs.Add(1)
		t.Reset(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(2*delay, resyncMaxDelay)
	}
}

// session opens a subscribed socket, dumps links then addresses into the
// model (sweeping what the dump no longer shows), and then follows events
// until an error. Events that arrive during the dumps are applied in order
// with them, so nothing between dump and subscription is lost.
func (w *Watcher) session(ctx context.Context) error {
	var c *nlConn
	err := inNetNS(w.opts.NetNS, func() (err error) {
		groups := uint32(unix.RTMGRP_LINK | unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR)
		if w.tracked != nil {
			groups |= unix.RTMGRP_NEIGH // on the same socket, so ordered with links and addresses
		}
		c, err = dialNetlink(groups, w.rcvBuf)
		return err
	})
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer func() {
		if stop() {
			c.Close()
		}
	}()

	w.mu.Lock()
	w.m.beginDump()
	w.mu.Unlock()
	for _, typ := range dumpTypes(w.tracked != nil) {
		seq, err := c.requestDump(typ)
		if err != nil {
			return err
		}
		for done := false; !done; {
			if done, err = w.receive(c, seq); err != nil {
				return err
			}
		}
	}
	w.mu.Lock()
	changed := w.m.sweep()
	if !w.isReady {
		w.isReady = true
		close(w.ready)
	} else if changed {
		w.signal()
	}
	w.mu.Unlock()
	w.kickAllRA()
	for {
		if _, err := w.receive(c, 0); err != nil {
			return err
		}
	}
}

// receive reads one datagram and applies it to the model under one lock,
// signalling Changes at most once. It reports whether the dump with
// sequence number dumpSeq (0: none) completed.
func (w *Watcher) receive(c *nlConn, dumpSeq uint32) (dumpDone bool, err error) {
	b, err := c.receive()
	if err != nil {
		return false, err
	}
	now := time.Now()
	p := nlParser{b: b, dumpSeq: dumpSeq}
	var changed, neighChanged, unknown bool
	w.mu.Lock()
	for {
		kind, perr := p.next()
		if perr != nil {
			err = perr
			break
		}
		if kind == msgEnd {
			break
		}
		switch kind {
		case msgDumpDone:
			dumpDone = true
		case msgLink:
			changed = w.applyLink(&p.link) || changed
		case msgNeigh:
			neighChanged = w.m.applyNeigh(&p.neigh, w.tracked, now) || neighChanged
		case msgAddr:
			ch, known := w.applyAddr(&p.addr, now)
			changed = ch || changed
			// A late RTM_DELADDR for a deleted link is harmless; an
			// address on a link we never heard of means our view is
			// inconsistent, so start over rather than guess.
			unknown = unknown || (!known && !p.addr.del)
		}
	}
	switch {
	case changed:
		w.signal()
	case neighChanged:
		w.raise() // a LAN host only: AddrGen stays
	}
	w.mu.Unlock()
	if err == nil && unknown {
		err = errors.New("netlink: address on unknown link")
	}
	return dumpDone, err
}

// applyLink applies lm and wakes the NDP listener concerned. w.mu is held.
func (w *Watcher) applyLink(lm *linkMsg) bool {
	var before string
	if d := w.m.byIndex[lm.index]; d != nil {
		before = d.name
	}
	if !w.m.applyLink(lm) {
		return false
	}
	if len(w.raKick) > 0 {
		if before != "" {
			w.kickRA(before)
		}
		w.kickRA(string(lm.name))
	}
	return true
}

// applyAddr applies am; a change of link-local address wakes the NDP
// listener of the device, which needs one. w.mu is held.
func (w *Watcher) applyAddr(am *addrMsg, now time.Time) (changed, known bool) {
	changed, known = w.m.applyAddr(am, now)
	if changed && len(w.raKick) > 0 && am.addr.Prefix.Addr().IsLinkLocalUnicast() {
		w.kickRA(w.m.byIndex[am.index].name)
	}
	return changed, known
}

// ReadOnce dumps the kernel's devices and addresses once and returns them,
// without router advertisements. It is what `eddns once` and `eddns detect`
// use.
func ReadOnce(ctx context.Context) (Snapshot, error) {
	return readOnce(ctx, "")
}

// ReadOnceHosts is ReadOnce that also reads the neighbour table entries of
// the given LAN hosts (source=host records).
func ReadOnceHosts(ctx context.Context, macs []MAC) (Snapshot, error) {
	return readOnceHosts(ctx, "", macs)
}

// dumpTypes lists the dumps a session starts with: links before addresses
// (an address names its link), then neighbours when hosts are tracked.
func dumpTypes(neigh bool) []uint16 {
	if neigh {
		return []uint16{unix.RTM_GETLINK, unix.RTM_GETADDR, unix.RTM_GETNEIGH}
	}
	return []uint16{unix.RTM_GETLINK, unix.RTM_GETADDR}
}

func readOnce(ctx context.Context, netNS string) (Snapshot, error) {
	return readOnceHosts(ctx, netNS, nil)
}

func readOnceHosts(ctx context.Context, netNS string, macs []MAC) (Snapshot, error) {
	var tracked map[MAC]bool
	for _, m := range macs {
		if tracked == nil {
			tracked = map[MAC]bool{}
		}
		tracked[m] = true
	}
	var c *nlConn
	err := inNetNS(netNS, func() (err error) {
		c, err = dialNetlink(0, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	m := newModel()
	now := time.Now()
	for _, typ := range dumpTypes(tracked != nil) {
		seq, err := c.requestDump(typ)
		if err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
		for done := false; !done; {
			b, err := c.receive()
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("detect: %w", ctx.Err())
				}
				return nil, fmt.Errorf("detect: %w", err)
			}
			for p := (nlParser{b: b, dumpSeq: seq}); ; {
				kind, err := p.next()
				if err != nil {
					return nil, fmt.Errorf("detect: %w", err)
				}
				if kind == msgEnd {
					break
				}
				switch kind {
				case msgDumpDone:
					done = true
				case msgLink:
					m.applyLink(&p.link)
				case msgAddr:
					m.applyAddr(&p.addr, now)
				case msgNeigh:
					m.applyNeigh(&p.neigh, tracked, now)
				}
			}
		}
	}
	return m.snapshot(now), nil
}
