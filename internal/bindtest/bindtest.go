// Package bindtest runs a real BIND 9 `named` for tests: one instance on a
// loopback address and a free port, with a generated TSIG key and dynamic
// zones in a temporary directory, stopped when the test ends.
//
// The tests skip when named is not installed, except under CI=true, where
// they fail: CI installs Debian's bind9 (test.sh) and must run them.
package bindtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/eddns/eddns/dnswire"
)

// Zone is a zone the server is primary for, updatable with the key.
type Zone struct {
	Name    string // e.g. "example.test"
	Records string // zone file lines after the SOA, relative names allowed
	// Primary, when set ("127.0.0.1 port 5300"), makes this server a
	// secondary of the zone, transferring it from there; Records is unused.
	Primary string
	// Locked zones take no updates from anyone (allow-update { none; }).
	Locked bool
	// AlsoNotify lists secondaries ("127.0.0.2 port 5300") told of every
	// change by NOTIFY (RFC 1996).
	AlsoNotify []string
}

// Options describe a server.
type Options struct {
	IP    string // listen address; default 127.0.0.1
	Port  int    // 0 picks a free one
	Zones []Zone
	// KeyName is the TSIG key the zones accept updates from (default
	// "eddns-test."), KeyAlgorithm its algorithm (default hmac-sha256).
	KeyName      string
	KeyAlgorithm string
	// Where runs the server in another network namespace; zero: here.
	Where Where
}

// Where places a server process: Prefix goes before its command line (e.g.
// ip netns exec NAME) and Do runs the readiness probes where it listens
// (e.g. netnstest.NS.Do). The zero Where is this process's namespace.
type Where struct {
	Prefix []string
	Do     func(fn func() error) error
}

// Command builds the server's command line.
func (w Where) Command(name string, args ...string) *exec.Cmd {
	if len(w.Prefix) == 0 {
		return exec.Command(name, args...)
	}
	return exec.Command(w.Prefix[0], append(append(append([]string(nil), w.Prefix[1:]...), name), args...)...)
}

// Run runs fn where the server listens.
func (w Where) Run(fn func() error) error {
	if w.Do == nil {
		return fn()
	}
	return w.Do(fn)
}

// Server is a running named.
type Server struct {
	Addr         string // ip:port, UDP and TCP
	Port         int
	Dir          string
	KeyName      string
	KeyAlgorithm string
	KeySecret    string // base64
	cmd          *exec.Cmd
	log          *Output
}

// Binary returns the path of named or skips the test (fails under CI=true).
func Binary(t testing.TB) string {
	t.Helper()
	return Find(t, "named", "bind9")
}

// Find returns the path of a program from a Debian package, or skips the
// test; under CI=true a missing program fails it instead.
func Find(t testing.TB, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found: CI must run this test (apt-get install %s)", name, pkg)
	}
	t.Skipf("%s not installed (apt-get install %s)", name, pkg)
	return ""
}

// FreePort returns a port free for both UDP and TCP on ip and on every
// address of also (servers that must share one port).
func FreePort(t testing.TB, ip string, also ...string) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		free := true
		for _, a := range append([]string{ip}, also...) {
			if a != ip {
				tl, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(port)))
				if err != nil {
					free = false
					break
				}
				tl.Close()
			}
			u, err := net.ListenPacket("udp", net.JoinHostPort(a, strconv.Itoa(port)))
			if err != nil {
				free = false
				break
			}
			u.Close()
		}
		l.Close()
		if free {
			return port
		}
	}
	t.Fatal("no port free for both UDP and TCP")
	return 0
}

// NewSecret returns a random base64 TSIG secret of 32 bytes, as tsig-keygen
// makes for hmac-sha256.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Start runs named and waits until it answers for every zone.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	named := Binary(t)
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = FreePort(t, o.IP)
	}
	if o.KeyName == "" {
		o.KeyName = "eddns-test."
	}
	if o.KeyAlgorithm == "" {
		o.KeyAlgorithm = "hmac-sha256"
	}
	s := &Server{
		Addr: net.JoinHostPort(o.IP, strconv.Itoa(o.Port)), Port: o.Port, Dir: t.TempDir(),
		KeyName: o.KeyName, KeyAlgorithm: o.KeyAlgorithm, KeySecret: NewSecret(), log: &Output{},
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, `options {
	directory "%[1]s";
	pid-file "%[1]s/named.pid";
	session-keyfile "%[1]s/session.key";
	managed-keys-directory "%[1]s";
	listen-on port %[2]d { %[3]s; };
	listen-on-v6 { none; };
	recursion no;
	notify no;
	dnssec-validation no;
};
controls { };
key "%[4]s" { algorithm %[5]s; secret "%[6]s"; };
`, s.Dir, o.Port, o.IP, o.KeyName, o.KeyAlgorithm, s.KeySecret)
	for _, z := range o.Zones {
		file := filepath.Join(s.Dir, z.Name+".db")
		if z.Primary != "" {
			fmt.Fprintf(&conf, "zone %q { type secondary; file %q; primaries { %s; }; };\n", z.Name, file, z.Primary)
			continue
		}
		body := fmt.Sprintf("$TTL 300\n@ IN SOA ns1.%[1]s. hostmaster.%[1]s. 1 3600 600 86400 60\n%[2]s\n", z.Name, z.Records)
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		notify := ""
		if len(z.AlsoNotify) > 0 {
			notify = fmt.Sprintf(" notify explicit; also-notify { %s; }; allow-transfer { any; };", strings.Join(z.AlsoNotify, "; "))
		}
		allow := fmt.Sprintf("key %q;", o.KeyName)
		if z.Locked {
			allow = "none;"
		}
		fmt.Fprintf(&conf, "zone %q { type primary; file %q; allow-update { %s };%s };\n", z.Name, file, allow, notify)
	}
	confFile := filepath.Join(s.Dir, "named.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// -g: foreground, log to stderr; -n 1: one worker thread (the test
	// machine is small and shared).
	s.cmd = o.Where.Command(named, "-g", "-n", "1", "-c", confFile)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	exited, err := Spawn(s.cmd)
	if err != nil {
		t.Fatalf("start named: %v", err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("named output:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for _, z := range o.Zones {
		for {
			if o.Where.Run(func() error { return SOA(s.Addr, z.Name) }) == nil {
				break
			}
			select {
			case <-exited:
				t.Fatalf("named exited:\n%s", s.log.String())
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("named did not serve %s within 20s:\n%s", z.Name, s.log.String())
			}
		}
	}
	return s
}

// SOA asks server for the SOA of zone, unsigned, and reports whether it
// answered authoritatively.
func SOA(server, zone string) error {
	name, err := dnsmessage.NewName(strings.TrimSuffix(zone, ".") + ".")
	if err != nil {
		return err
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: name, Type: dnsmessage.TypeSOA, Class: dnsmessage.ClassINET})
	msg, err := b.Finish()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	raw, err := dnswire.Exchange(ctx, server, msg)
	if err != nil {
		return err
	}
	var m dnsmessage.Message
	if err := m.Unpack(raw); err != nil {
		return err
	}
	if !m.Header.Authoritative || len(m.Answers) == 0 {
		return fmt.Errorf("no authoritative SOA (rcode %v)", m.Header.RCode)
	}
	return nil
}

// Lookup asks server (unsigned, RD=0) for name/typ and returns the address
// values, for tests to check what the server really holds.
func Lookup(t testing.TB, server, fqdn string, typ dnsmessage.Type) []string {
	t.Helper()
	out, err := Query(server, fqdn, typ)
	if err != nil {
		t.Fatalf("lookup %s: %v", fqdn, err)
	}
	return out
}

// Query is Lookup returning its error, for use inside Where.Run.
func Query(server, fqdn string, typ dnsmessage.Type) ([]string, error) {
	name, err := dnsmessage.NewName(strings.TrimSuffix(fqdn, ".") + ".")
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 9})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: name, Type: typ, Class: dnsmessage.ClassINET})
	msg, _ := b.Finish()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	raw, err := dnswire.Exchange(ctx, server, msg)
	if err != nil {
		return nil, err
	}
	var m dnsmessage.Message
	if err := m.Unpack(raw); err != nil {
		return nil, err
	}
	out := []string{}
	for _, rr := range m.Answers {
		switch body := rr.Body.(type) {
		case *dnsmessage.AResource:
			out = append(out, net.IP(body.A[:]).String())
		case *dnsmessage.AAAAResource:
			out = append(out, net.IP(body.AAAA[:]).String())
		}
	}
	return out, nil
}

// Spawn starts cmd so that it is killed if the test process dies, and
// returns a channel closed when it has exited. The kernel sends the
// parent-death signal when the parent *thread* ends, so the start and the
// wait happen on one locked thread that lives as long as the child.
func Spawn(cmd *exec.Cmd) (exited <-chan struct{}, err error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	done := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(done)
	}()
	return done, <-started
}

// Log returns what named wrote so far.
func (s *Server) Log() string { return s.log.String() }

// Output collects a child process's output for the test log.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Output) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Output) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
