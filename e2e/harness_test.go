// Package e2e runs the real eddns binary inside throw-away network
// namespaces against the fake provider APIs, and checks what reached the
// provider: record values and the number of write calls.
//
// The harness in this file is shared by every scenario file: build the binary
// once (TestMain), create a namespace with a fake provider listening on its
// loopback (NewEnv), add devices (Env.AddLink) or a router sending real
// adverts from a second namespace (Env.AddRouter), write a UCI configuration
// (Env.WriteConfig, Record, or Env.WriteRaw with Env.Global and
// Env.ProviderSection), start the daemon (Env.Start) or run a one-shot
// command (Env.Exec), wait on observable outcomes (Env.WaitPublished,
// Env.WaitStatus, Env.WaitNothingToPublish, Daemon.WaitLogLine), send
// signals (Daemon.Signal), and stop (Daemon.Stop asserts exit 0) or restart
// the daemon. Faults are injected through Env.Fake.Faults().
//
// Scenarios: once_test.go (each provider with `eddns once`), detect_test.go
// (the daemon following the kernel), bench_test.go (latency, memory and
// idle wake-ups; see bench/run.sh).
package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/ndp"
	"github.com/vishvananda/netlink"

	"github.com/eddns/eddns/internal/certtest"
	"github.com/eddns/eddns/internal/netnstest"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/alidns/alidnstest"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/providers/qcloudcns/qcloudcnstest"
	"github.com/eddns/eddns/providers/tencentcloud/tencentcloudtest"
	"github.com/eddns/eddns/state"
	"github.com/eddns/eddns/tools/mkpkg/target"
)

// Wait bounds every poll for an asynchronous outcome. It is generous because
// the suite runs under -race next to other packages on two cores; it is a
// limit on waiting, never a measurement.
const Wait = 20 * time.Second

// pollEvery is how often a wait re-checks its condition.
const pollEvery = 10 * time.Millisecond

// Credentials of the fake accounts. The secrets are distinctive so a leak
// into any output is easy to find.
const (
	KeyID  = "LTAIe2eKeyId0123"
	Secret = "e2e-SECRET-f7b1c9d3a5"
	Zone   = "example.com"
)

// binary is the eddns executable built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "eddns-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "eddns")
	// The module root is the parent of this package's directory.
	if err := goBuild(binary, ".."); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return m.Run()
}

// goBuild builds the main package pkg into out the way release packages
// are built (Makefile, tools/mkpkg), so that what is measured and tested is
// what ships.
func goBuild(out, pkg string) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		// `go test` may run with a PATH that lacks go; use the toolchain
		// that built this test.
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append(append([]string{"build"}, target.GoFlags()...), "-ldflags", "-s -w", "-o", out, pkg)
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return nil
}

// Kind names a provider type as the configuration spells it.
type Kind string

// The provider types eddns supports.
const (
	AliDNS       Kind = "alidns"
	TencentCloud Kind = "tencentcloud"
	QcloudCNS    Kind = "qcloud_cns"
)

// Kinds lists every provider type, for scenarios run once per provider.
var Kinds = []Kind{AliDNS, TencentCloud, QcloudCNS}

// NewFake returns the fake API of kind accepting keyID/secret.
func NewFake(kind Kind, keyID, secret string) providertest.Fake {
	if m, ok := moreKinds[kind]; ok { // providers_more_test.go
		return m.fake(keyID, secret)
	}
	switch kind {
	case AliDNS:
		return alidnstest.New(keyID, secret)
	case TencentCloud:
		return tencentcloudtest.New(keyID, secret)
	case QcloudCNS:
		return qcloudcnstest.New(keyID, secret)
	}
	panic("e2e: unknown provider kind " + string(kind))
}

// Env is one scenario's world: a network namespace, a fake provider served
// on the namespace's loopback from this process, a state directory and a
// configuration file.
type Env struct {
	T        testing.TB
	NS       *netnstest.NS
	Kind     Kind
	Fake     providertest.Fake
	Endpoint string // http://127.0.0.1:PORT inside NS
	Dir      string // scratch directory; holds the config file
	StateDir string
	Config   string // path of the UCI file
	// LogLevel is the daemon's --log-level; Start uses debug when empty.
	LogLevel string
	// QuietLog keeps the daemon's output out of the test log (benchmarks);
	// Daemon.Log still has it.
	QuietLog bool
	// Environ is added to the environment of every eddns process (e.g.
	// SSL_CERT_FILE).
	Environ []string

	requests atomic.Int64
	mu       sync.Mutex
	onArrive func(*http.Request) // called before the fake sees a request
}

// NewEnv creates a namespace and a fake provider of kind listening on
// 127.0.0.1 inside it, with zone Zone known and KeyID/Secret accepted.
func NewEnv(t testing.TB, kind Kind) *Env {
	t.Helper()
	return newEnv(t, kind, nil)
}

// NewTLSEnv is NewEnv with the fake behind HTTPS, its certificate for
// 127.0.0.1 issued by a CA made for this Env alone; it returns that CA as a
// PEM file for SSL_CERT_FILE.
func NewTLSEnv(t testing.TB, kind Kind) (e *Env, caFile string) {
	t.Helper()
	return NewTLSEnvValid(t, kind, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
}

// NewTLSEnvValid is NewTLSEnv with a certificate (and CA) valid from
// notBefore to notAfter (a provider whose clock is elsewhere).
func NewTLSEnvValid(t testing.TB, kind Kind, notBefore, notAfter time.Time) (e *Env, caFile string) {
	t.Helper()
	w := certtest.Valid(notBefore, notAfter)
	p := certtest.Issue(t, w, w)
	e = newEnv(t, kind, func(ln net.Listener, h http.Handler) string {
		srv := &httptest.Server{Listener: ln, TLS: &tls.Config{Certificates: []tls.Certificate{p.Cert}},
			Config: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second,
				ErrorLog: log.New(io.Discard, "", 0)}} // refused handshakes are what some tests want
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	})
	caFile = filepath.Join(e.Dir, "ca.pem")
	if err := os.WriteFile(caFile, p.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return e, caFile
}

// newEnv serves the fake with serve (nil: plain HTTP) and records its URL.
func newEnv(t testing.TB, kind Kind, serve func(net.Listener, http.Handler) string) *Env {
	ns := netnstest.New(t)
	e := &Env{T: t, NS: ns, Kind: kind, Fake: NewFake(kind, KeyID, Secret), Dir: t.TempDir()}
	e.Fake.AddZone(Zone)
	e.StateDir = filepath.Join(e.Dir, "state")
	e.Config = filepath.Join(e.Dir, "eddns.conf")

	var ln net.Listener
	if err := ns.Do(t, func() (err error) {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", ns.Name(), err)
	}
	if serve != nil {
		e.Endpoint = serve(ln, http.HandlerFunc(e.serve))
		return e
	}
	e.Endpoint = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(e.serve), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	return e
}

func (e *Env) serve(w http.ResponseWriter, r *http.Request) {
	e.requests.Add(1)
	e.mu.Lock()
	fn := e.onArrive
	e.mu.Unlock()
	if fn != nil {
		fn(r)
	}
	e.Fake.ServeHTTP(w, r)
}

// Requests returns how many HTTP requests reached the fake, of any action,
// valid or not.
func (e *Env) Requests() int { return int(e.requests.Load()) }

// OnArrive sets a function called with every request as it arrives, before
// the fake reads it (benchmarks timestamp requests with it).
func (e *Env) OnArrive(fn func(*http.Request)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onArrive = fn
}

// ProviderSection returns the UCI provider section named name for the
// fake, with the given secret.
func (e *Env) ProviderSection(name, secret string) string {
	if m, ok := moreKinds[e.Kind]; ok { // providers_more_test.go
		return m.section(e, name, secret)
	}
	var id, sec string
	switch e.Kind {
	case AliDNS:
		id, sec = "access_key_id", "access_key_secret"
	default:
		id, sec = "secret_id", "secret_key"
	}
	return fmt.Sprintf("config provider '%s'\n\toption type '%s'\n\toption %s '%s'\n\toption %s '%s'\n\toption endpoint '%s'\n\toption timeout '5'\n\n",
		name, e.Kind, id, KeyID, sec, secret, e.Endpoint)
}

// Global returns the global section with the env's state directory and the
// given resync interval in seconds.
func (e *Env) Global(resync int) string {
	return fmt.Sprintf("config global 'global'\n\toption log_level 'info'\n\toption state_dir '%s'\n\toption resync_interval '%d'\n\n",
		e.StateDir, resync)
}

// WriteConfig writes the global section, a provider section 'p' for the
// fake with the right secret, and the given record sections.
func (e *Env) WriteConfig(records string) {
	e.T.Helper()
	e.WriteRaw(e.Global(3600) + e.ProviderSection("p", Secret) + records)
}

// WriteRaw writes text as the configuration file, mode 0600 like the init
// script's copy.
func (e *Env) WriteRaw(text string) {
	e.T.Helper()
	if err := os.WriteFile(e.Config, []byte(text), 0o600); err != nil {
		e.T.Fatalf("write config: %v", err)
	}
}

// Record returns a UCI record section; opts are "key value" pairs in order.
func Record(section string, opts ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "config record '%s'\n\toption provider 'p'\n\toption zone '%s'\n", section, Zone)
	for i := 0; i+1 < len(opts); i += 2 {
		fmt.Fprintf(&b, "\toption %s '%s'\n", opts[i], opts[i+1])
	}
	b.WriteString("\n")
	return b.String()
}

// Value returns the value of the only record name/typ in Zone at the fake.
// It fails the test if there are several.
func (e *Env) Value(name, typ string) (string, bool) {
	e.T.Helper()
	var vals []string
	for _, r := range e.Fake.Records(Zone) {
		if strings.EqualFold(r.Name, name) && r.Type == typ {
			vals = append(vals, r.Value)
		}
	}
	switch len(vals) {
	case 0:
		return "", false
	case 1:
		return vals[0], true
	}
	e.T.Fatalf("%d records %s/%s at the fake: %v", len(vals), name, typ, vals)
	return "", false
}

// WaitValue waits until record name/typ holds value at the fake.
func (e *Env) WaitValue(name, typ, value string) {
	e.T.Helper()
	e.WaitFor(lazy(func() any {
		return fmt.Sprintf("%s/%s = %s at the fake (records: %v)", name, typ, value, e.Fake.Records(Zone))
	}), func() bool {
		v, ok := e.Value(name, typ)
		return ok && v == value
	})
}

// lazy defers formatting of a value until a failure message is printed.
type lazy func() any

func (l lazy) String() string { return fmt.Sprint(l()) }

// WaitFor polls cond until it holds, failing the test after Wait.
func (e *Env) WaitFor(what fmt.Stringer, cond func() bool) {
	e.T.Helper()
	deadline := time.Now().Add(Wait)
	for !cond() {
		if time.Now().After(deadline) {
			e.T.Fatalf("gave up after %v waiting for %s", Wait, what)
		}
		time.Sleep(pollEvery)
	}
}

// Status reads status.json; ok is false while it does not exist or cannot
// be read.
func (e *Env) Status() (state.Status, bool) {
	st, _, err := state.ReadStatus(e.StateDir)
	return st, err == nil
}

// RecordStatus returns the status of the record whose section is section.
func (e *Env) RecordStatus(section string) (state.RecordStatus, bool) {
	st, ok := e.Status()
	if !ok {
		return state.RecordStatus{}, false
	}
	for _, r := range st.Records {
		if r.Section == section {
			return r, true
		}
	}
	return state.RecordStatus{}, false
}

// WaitStatus waits until the status of record section satisfies cond.
func (e *Env) WaitStatus(section, what string, cond func(state.RecordStatus) bool) state.RecordStatus {
	e.T.Helper()
	var last state.RecordStatus
	e.WaitFor(lazy(func() any { return fmt.Sprintf("status of %s: %s (last: %+v)", section, what, last) }), func() bool {
		rs, ok := e.RecordStatus(section)
		last = rs
		return ok && cond(rs)
	})
	return last
}

// Result is the outcome of a one-shot command.
type Result struct {
	Code   int
	Stdout string
	Stderr string
}

// Exec runs `eddns -c CONFIG args...` inside the namespace and waits for
// it, bounded by Wait.
func (e *Env) Exec(args ...string) Result {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", e.NS.Name(), binary, "-c", e.Config}, args...)...)
	cmd.Env = append(os.Environ(), e.Environ...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		res.Code = ee.ExitCode()
	default:
		e.T.Fatalf("eddns %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, res.Stdout, res.Stderr)
	}
	e.T.Logf("eddns %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
	return res
}

// Daemon is a running `eddns run`.
type Daemon struct {
	e     *Env
	extra []string
	cmd   *exec.Cmd
	log   *logBuffer
	done  chan struct{}
	err   error
}

// Start runs `eddns -c CONFIG --log-level LEVEL run extra...` inside the
// namespace and waits until it has read the kernel's addresses and written
// status.json, so that later address changes reach it as events. Its stderr goes to the test log and is kept for assertions. The
// daemon is killed at cleanup if the test did not Stop it.
func (e *Env) Start(extra ...string) *Daemon {
	e.T.Helper()
	d := e.Launch(extra...)
	e.WaitFor(lazy(func() any { return "start-up and status.json from the daemon; log:\n" + d.Log() }), func() bool {
		st, ok := e.Status()
		return ok && st.PID == d.PID() && strings.Contains(d.Log(), "eddns started")
	})
	return d
}

// Launch starts the daemon like Start without waiting for anything.
func (e *Env) Launch(extra ...string) *Daemon {
	e.T.Helper()
	level := e.LogLevel
	if level == "" {
		level = "debug"
	}
	args := append([]string{"netns", "exec", e.NS.Name(), binary, "-c", e.Config, "--log-level", level, "run"}, extra...)
	// `ip netns exec` enters the namespace and execs eddns, so the process
	// is eddns itself: signals and /proc/PID reach the daemon.
	cmd := exec.Command("ip", args...)
	cmd.Env = append(os.Environ(), e.Environ...)
	d := &Daemon{e: e, extra: extra, cmd: cmd, log: &logBuffer{t: e.T, prefix: "eddns: "}, done: make(chan struct{})}
	d.log.closed = e.QuietLog
	cmd.Stdout = d.log
	cmd.Stderr = d.log
	if err := cmd.Start(); err != nil {
		e.T.Fatalf("start eddns: %v", err)
	}
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()
	e.T.Cleanup(func() {
		select {
		case <-d.done:
		default:
			_ = cmd.Process.Kill()
			<-d.done
		}
		d.log.close()
	})
	return d
}

// PID returns the daemon's process id.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// Log returns everything the daemon wrote so far.
func (d *Daemon) Log() string { return d.log.String() }

// Signal sends sig to the daemon.
func (d *Daemon) Signal(sig syscall.Signal) {
	d.e.T.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		d.e.T.Fatalf("signal %v: %v", sig, err)
	}
}

// WaitLog waits until the daemon's log contains substr.
func (d *Daemon) WaitLog(substr string) {
	d.e.T.Helper()
	d.e.WaitFor(lazy(func() any { return fmt.Sprintf("%q in the daemon's log:\n%s", substr, d.Log()) }), func() bool {
		return strings.Contains(d.Log(), substr)
	})
}

// Wait waits for the daemon to exit by itself (bounded by Wait) and returns
// its exit status.
func (d *Daemon) Wait() int {
	d.e.T.Helper()
	select {
	case <-d.done:
	case <-time.After(Wait):
		d.e.T.Fatalf("eddns did not exit within %v; log:\n%s", Wait, d.Log())
	}
	var ee *exec.ExitError
	switch {
	case d.err == nil:
		return 0
	case errors.As(d.err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	d.e.T.Fatalf("eddns: %v", d.err)
	return -1
}

// Stop sends SIGTERM and checks that the daemon exits with status 0.
func (d *Daemon) Stop() {
	d.e.T.Helper()
	d.Signal(syscall.SIGTERM)
	if code := d.Wait(); code != 0 {
		d.e.T.Errorf("eddns exited %d after SIGTERM, want 0", code)
	}
}

// Restart stops the daemon with SIGTERM (asserting exit 0) and starts a new
// one with the same arguments.
func (d *Daemon) Restart() *Daemon {
	d.e.T.Helper()
	d.Stop()
	return d.e.Start(d.extra...)
}

// logBuffer keeps a process's output and copies each line to the test log
// while the test runs.
type logBuffer struct {
	t      testing.TB
	prefix string
	mu     sync.Mutex
	buf    bytes.Buffer
	part   []byte
	closed bool
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	l.part = append(l.part, p...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		if !l.closed {
			l.t.Log(l.prefix + string(l.part[:i]))
		}
		l.part = l.part[i+1:]
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// quiet stops copying to the test log; the output is still kept.
func (l *logBuffer) quiet() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
}

// close stops copying to the test log, which must not be written after the
// test ends.
func (l *logBuffer) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.part) > 0 && !l.closed {
		l.t.Log(l.prefix + string(l.part))
	}
	l.closed = true
}

var _ io.Writer = (*logBuffer)(nil)

// StatusJSON returns status.json as raw text, for assertions on secrets.
func (e *Env) StatusJSON() string {
	_, raw, _ := state.ReadStatus(e.StateDir)
	return string(raw)
}

// StateFiles returns the contents of every file in the state directory.
func (e *Env) StateFiles() string {
	var b strings.Builder
	ents, _ := os.ReadDir(e.StateDir)
	for _, ent := range ents {
		data, _ := os.ReadFile(filepath.Join(e.StateDir, ent.Name()))
		b.Write(data)
	}
	return b.String()
}

// Records returns every record in Zone at the fake, for failure messages.
func (e *Env) Records() []providers.Record { return e.Fake.Records(Zone) }

// MustJSON renders v for failure messages.
func MustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// AddLink creates an Ethernet-like device name in the namespace (one end of
// a veth pair whose other end, name+"-p", stays in the namespace too; the
// test kernel may lack the dummy driver), with duplicate address detection
// off so that added addresses are usable at once, and sets both ends up.
func (e *Env) AddLink(name string) {
	e.T.Helper()
	peer := name + "-p"
	e.NS.Run(e.T, "ip", "link", "add", name, "type", "veth", "peer", "name", peer)
	for _, dev := range []string{name, peer} {
		e.NS.Sysctl(e.T, "net/ipv6/conf/"+dev+"/accept_dad", "0")
		e.NS.LinkUp(e.T, dev)
	}
}

// WaitPublished waits until record name/typ holds value at the fake and the
// daemon has recorded that in status.json for section, so that the write
// that put it there has been counted and reported.
func (e *Env) WaitPublished(section, name, typ, value string) {
	e.T.Helper()
	e.WaitValue(name, typ, value)
	e.WaitStatus(section, "published "+value, func(rs state.RecordStatus) bool {
		return rs.Published == value && rs.Desired == value
	})
}

// WaitNothingToPublish waits until status.json says section has no value to
// publish, and returns the reason given.
func (e *Env) WaitNothingToPublish(section string) string {
	e.T.Helper()
	rs := e.WaitStatus(section, "nothing to publish", func(rs state.RecordStatus) bool {
		return rs.Desired == "" && rs.DesiredReason != ""
	})
	return rs.DesiredReason
}

// Router sends IPv6 router advertisements from its own namespace over a
// veth pair to a device of the Env's namespace.
type Router struct {
	t    testing.TB
	NS   *netnstest.NS
	conn *ndp.Conn
	mac  net.HardwareAddr
}

// AddRouter creates a second namespace holding end r0 of a veth pair whose
// other end is dev in e's namespace, and returns a router advertising on
// r0. dev accepts adverts even with forwarding on (accept_ra=2), does
// duplicate address detection, and builds SLAAC addresses only if slaac.
func (e *Env) AddRouter(dev string, slaac bool) *Router {
	t := e.T
	t.Helper()
	rns := netnstest.New(t)
	rns.AddVethTo(t, "r0", e.NS, dev)
	rns.Sysctl(t, "net.ipv6.conf.r0.accept_dad", "0")
	autoconf := "0"
	if slaac {
		autoconf = "1"
	}
	for k, v := range map[string]string{"accept_ra": "2", "autoconf": autoconf, "use_tempaddr": "0", "accept_dad": "1"} {
		e.NS.Sysctl(t, "net/ipv6/conf/"+dev+"/"+k, v)
	}
	rns.LinkUp(t, "r0")
	e.NS.LinkUp(t, dev)
	r := &Router{t: t, NS: rns}
	// Creating r0's link-local address is asynchronous even without DAD.
	e.WaitFor(lazy(func() any { return "the router's link-local address" }), func() bool {
		return rns.Do(t, func() error {
			ifi, err := net.InterfaceByName("r0")
			if err != nil {
				return err
			}
			r.conn, _, err = ndp.Listen(ifi, ndp.LinkLocal)
			r.mac = ifi.HardwareAddr
			return err
		}) == nil
	})
	t.Cleanup(func() { r.conn.Close() })
	return r
}

// PIO returns a prefix information option for prefix (a /64) with the
// autonomous flag set and the given lifetimes.
func PIO(prefix string, preferred, valid time.Duration) *ndp.PrefixInformation {
	p := netip.MustParsePrefix(prefix)
	return &ndp.PrefixInformation{PrefixLength: uint8(p.Bits()), OnLink: true, AutonomousAddressConfiguration: true,
		PreferredLifetime: preferred, ValidLifetime: valid, Prefix: p.Addr()}
}

// Advertise sends one router advertisement with the given prefixes to
// all nodes.
func (r *Router) Advertise(pios ...*ndp.PrefixInformation) {
	r.t.Helper()
	ra := &ndp.RouterAdvertisement{CurrentHopLimit: 64, RouterLifetime: 30 * time.Minute,
		Options: []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: r.mac}}}
	for _, p := range pios {
		ra.Options = append(ra.Options, p)
	}
	if err := r.conn.WriteTo(ra, nil, netip.IPv6LinkLocalAllNodes()); err != nil {
		r.t.Fatalf("send router advert: %v", err)
	}
}

// AdvertiseUntil re-sends the advert every 100 ms until cond holds, failing
// after Wait. Re-sending is what real routers do, and the first adverts
// may arrive before the receiving side listens (its link-local address is
// still in DAD).
func (r *Router) AdvertiseUntil(what string, cond func() bool, pios ...*ndp.PrefixInformation) {
	r.t.Helper()
	deadline := time.Now().Add(Wait)
	for {
		r.Advertise(pios...)
		for range 10 {
			if cond() {
				return
			}
			time.Sleep(pollEvery)
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("gave up after %v advertising until %s", Wait, what)
		}
	}
}

// KernelAddrs returns the global addresses the kernel has on dev in e's
// namespace.
func (e *Env) KernelAddrs(h *netlink.Handle, dev string) []netip.Addr {
	e.T.Helper()
	link, err := h.LinkByName(dev)
	if err != nil {
		e.T.Fatalf("link %s: %v", dev, err)
	}
	list, err := h.AddrList(link, netlink.FAMILY_ALL)
	if err != nil {
		e.T.Fatalf("addresses of %s: %v", dev, err)
	}
	var out []netip.Addr
	for _, a := range list {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && ip.Unmap().IsGlobalUnicast() {
			out = append(out, ip.Unmap())
		}
	}
	return out
}

// WaitLogLine waits until one line of the daemon's log contains every one
// of parts.
func (d *Daemon) WaitLogLine(parts ...string) {
	d.e.T.Helper()
	d.e.WaitFor(lazy(func() any { return fmt.Sprintf("a log line with %q; log:\n%s", parts, d.Log()) }), func() bool {
		return HasLine(d.Log(), parts...)
	})
}

// HasLine reports whether one line of text contains every one of parts.
func HasLine(text string, parts ...string) bool {
	for _, line := range strings.Split(text, "\n") {
		all := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
