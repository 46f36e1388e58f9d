// Package netnstest gives tests throw-away Linux network namespaces, so code
// that talks to the kernel (netlink, raw ICMPv6, sockets) can be tested for
// real without touching the host's network.
//
// Every namespace is created with a unique name, has its loopback up, and is
// deleted in t.Cleanup even when the test fails. Every command runs with a
// timeout. Tests need root (CAP_SYS_ADMIN and CAP_NET_ADMIN); see Require.
package netnstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// CmdTimeout bounds every command the helpers run.
const CmdTimeout = 20 * time.Second

// Require skips the test unless it runs as root. When the environment
// variable CI is "true" it fails instead: CI runs as root, and a namespace
// test that silently skips there is a test that never runs.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("ip"); err != nil {
			fail(t, "network namespace tests need iproute2's ip command: %v", err)
		}
		return
	}
	fail(t, "network namespace tests need root")
}

func fail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: not skipping)", args...)
	}
	t.Skipf(format, args...)
}

// NS is a named network namespace owned by one test.
type NS struct {
	name string
}

// New creates a fresh namespace with a unique name and loopback up, and
// arranges for it to be deleted when the test ends. It calls Require first.
func New(t testing.TB) *NS {
	t.Helper()
	Require(t)
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("netnstest: random name: %v", err)
	}
	ns := &NS{name: "eddnstest-" + hex.EncodeToString(b[:])}
	if out, err := run("ip", "netns", "add", ns.name); err != nil {
		t.Fatalf("netnstest: ip netns add %s: %v: %s", ns.name, err, out)
	}
	t.Cleanup(func() {
		if out, err := run("ip", "netns", "delete", ns.name); err != nil {
			t.Errorf("netnstest: ip netns delete %s: %v: %s", ns.name, err, out)
		}
	})
	ns.Run(t, "ip", "link", "set", "lo", "up")
	return ns
}

// Name returns the namespace's name, as `ip netns` knows it.
func (ns *NS) Name() string { return ns.name }

// Path returns the namespace's bind-mount path, which setns(2) and
// detect.WatchOptions.NetNS accept.
func (ns *NS) Path() string { return filepath.Join("/run/netns", ns.name) }

func run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), CmdTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (timed out after %v)", err, CmdTimeout)
	}
	return string(out), err
}

// Run runs args inside the namespace (`ip netns exec NAME args...`) and
// returns the combined output; a failure fails the test.
func (ns *NS) Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := ns.RunErr(args...)
	if err != nil {
		t.Fatalf("netnstest: in %s: %s: %v: %s", ns.name, strings.Join(args, " "), err, out)
	}
	return out
}

// RunErr is Run for commands that are expected to fail sometimes.
func (ns *NS) RunErr(args ...string) (string, error) {
	return run("ip", append([]string{"netns", "exec", ns.name}, args...)...)
}

// Do runs fn on an OS thread that is inside the namespace and returns its
// error. Sockets fn creates (net.Listen, netlink, raw ICMPv6) belong to the
// namespace and stay usable from any goroutine afterwards. Goroutines fn
// starts do not inherit the namespace.
func (ns *NS) Do(t testing.TB, fn func() error) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread is discarded when this goroutine ends,
		// so it cannot carry the namespace into unrelated code.
		runtime.LockOSThread()
		h, err := netns.GetFromName(ns.name)
		if err != nil {
			errc <- fmt.Errorf("netnstest: open %s: %w", ns.name, err)
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- fmt.Errorf("netnstest: enter %s: %w", ns.name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// Netlink returns a vishvananda/netlink handle bound to the namespace, for
// tests that need to issue many requests quickly; it is closed in t.Cleanup.
func (ns *NS) Netlink(t testing.TB) *netlink.Handle {
	t.Helper()
	h, err := netns.GetFromName(ns.name)
	if err != nil {
		t.Fatalf("netnstest: open %s: %v", ns.name, err)
	}
	defer h.Close()
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		t.Fatalf("netnstest: netlink handle in %s: %v", ns.name, err)
	}
	t.Cleanup(nh.Close)
	return nh
}

// AddVeth creates a veth pair name<->peer with both ends in this namespace
// and sets both up.
func (ns *NS) AddVeth(t testing.TB, name, peer string) {
	t.Helper()
	ns.Run(t, "ip", "link", "add", name, "type", "veth", "peer", "name", peer)
	ns.Run(t, "ip", "link", "set", name, "up")
	ns.Run(t, "ip", "link", "set", peer, "up")
}

// AddVethTo creates a veth pair whose end name stays here and whose end peer
// is moved into other; neither end is brought up, so that the caller can set
// sysctls first (see LinkUp).
func (ns *NS) AddVethTo(t testing.TB, name string, other *NS, peer string) {
	t.Helper()
	ns.Run(t, "ip", "link", "add", name, "type", "veth", "peer", "name", peer, "netns", other.name)
}

// LinkUp sets a device up.
func (ns *NS) LinkUp(t testing.TB, dev string) {
	t.Helper()
	ns.Run(t, "ip", "link", "set", dev, "up")
}

// LinkDel deletes a device.
func (ns *NS) LinkDel(t testing.TB, dev string) {
	t.Helper()
	ns.Run(t, "ip", "link", "del", dev)
}

// Forever is the lifetime meaning "infinite" for AddrReplace.
const Forever = ^uint32(0)

// AddrReplace adds prefix (e.g. "2001:db8::1/64") to dev, or refreshes it if
// present, with the given lifetimes in seconds, the way OpenWrt's netifd does
// on every DHCPv6 renew (RTM_NEWADDR with NLM_F_REPLACE). Extra words such as
// "nodad" are appended to the ip command.
func (ns *NS) AddrReplace(t testing.TB, dev, prefix string, preferred, valid uint32, extra ...string) {
	t.Helper()
	args := []string{"ip", "addr", "replace", prefix, "dev", dev,
		"preferred_lft", lft(preferred), "valid_lft", lft(valid)}
	ns.Run(t, append(args, extra...)...)
}

func lft(s uint32) string {
	if s == Forever {
		return "forever"
	}
	return strconv.FormatUint(uint64(s), 10)
}

// AddrDel removes prefix from dev.
func (ns *NS) AddrDel(t testing.TB, dev, prefix string) {
	t.Helper()
	ns.Run(t, "ip", "addr", "del", prefix, "dev", dev)
}

// Sysctl sets a sysctl inside the namespace. key is dotted
// ("net.ipv6.conf.h0.accept_ra") or, for device names containing dots, a
// path below /proc/sys ("net/ipv6/conf/eth0.2/accept_ra").
func (ns *NS) Sysctl(t testing.TB, key, value string) {
	t.Helper()
	path := key
	if !strings.Contains(key, "/") {
		path = strings.ReplaceAll(key, ".", "/")
	}
	path = filepath.Join("/proc/sys", filepath.Clean("/"+path))
	err := ns.Do(t, func() error {
		// /proc/sys/net shows the namespace of the thread that opens it.
		return os.WriteFile(path, []byte(value), 0o644)
	})
	if err != nil {
		t.Fatalf("netnstest: sysctl %s=%s in %s: %v", key, value, ns.name, err)
	}
}

// WaitFor polls cond every 10 ms until it returns true, failing the test
// after timeout. It bounds a wait for something asynchronous to happen; it is
// not a measurement.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("netnstest: gave up after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
