package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/detect"
	"github.com/eddns/eddns/httpdns/httpdnstest"
	"github.com/eddns/eddns/providers/alidns/alidnstest"
	"github.com/eddns/eddns/providers/providertest"
	eddnsstate "github.com/eddns/eddns/state"
)

var stateStatus = eddnsstate.ReadStatus

// These tests run the daemon loop (Run) without root: the address watcher,
// ubus and the echo services are replaced through environment; the
// provider is alidns's fake API over plain http on loopback. Signals are
// sent on the Options channel. Waits are bounded; nothing asserts on timing.

const (
	keyID  = "LTAI5tTestKeyID0000001"
	secret = "testSecretValue000000000000001"
	zone   = "example.com"
	limit  = 10 * time.Second
)

// fakeWatcher is a scripted address model.
type fakeWatcher struct {
	mu      sync.Mutex
	snap    detect.Snapshot
	changes chan struct{}
	ready   chan struct{}
	running atomic.Bool
	fail    chan error // Run returns what is sent here
	gen     atomic.Uint64
	ra      []string // devices of router-advert listeners
	opts    detect.WatchOptions
}

func newFakeWatcher(snap detect.Snapshot) *fakeWatcher {
	w := &fakeWatcher{snap: snap, changes: make(chan struct{}, 1), ready: make(chan struct{}), fail: make(chan error, 1)}
	close(w.ready)
	return w
}

func (w *fakeWatcher) Run(ctx context.Context) error {
	w.running.Store(true)
	defer w.running.Store(false)
	select {
	case <-ctx.Done():
		return nil
	case err := <-w.fail:
		return err
	}
}
func (w *fakeWatcher) SetRADevices(names []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ra = slices.Clone(names)
}

func (w *fakeWatcher) raDevices() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.ra)
}

func (w *fakeWatcher) Ready() <-chan struct{}   { return w.ready }
func (w *fakeWatcher) Changes() <-chan struct{} { return w.changes }
func (w *fakeWatcher) AddrGen() uint64          { return w.gen.Load() }
func (w *fakeWatcher) Snapshot() detect.Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.snap
}

// set replaces the model and reports the change, as netlink would.
func (w *fakeWatcher) set(snap detect.Snapshot) {
	w.mu.Lock()
	w.snap = snap
	w.mu.Unlock()
	w.gen.Add(1) // an address change, as detect.Watcher counts it
	select {
	case w.changes <- struct{}{}:
	default:
	}
}

// world is one daemon under test.
type world struct {
	t        *testing.T
	fake     providertest.Fake
	endpoint string
	dir      string
	conf     string
	logs     *syncBuffer
	sigs     chan os.Signal
	done     chan error
	cancel   context.CancelFunc
	env      *environment
	mu       sync.Mutex
	snap     detect.Snapshot
	networks map[string]string // option network -> device, for resolve
	resolves atomic.Int32
	watchers []*fakeWatcher
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newWorld(t *testing.T) *world {
	w := &world{t: t, fake: alidnstest.New(keyID, secret), dir: t.TempDir(), logs: &syncBuffer{},
		networks: map[string]string{}}
	w.fake.AddZone(zone)
	srv := httptest.NewServer(w.fake)
	t.Cleanup(srv.Close)
	w.endpoint = srv.URL
	w.conf = filepath.Join(w.dir, "eddns.conf")
	w.env = &environment{
		newWatcher: func(o detect.WatchOptions) addrWatcher {
			w.mu.Lock()
			defer w.mu.Unlock()
			fw := newFakeWatcher(w.snap)
			fw.ra, fw.opts = o.RADevices, o
			w.watchers = append(w.watchers, fw)
			return fw
		},
		resolve: func(ctx context.Context, network string) (string, error) {
			w.resolves.Add(1)
			w.mu.Lock()
			defer w.mu.Unlock()
			if dev, ok := w.networks[network]; ok {
				return dev, nil
			}
			return "", fmt.Errorf("network %s unknown", network)
		},
		fetchIP: func(ctx context.Context, urls []string, typ string) (netip.Addr, error) {
			return netip.Addr{}, fmt.Errorf("no echo service in this test")
		},
	}
	return w
}

// config writes the configuration: a global section with stateDir, the
// fake's provider section 'ali' and records.
func (w *world) config(stateDir string, records ...string) {
	w.t.Helper()
	text := fmt.Sprintf("config global 'global'\n\toption state_dir '%s'\n\toption resync_interval '0'\n\n", stateDir) +
		fmt.Sprintf("config provider 'ali'\n\toption type 'alidns'\n\toption access_key_id '%s'\n\toption access_key_secret '%s'\n\toption endpoint '%s'\n\n", keyID, secret, w.endpoint) +
		strings.Join(records, "")
	if err := os.WriteFile(w.conf, []byte(text), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

func record(section string, opts ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "config record '%s'\n\toption provider 'ali'\n\toption zone '%s'\n\toption name '%s'\n", section, zone, section)
	for i := 0; i+1 < len(opts); i += 2 {
		fmt.Fprintf(&b, "\toption %s '%s'\n", opts[i], opts[i+1])
	}
	return b.String() + "\n"
}

func (w *world) start() {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.sigs, w.done = cancel, make(chan os.Signal, 4), make(chan error, 1)
	o := Options{ConfigPath: w.conf, Version: "test", Signals: w.sigs, env: w.env,
		Log: slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	go func() { w.done <- Run(ctx, o) }()
	w.t.Cleanup(func() {
		cancel()
		select {
		case <-w.done:
		case <-time.After(limit):
			w.t.Error("Run did not return after cancel")
		}
	})
	w.waitLog("eddns started")
}

func (w *world) signal(s os.Signal) { w.sigs <- s }

func (w *world) waitFor(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("gave up waiting for %s; log:\n%s", what, w.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *world) waitLog(s string) {
	w.t.Helper()
	w.waitFor("log "+s, func() bool { return strings.Contains(w.logs.String(), s) })
}

func (w *world) value(name string) string {
	for _, r := range w.fake.Records(zone) {
		if r.Name == name {
			return r.Value
		}
	}
	return ""
}

func (w *world) waitValue(name, value string) {
	w.t.Helper()
	w.waitFor(name+" = "+value, func() bool { return w.value(name) == value })
}

// quiesce waits until the fake has seen no request for a while, so that
// counts read after it are final for the step just taken. It is not a
// timing assertion: a slow machine only makes it wait longer.
func (w *world) quiesce() {
	w.t.Helper()
	last, stable := -1, 0
	w.waitFor("quiet", func() bool {
		n := w.fake.Calls("DescribeSubDomainRecords") + w.fake.Calls("AddDomainRecord") + w.fake.Calls("UpdateDomainRecord")
		if n == last {
			stable++
		} else {
			last, stable = n, 0
		}
		return stable >= 40 // 200 ms without a request
	})
}

// lists counts lookups: by name, or of the whole zone (ZoneLister).
func lists(f providertest.Fake) int {
	return f.Calls("DescribeSubDomainRecords") + f.Calls("DescribeDomainRecords")
}

func addrSnap(dev, a string) detect.Snapshot {
	return detect.Snapshot{dev: {Name: dev, Index: 2, Up: true, Addrs: []detect.Addr{{
		Prefix: netip.PrefixFrom(netip.MustParseAddr(a), 64), Preferred: detect.Forever, Valid: detect.Forever, Seen: time.Now()}}}}
}

func merge(snaps ...detect.Snapshot) detect.Snapshot {
	out := detect.Snapshot{}
	for _, s := range snaps {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}

// TestReloadKeepsUnchangedRecordState: a record in backoff after an
// authentication failure (a minute) keeps that backoff across a reload
// that adds another record; the new record is published at once. Before,
// a reload built new workers and the failing record was retried at once.
func TestReloadKeepsUnchangedRecordState(t *testing.T) {
	w := newWorld(t)
	state := filepath.Join(w.dir, "state")
	a := record("a", "type", "AAAA", "source", "static", "value", "2001:db8::a")
	w.fake.Faults().Push(providertest.Fault{Code: "InvalidAccessKeyId.NotFound", Status: 404})
	w.config(state, a)
	w.start()
	w.waitLog("update failed")
	w.quiesce()
	before := lists(w.fake)

	w.config(state, a, record("b", "type", "AAAA", "source", "static", "value", "2001:db8::b"))
	w.signal(syscall.SIGHUP)
	w.waitLog("configuration reloaded")
	w.waitValue("b", "2001:db8::b")
	w.quiesce()
	if v := w.value("a"); v != "" {
		t.Errorf("record a published (%s) at reload: its backoff was dropped", v)
	}
	if got := lists(w.fake) - before; got != 1 {
		t.Errorf("%d lookups after the reload, want 1 (record b only)", got)
	}
}

// TestReloadHandsOverNeighbours: the new generation's watcher is given
// what the old one knew of the LAN hosts (detect.WatchOptions.Neighbours),
// so a reload forgets neither a silent host nor when its addresses were
// first seen.
func TestReloadHandsOverNeighbours(t *testing.T) {
	w := newWorld(t)
	state := filepath.Join(w.dir, "state")
	mac, _ := detect.ParseMAC("02:11:32:12:34:56")
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lan := addrSnap("br-lan", "2001:db8:1:10::1")
	dev := lan["br-lan"]
	dev.Neighbours = []detect.Neighbour{{Addr: netip.MustParseAddr("2001:db8:1:10::7b"), MAC: mac, FirstSeen: first}}
	lan["br-lan"] = dev
	w.snap = lan
	host := record("nas", "type", "AAAA", "source", "host", "mac", mac.String())
	w.config(state, host)
	w.start()
	w.waitValue("nas", "2001:db8:1:10::7b")
	if n := w.watchers[0].opts.Neighbours; n != nil {
		t.Errorf("the first generation got neighbours %v", n)
	}
	w.config(state, host, record("b", "type", "AAAA", "source", "static", "value", "2001:db8::b"))
	w.signal(syscall.SIGHUP)
	w.waitLog("configuration reloaded")
	w.mu.Lock()
	fw := w.watchers[len(w.watchers)-1]
	w.mu.Unlock()
	got := fw.opts.Neighbours["br-lan"]
	if len(got) != 1 || got[0].MAC != mac || !got[0].FirstSeen.Equal(first) {
		t.Errorf("new watcher was given %+v, want the old one's neighbours", fw.opts.Neighbours)
	}
}

// TestReloadFailureKeepsRunningGeneration: a reload whose state directory
// cannot be used keeps the running generation (the log says why), which
// still works; and a reload of the same state directory does not re-read
// state.json, so a state file that became unreadable (here: a symlink,
// refused) cannot stop a running daemon either.
func TestReloadFailureKeepsRunningGeneration(t *testing.T) {
	w := newWorld(t)
	state := filepath.Join(w.dir, "state")
	a := record("a", "type", "AAAA", "source", "static", "value", "2001:db8::a")
	w.config(state, a)
	w.start()
	w.waitValue("a", "2001:db8::a")

	notDir := filepath.Join(w.dir, "file")
	os.WriteFile(notDir, nil, 0o600)
	w.config(filepath.Join(notDir, "state"), a, record("b", "type", "AAAA", "source", "static", "value", "2001:db8::b"))
	w.signal(syscall.SIGHUP)
	w.waitLog("could not apply the new configuration; keeping the running one")
	w.quiesce()
	before := lists(w.fake)
	w.signal(syscall.SIGUSR1) // the old generation still answers
	w.waitFor("a lookup after SIGUSR1", func() bool { return lists(w.fake) > before })
	if w.value("b") != "" {
		t.Error("record b of the rejected configuration was published")
	}

	// state.json replaced by a symlink to a directory: Open would refuse it.
	sj := filepath.Join(state, "state.json")
	os.Remove(sj)
	if err := os.Symlink(w.dir, sj); err != nil {
		t.Fatal(err)
	}
	w.config(state, a, record("c", "type", "AAAA", "source", "static", "value", "2001:db8::c"))
	w.signal(syscall.SIGHUP)
	w.waitValue("c", "2001:db8::c")
	for _, fw := range w.watchers[:len(w.watchers)-1] {
		if fw.running.Load() {
			t.Error("an old generation's watcher is still running")
		}
	}
}

// TestInterfacesChangedSignal: SignalInterfaces (the iface hotplug)
// re-resolves `option network` and calls the provider only for the record
// whose desired value changed; SIGUSR1 still looks every record up.
func TestInterfacesChangedSignal(t *testing.T) {
	w := newWorld(t)
	w.snap = merge(addrSnap("eth1", "2001:db8:1::1"), addrSnap("eth2", "2001:db8:2::1"), addrSnap("eth3", "2001:db8:3::1"))
	w.networks["wan"], w.networks["lan"] = "eth1", "eth3"
	w.config(filepath.Join(w.dir, "state"),
		record("viawan", "type", "AAAA", "source", "interface", "network", "wan"),
		record("vialan", "type", "AAAA", "source", "interface", "network", "lan"),
		record("fixed", "type", "AAAA", "source", "static", "value", "2001:db8::f"))
	w.start()
	w.waitValue("viawan", "2001:db8:1::1")
	w.waitValue("vialan", "2001:db8:3::1")
	w.waitValue("fixed", "2001:db8::f")
	w.quiesce()

	// netifd moved wan to eth2: only viawan changes.
	w.mu.Lock()
	w.networks["wan"] = "eth2"
	w.mu.Unlock()
	resolves, calls := w.resolves.Load(), lists(w.fake)+w.fake.Writes()
	w.signal(SignalInterfaces)
	w.waitValue("viawan", "2001:db8:2::1")
	w.quiesce()
	if w.resolves.Load() == resolves {
		t.Error("option network was not resolved again")
	}
	if got := lists(w.fake) + w.fake.Writes() - calls; got > 2 {
		t.Errorf("%d provider calls for one changed record, want at most 2 (lookup + update)", got)
	}

	// Nothing changed: no call at all.
	calls = lists(w.fake) + w.fake.Writes()
	w.signal(SignalInterfaces)
	w.waitLog("interfaces changed")
	w.quiesce()
	if got := lists(w.fake) + w.fake.Writes() - calls; got != 0 {
		t.Errorf("%d provider calls when nothing changed", got)
	}

	// The user's full check looks every record up: the three share a
	// zone, so that is one listing of the zone (providers.ZoneLister).
	before := lists(w.fake)
	w.signal(syscall.SIGUSR1)
	w.waitFor("a lookup", func() bool { return lists(w.fake)-before >= 1 })
	w.quiesce()
	if got := lists(w.fake) - before; got != 1 {
		t.Errorf("full check of three records in one zone: %d listings, want 1", got)
	}
}

// TestInterfacesChangedRADevices: after SignalInterfaces, a prefix record
// whose network moved to another device (pppoe-wan appears at ifup) has its
// router adverts heard there, without a reload.
func TestInterfacesChangedRADevices(t *testing.T) {
	w := newWorld(t)
	w.snap = merge(addrSnap("eth1", "2001:db8:1::1"), addrSnap("pppoe-wan", "2001:db8:2::1"))
	w.networks["wan"] = "eth1"
	w.config(filepath.Join(w.dir, "state"),
		record("nas", "type", "AAAA", "source", "prefix", "network", "wan", "suffix", "::10"))
	w.start()
	w.waitLog("eddns started")
	fw := w.watchers[len(w.watchers)-1]
	if got := fw.raDevices(); !slices.Equal(got, []string{"eth1"}) {
		t.Fatalf("router adverts heard on %v at start, want [eth1]", got)
	}
	w.mu.Lock()
	w.networks["wan"] = "pppoe-wan"
	w.mu.Unlock()
	w.signal(SignalInterfaces)
	w.waitFor("adverts heard on pppoe-wan", func() bool { return slices.Equal(fw.raDevices(), []string{"pppoe-wan"}) })
	if n := len(w.watchers); n != 1 {
		t.Errorf("%d watchers; SignalInterfaces must not rebuild the generation", n)
	}
}

// TestClockSignalRetriesAtOnce: SIGUSR2 (NTP synced) retries a record in
// a minute-long backoff at once.
func TestClockSignalRetriesAtOnce(t *testing.T) {
	w := newWorld(t)
	w.fake.Faults().Push(providertest.Fault{Code: "InvalidAccessKeyId.NotFound", Status: 404})
	w.config(filepath.Join(w.dir, "state"), record("a", "type", "AAAA", "source", "static", "value", "2001:db8::a"))
	w.start()
	w.waitLog("update failed")
	w.signal(syscall.SIGUSR2)
	w.waitValue("a", "2001:db8::a")
}

// TestShutdownAndWatcherDeath: SIGTERM returns nil after stopping the
// watcher; a watcher that stops on its own makes Run return an error (so
// procd restarts the daemon) instead of idling.
func TestShutdownAndWatcherDeath(t *testing.T) {
	w := newWorld(t)
	w.config(filepath.Join(w.dir, "state"), record("a", "type", "AAAA", "source", "static", "value", "2001:db8::a"))
	w.start()
	w.waitValue("a", "2001:db8::a")
	w.signal(syscall.SIGTERM)
	select {
	case err := <-w.done:
		if err != nil {
			t.Errorf("Run after SIGTERM = %v", err)
		}
	case <-time.After(limit):
		t.Fatal("Run did not return after SIGTERM")
	}
	if w.watchers[0].running.Load() {
		t.Error("watcher still running after shutdown")
	}
	w.done <- nil // for the cleanup

	w2 := newWorld(t)
	w2.config(filepath.Join(w2.dir, "state"), record("a", "type", "AAAA", "source", "static", "value", "2001:db8::a"))
	w2.start()
	w2.watchers[0].fail <- fmt.Errorf("netlink gone")
	select {
	case err := <-w2.done:
		if err == nil {
			t.Error("Run returned nil after its watcher died")
		}
	case <-time.After(limit):
		t.Fatal("Run kept running with a dead watcher")
	}
	w2.done <- nil
}

// TestHTTPDNSNeverMovesProviderClock: an HTTPDNS service whose clock is
// 200 days ahead teaches its own offset (verification succeeds after one
// re-signed query) but not the provider's: the next provider calls are
// signed with the provider's own clock and none is refused for its
// timestamp. Before, one clock was shared by every API.
func TestHTTPDNSNeverMovesProviderClock(t *testing.T) {
	w := newWorld(t)
	const account, hdSecret = "0123456789abcdef0123456789abcdef", "httpdns-secret-20chr"
	hd := httpdnstest.New()
	hd.AddAccount(account, hdSecret)
	hd.AllowDomain(zone)
	hd.SetRecord("a."+zone, "AAAA", netip.MustParseAddr("2001:db8::a"))
	hd.SetNow(func() time.Time { return time.Now().Add(200 * 24 * time.Hour) })
	srv := httptest.NewServer(hd)
	t.Cleanup(srv.Close)
	state := filepath.Join(w.dir, "state")
	w.config(state, record("a", "type", "AAAA", "source", "static", "value", "2001:db8::a", "verify", "yunaq"),
		fmt.Sprintf("config httpdns 'yunaq'\n\toption url '%s/sign_d'\n\toption account_id '%s'\n\toption secret '%s'\n\n", srv.URL, account, hdSecret))
	w.start()
	w.waitLog("verified: resolvers serve the new value")

	before := lists(w.fake)
	w.signal(syscall.SIGUSR1)
	w.waitFor("the full check's lookup", func() bool { return lists(w.fake) > before })
	w.quiesce()
	if strings.Contains(w.logs.String(), "update failed") {
		t.Errorf("a provider call failed after the HTTPDNS skew was learned:\n%s", w.logs.String())
	}
	st, _, err := stateStatus(state)
	if err != nil {
		t.Fatal(err)
	}
	if rs := st.Records[0]; rs.Calls.Failed != 0 {
		t.Errorf("provider calls failed: %+v", rs.Calls)
	}
}
