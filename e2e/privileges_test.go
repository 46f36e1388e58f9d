package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/privdrop"
	"github.com/eddns/eddns/state"
)

// nobody is the unprivileged user the daemon runs as.
const nobody = 65534

// capNetRaw is CAP_NET_RAW's bit in /proc/PID/status capability masks.
const capNetRaw = 1 << 13

// TestUnprivilegedDaemon runs the daemon as nobody the three ways procd can
// start it, and reads its credentials from /proc:
//
//   - "ujail": procd with procd-ujail installed starts `ujail -U eddns -G
//     eddns -C /etc/capabilities/eddns.json` (procd service/instance.c
//     jail_run). ujail switches user with SECBIT_NO_SETUID_FIXUP set and then
//     applies the OCI capability sets of that file (procd jail/jail.c,
//     jail/capabilities.c applyOCIcapabilities), so setpriv is given exactly
//     the sets the package ships.
//   - "root, --user": no ujail. procd starts the daemon as root
//     (instance_run skips user switching when no `user` param is set) and
//     `eddns run --user` drops to the user itself keeping CAP_NET_RAW.
//   - "procd user, no capabilities": what procd does without ujail when
//     the init script sets `user` (instance_run: initgroups, setgid, setuid
//     from root, which clears every capability). Interface records still
//     work, and the log says why adverts are not followed.
//
// With CAP_NET_RAW the daemon follows a router-advertised prefix (its own
// NDP socket) as well as interface addresses.
func TestUnprivilegedDaemon(t *testing.T) {
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) not installed")
	}
	ujailCaps := shippedCapabilities(t)
	for _, tc := range []struct {
		name   string
		netRaw bool
		start  func(t *testing.T, e *Env, bin string) *setprivDaemon
	}{
		{"ujail", true, func(t *testing.T, e *Env, bin string) *setprivDaemon {
			return startAs(t, e, bin, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups"}, ujailCaps...)...)
		}},
		{"root, --user", true, func(t *testing.T, e *Env, bin string) *setprivDaemon {
			return startCmd(t, e, []string{bin, "-c", e.Config, "--log-level", "debug", "run",
				"--status-copy", statusCopy(t, bin), "--user", "nobody"})
		}},
		{"procd user, no capabilities", false, func(t *testing.T, e *Env, bin string) *setprivDaemon {
			return startAs(t, e, bin, "--reuid=65534", "--regid=65534", "--clear-groups",
				"--inh-caps=-all", "--ambient-caps=-all")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, TencentCloud)
			bin := nobodyWorld(t, e)
			e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "lan0") +
				Record("host", "name", "host", "type", "AAAA", "source", "prefix", "device", "wan0", "suffix", suffix))
			if err := os.Chown(e.Config, nobody, nobody); err != nil {
				t.Fatal(err)
			}
			e.AddLink("lan0")
			r := e.AddRouter("wan0", false)

			d := tc.start(t, e, bin)
			want := uint64(0)
			if tc.netRaw {
				want = capNetRaw
			}
			for tid, st := range threadCreds(t, d.pid()) {
				if st.UIDs != [4]int{nobody, nobody, nobody, nobody} {
					t.Errorf("thread %s runs as uids %v, want all %d", tid, st.UIDs, nobody)
				}
				if st.CapEff != want || st.CapPrm != want {
					t.Errorf("thread %s: effective capabilities %#x, permitted %#x, want %#x", tid, st.CapEff, st.CapPrm, want)
				}
				if tc.netRaw && st.CapBnd != capNetRaw {
					t.Errorf("thread %s: bounding set %#x, want only CAP_NET_RAW %#x", tid, st.CapBnd, uint64(capNetRaw))
				}
			}

			const hostValue = "2001:db8:77:0:211:32ff:fe12:3456"
			if tc.netRaw {
				r.AdvertiseUntil("host = the advertised prefix + suffix", func() bool {
					v, ok := e.Value("host", "AAAA")
					return ok && v == hostValue
				}, PIO("2001:db8:77::/64", time.Hour, 2*time.Hour))
				e.WaitPublished("host", "host", "AAAA", hostValue)
			} else {
				r.Advertise(PIO("2001:db8:77::/64", time.Hour, 2*time.Hour))
				d.waitLogLine(t, "level=WARN", "cannot listen for router advertisements", "device=wan0", "operation not permitted")
			}

			e.NS.AddrReplace(t, "lan0", "2001:db8:1::10/64", 3600, 7200)
			e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")
			e.NS.AddrReplace(t, "lan0", "2001:db8:1::10/64", 0, 7200)
			e.NS.AddrReplace(t, "lan0", "2001:db8:2::10/64", 3600, 7200)
			e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:2::10")

			if !tc.netRaw {
				// The advert went out before the address changes that
				// were published since: a listening daemon had it.
				if v, ok := e.Value("host", "AAAA"); ok {
					t.Errorf("host published as %s without an NDP socket", v)
				}
				if rs, _ := e.RecordStatus("host"); rs.Desired != "" || rs.DesiredReason == "" {
					t.Errorf("status of the prefix record: %+v, want no value and a reason", rs)
				}
			}
			if strings.Contains(d.log(), "readable") {
				t.Errorf("permission warning for a 0600 config owned by the daemon's user:\n%s", d.log())
			}
			for _, f := range []string{state.FileName, state.StatusFileName} {
				fi, err := os.Stat(filepath.Join(e.StateDir, f))
				if err != nil {
					t.Fatal(err)
				}
				if st := fi.Sys().(*syscall.Stat_t); st.Uid != nobody {
					t.Errorf("%s owned by uid %d, want %d", f, st.Uid, nobody)
				}
			}
			if tc.name == "root, --user" {
				// The copy for LuCI follows the status file.
				b, err := os.ReadFile(statusCopy(t, bin))
				if err != nil {
					t.Fatal(err)
				}
				var cp state.Status
				if err := json.Unmarshal(b, &cp); err != nil || len(cp.Records) != 2 || cp.PID != d.pid() {
					t.Errorf("status copy for LuCI: %+v, %v\n%s", cp, err, b)
				}
			}
			d.stop(t)
			assertNoSecret(t, "the daemon's log", d.log(), Secret)
		})
	}
}

// statusCopy makes (once) the root-owned directory with the file for
// `run --status-copy` next to bin, as the init script does, and returns
// the file's path.
func statusCopy(t *testing.T, bin string) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(bin), "luci")
	f := filepath.Join(dir, "status.json")
	if _, err := os.Stat(f); err == nil {
		return f
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDropNeedsRoot: `run --user` started by someone else fails clearly
// rather than running with whatever it had.
func TestDropNeedsRoot(t *testing.T) {
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) not installed")
	}
	e := NewEnv(t, TencentCloud)
	bin := nobodyWorld(t, e)
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "lan0"))
	if err := os.Chown(e.Config, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		bin, "-c", e.Config, "run", "--user", "nobody").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs root") {
		t.Fatalf("run --user as nobody: %v\n%s", err, out)
	}
}

// shippedCapabilities turns openwrt/files/etc/capabilities/eddns.json (what
// ujail -C applies) into setpriv options.
func shippedCapabilities(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../openwrt/files/etc/capabilities/eddns.json")
	if err != nil {
		t.Fatal(err)
	}
	var sets map[string][]string
	if err := json.Unmarshal(b, &sets); err != nil {
		t.Fatal(err)
	}
	list := func(key string) string {
		s := "-all"
		for _, c := range sets[key] {
			s += ",+" + strings.ToLower(strings.TrimPrefix(c, "CAP_"))
		}
		return s
	}
	if fmt.Sprint(sets["effective"]) != fmt.Sprint(sets["permitted"]) {
		t.Fatalf("capabilities.json: effective %v differs from permitted %v", sets["effective"], sets["permitted"])
	}
	// After exec as a non-root user, only the ambient set survives into
	// the new program's permitted and effective sets (capabilities(7)).
	return []string{"--inh-caps=" + list("inheritable"), "--ambient-caps=" + list("ambient"), "--bounding-set=" + list("bounding")}
}

// nobodyWorld moves e's configuration and state directory into a directory
// the user nobody can reach (t.TempDir's parents are private to root), with
// the state directory owned by nobody, and copies the eddns binary there. It
// returns the binary's path.
func nobodyWorld(t *testing.T, e *Env) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "eddns-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e.Config = filepath.Join(dir, "eddns.conf")
	e.StateDir = filepath.Join(dir, "state")
	if err := os.Mkdir(e.StateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(e.StateDir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "eddns")
	src, err := os.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return bin
}

// setprivDaemon is `eddns run` started through setpriv inside a namespace.
type setprivDaemon struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (d *setprivDaemon) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.Write(p)
}

func (d *setprivDaemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.String()
}

func (d *setprivDaemon) pid() int { return d.cmd.Process.Pid }

// startAs runs `ip netns exec NS setpriv PRIVS... bin -c CONFIG --log-level
// debug run` and waits until the daemon has written status.json. `ip netns
// exec` and setpriv both exec, so the process is eddns itself.
func startAs(t *testing.T, e *Env, bin string, privs ...string) *setprivDaemon {
	t.Helper()
	argv := append(append([]string{"setpriv"}, privs...), bin, "-c", e.Config, "--log-level", "debug", "run")
	return startCmd(t, e, argv)
}

// startCmd runs `ip netns exec NS argv...`, which execs argv, and waits
// until the daemon has written status.json.
func startCmd(t *testing.T, e *Env, argv []string) *setprivDaemon {
	t.Helper()
	args := append([]string{"netns", "exec", e.NS.Name()}, argv...)
	d := &setprivDaemon{cmd: exec.Command("ip", args...), done: make(chan struct{})}
	d.cmd.Stdout, d.cmd.Stderr = d, d
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start eddns through setpriv: %v", err)
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			_ = d.cmd.Process.Kill()
			<-d.done
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.log())
		}
	})
	e.WaitFor(lazy(func() any { return "start-up of the unprivileged daemon; log:\n" + d.log() }), func() bool {
		select {
		case <-d.done:
			t.Fatalf("the unprivileged daemon exited: %v\n%s", d.cmd.ProcessState, d.log())
		default:
		}
		st, ok := e.Status()
		return ok && st.PID == d.pid() && strings.Contains(d.log(), "eddns started")
	})
	return d
}

// waitLogLine waits until one line of the log holds every one of parts.
func (d *setprivDaemon) waitLogLine(t *testing.T, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(Wait)
	for !HasLine(d.log(), parts...) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for a log line with %q:\n%s", Wait, parts, d.log())
		}
		time.Sleep(pollEvery)
	}
}

// stop sends SIGTERM and checks for exit status 0.
func (d *setprivDaemon) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-d.done:
	case <-time.After(Wait):
		t.Fatalf("the daemon did not stop within %v", Wait)
	}
	if code := d.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0:\n%s", code, d.log())
	}
}

// threadCreds returns the credentials of every thread of pid, by thread id.
func threadCreds(t *testing.T, pid int) map[string]privdrop.Status {
	t.Helper()
	paths, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(paths) == 0 {
		t.Fatalf("threads of %d: %v", pid, err)
	}
	out := map[string]privdrop.Status{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited
		}
		st, err := privdrop.ParseStatus(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(filepath.Dir(p))] = st
	}
	return out
}
