package packaging

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// initEnv is a scratch root for running init.d/eddns against the stubs.
type initEnv struct {
	t        *testing.T
	dir      string
	confDir  string // stands in for /etc/config
	conf     string // stands in for /etc/config/eddns
	runDir   string // stands in for /var/etc/eddns
	stateDir string // default state_dir
	copyDir  string // stands in for /var/run/eddns-luci
	ujail    string
	running  bool
	user     daemonUser
}

func newInitEnv(t *testing.T) *initEnv {
	t.Helper()
	need(t, "busybox")
	needRoot(t)
	// Not t.TempDir: its 0700 parents would stop the daemon user from
	// reaching the copy, which is exactly what one test checks.
	dir, err := os.MkdirTemp("", "eddns-init-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &initEnv{
		t:        t,
		dir:      dir,
		confDir:  filepath.Join(dir, "etc/config"),
		runDir:   filepath.Join(dir, "var/etc/eddns"),
		stateDir: filepath.Join(dir, "var/run/eddns"),
		copyDir:  filepath.Join(dir, "var/run/eddns-luci"),
		ujail:    filepath.Join(repoRoot(t), "tools/packaging/testdata/stub/bin/ujail"),
		user:     lookupDaemonUser(t),
	}
	e.conf = filepath.Join(e.confDir, "eddns")
	for _, d := range []string{e.confDir, filepath.Dir(e.runDir), filepath.Dir(e.stateDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *initEnv) writeConfig(enabled string, extra string) {
	e.t.Helper()
	writeFile(e.t, e.conf, "config global 'global'\n\toption enabled '"+enabled+"'\n"+extra, 0o600)
}

// run executes `rc.common <initscript> <action>` under busybox ash and
// returns the recorded procd calls and log lines.
func (e *initEnv) run(action string) (calls [][]string, logs string) {
	e.t.Helper()
	root := repoRoot(e.t)
	stub := filepath.Join(root, "tools/packaging/testdata/stub")
	procdLog := filepath.Join(e.dir, "procd.log")
	loggerLog := filepath.Join(e.dir, "logger.log")
	os.Remove(procdLog)
	os.Remove(loggerLog)
	cmd := exec.Command("busybox", "sh", filepath.Join(stub, "rc.sh"), filepath.Join(root, "init.d/eddns"), action)
	running := "0"
	if e.running {
		running = "1"
	}
	cmd.Env = append(os.Environ(),
		"STUB_DIR="+stub,
		"UCI_CONFIG_DIR="+e.confDir,
		"PROCD_LOG="+procdLog,
		"LOGGER_LOG="+loggerLog,
		"EDDNS_LOG="+filepath.Join(e.dir, "eddns.log"),
		"STUB_RUNNING="+running,
		"T_PROG="+filepath.Join(stub, "bin/eddns"),
		"T_CONFIG="+e.conf,
		"T_RUN_DIR="+e.runDir,
		"T_DEFAULT_STATE_DIR="+e.stateDir,
		"T_STATUS_COPY_DIR="+e.copyDir,
		"T_USER="+e.user.name,
		"T_GROUP="+e.user.group,
		"T_UJAIL="+e.ujail,
		"T_UBUS="+filepath.Join(stub, "bin/ubus"),
		"T_LOGGER="+filepath.Join(stub, "bin/logger"),
	)
	out, err := cmd.CombinedOutput()
	if err != nil && action != "start" && action != "reload" && action != "check" {
		e.t.Fatalf("rc.sh %s: %v\n%s", action, err, out)
	}
	for _, l := range strings.Split(strings.TrimRight(readFile(e.t, procdLog), "\n"), "\n") {
		if l != "" {
			calls = append(calls, strings.Split(l, "\t"))
		}
	}
	return calls, readFile(e.t, loggerLog)
}

func hasCall(calls [][]string, want ...string) bool {
	for _, c := range calls {
		if reflect.DeepEqual(c, want) {
			return true
		}
	}
	return false
}

func countCalls(calls [][]string, name string) int {
	n := 0
	for _, c := range calls {
		if c[0] == name {
			n++
		}
	}
	return n
}

func TestStartDefinesTheInstance(t *testing.T) {
	e := newInitEnv(t)
	e.writeConfig("1", "")
	calls, logs := e.run("start")
	runConfig := filepath.Join(e.runDir, "eddns")
	for _, want := range [][]string{
		{"procd_open_instance", "eddns"},
		{"procd_set_param", "command", filepath.Join(repoRoot(t), "tools/packaging/testdata/stub/bin/eddns"), "run", "-c", runConfig,
			"--status-copy", filepath.Join(e.copyDir, "status.json")},
		{"procd_set_param", "respawn"},
		{"procd_set_param", "stdout", "1"},
		{"procd_set_param", "stderr", "1"},
		{"procd_set_param", "user", e.user.name},
		{"procd_set_param", "group", e.user.group},
		{"procd_set_param", "capabilities", "/etc/capabilities/eddns.json"},
		{"procd_add_jail", "eddns", "ubus", "ronly"},
		{"procd_add_jail_mount", filepath.Join(repoRoot(t), "tools/packaging/testdata/stub/bin/ubus")},
		{"procd_add_jail_mount", e.runDir, "/etc/ssl/certs/ca-certificates.crt"},
		{"procd_add_jail_mount_rw", e.stateDir, filepath.Join(e.copyDir, "status.json")},
		{"procd_close_instance"},
		{"procd_add_reload_trigger", "eddns"},
		{"procd_close_service"},
	} {
		if !hasCall(calls, want...) {
			t.Errorf("missing call %q\ncalls: %q\nlogs: %s", want, calls, logs)
		}
	}
	for _, c := range calls {
		if c[0] == "procd_add_jail" {
			for _, opt := range c[2:] {
				if opt == "netns" {
					t.Errorf("jail uses a separate netns: %q", c)
				}
			}
		}
	}
}

// TestStartPassesLeaseFiles: the daemon is told dnsmasq's lease files from
// /etc/config/dhcp (each 'dnsmasq' section's leasefile, /tmp/dhcp.leases by
// default), and those that exist are mounted into the jail.
func TestStartPassesLeaseFiles(t *testing.T) {
	e := newInitEnv(t)
	e.writeConfig("1", "")
	main, guest := filepath.Join(e.dir, "dhcp.leases"), filepath.Join(e.dir, "guest.leases")
	writeFile(t, main, "1796364000 02:11:32:12:34:5a 192.168.1.23 nas *\n", 0o644)
	writeFile(t, filepath.Join(e.confDir, "dhcp"), "config dnsmasq\n\toption leasefile '"+main+"'\n\n"+
		"config dnsmasq 'guest'\n\toption leasefile '"+guest+"'\n\n"+
		"config dnsmasq 'iot'\n\noption dhcp 'lan'\n", 0o644)
	calls, logs := e.run("start")
	for _, want := range [][]string{
		{"procd_append_param", "command", "--dhcp-leasefile", main},
		{"procd_append_param", "command", "--dhcp-leasefile", guest},
		{"procd_append_param", "command", "--dhcp-leasefile", "/tmp/dhcp.leases"},
		{"procd_add_jail_mount", main},
	} {
		if !hasCall(calls, want...) {
			t.Errorf("missing call %q\ncalls: %q\nlogs: %s", want, calls, logs)
		}
	}
	if hasCall(calls, "procd_add_jail_mount", guest) {
		t.Errorf("a lease file that does not exist is mounted: %q", calls)
	}
	// Without /etc/config/dhcp: the default file only.
	os.Remove(filepath.Join(e.confDir, "dhcp"))
	calls, _ = e.run("start")
	if n := countCalls(calls, "procd_append_param"); n != 1 || !hasCall(calls, "procd_append_param", "command", "--dhcp-leasefile", "/tmp/dhcp.leases") {
		t.Errorf("without /etc/config/dhcp: %q", calls)
	}
}

func TestStartWithoutUjailSkipsTheJail(t *testing.T) {
	e := newInitEnv(t)
	e.ujail = filepath.Join(e.dir, "no-ujail")
	e.writeConfig("1", "")
	calls, _ := e.run("start")
	if n := countCalls(calls, "procd_add_jail") + countCalls(calls, "procd_add_jail_mount") + countCalls(calls, "procd_add_jail_mount_rw"); n != 0 {
		t.Errorf("%d jail calls without ujail: %q", n, calls)
	}
	// procd without ujail would setuid the daemon with no capability left
	// (procd service/instance.c instance_run): the daemon must be started
	// as root and switch to the user itself, keeping CAP_NET_RAW.
	want := []string{"procd_set_param", "command", filepath.Join(repoRoot(t), "tools/packaging/testdata/stub/bin/eddns"),
		"run", "-c", filepath.Join(e.runDir, "eddns"), "--status-copy", filepath.Join(e.copyDir, "status.json"), "--user", e.user.name}
	if !hasCall(calls, want...) || countCalls(calls, "procd_open_instance") != 1 {
		t.Errorf("instance does not switch to the unprivileged user itself: missing %q\ncalls: %q", want, calls)
	}
	for _, c := range calls {
		if c[0] == "procd_set_param" && (c[1] == "user" || c[1] == "group" || c[1] == "capabilities") {
			t.Errorf("%q without ujail: procd would drop every capability (or ignore it)", c)
		}
	}
}

// TestConfigCopyPermissions checks the secrets design: the daemon reads a
// copy it owns (0600) in a root-owned directory only its group can enter;
// other users can read neither, and /etc/config/eddns is tightened to 0600.
func TestConfigCopyPermissions(t *testing.T) {
	e := newInitEnv(t)
	e.writeConfig("1", "config provider 'ali'\n\toption type 'alidns'\n\toption access_key_secret 'TOPSECRET'\n")
	if err := os.Chmod(e.conf, 0o644); err != nil { // as if copied in with scp
		t.Fatal(err)
	}
	_, logs := e.run("start")

	copyPath := filepath.Join(e.runDir, "eddns")
	if got, want := readFile(t, copyPath), readFile(t, e.conf); got != want || got == "" {
		t.Fatalf("copy %q differs from the config %q", got, want)
	}
	tests := []struct {
		path     string
		uid, gid int
		mode     os.FileMode
	}{
		{e.conf, 0, 0, 0o600},
		{e.runDir, 0, e.user.gid, 0o750 | os.ModeDir},
		{copyPath, e.user.uid, e.user.gid, 0o600},
		{e.stateDir, e.user.uid, e.user.gid, 0o750 | os.ModeDir},
	}
	for _, tt := range tests {
		st, err := os.Stat(tt.path)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		sys := st.Sys().(*syscall.Stat_t)
		if int(sys.Uid) != tt.uid || int(sys.Gid) != tt.gid || st.Mode() != tt.mode {
			t.Errorf("%s: %d:%d %v, want %d:%d %v", tt.path, sys.Uid, sys.Gid, st.Mode(), tt.uid, tt.gid, tt.mode)
		}
	}
	if !strings.Contains(logs, "removed group/other access") {
		t.Errorf("tightening /etc/config/eddns was not logged: %q", logs)
	}

	// The real check: who can actually read the copy.
	readAs := func(uid, gid int) error {
		cmd := exec.Command("cat", copyPath)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		return cmd.Run()
	}
	if err := readAs(e.user.uid, e.user.gid); err != nil {
		t.Errorf("the daemon user cannot read its copy: %v", err)
	}
	if err := readAs(54321, 54321); err == nil {
		t.Error("an unrelated user can read the copy with the secrets")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(e.runDir, ".eddns.*")); len(leftovers) != 0 {
		t.Errorf("temporary copies left behind: %q", leftovers)
	}
}

func TestStartDoesNothing(t *testing.T) {
	tests := []struct {
		name    string
		enabled string
		extra   string
		prepare func(e *initEnv)
		wantLog string
	}{
		{name: "disabled", enabled: "0", wantLog: "not starting"},
		{name: "invalid config", enabled: "1", extra: "config record 'x'\n\toption type 'INVALID'\n",
			wantLog: "is not valid"},
		{name: "state_dir owned by someone else", enabled: "1", prepare: func(e *initEnv) {
			os.MkdirAll(e.stateDir, 0o755)
		}, wantLog: "is owned by 'root'"},
		{name: "relative state_dir", enabled: "1", extra: "config global 'global'\n\toption state_dir 'var/run'\n",
			wantLog: "absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newInitEnv(t)
			e.writeConfig(tt.enabled, tt.extra)
			if tt.prepare != nil {
				tt.prepare(e)
			}
			calls, logs := e.run("start")
			if n := countCalls(calls, "procd_open_instance"); n != 0 {
				t.Errorf("an instance was defined: %q", calls)
			}
			if !strings.Contains(logs, tt.wantLog) {
				t.Errorf("log %q does not say %q", logs, tt.wantLog)
			}
			if tt.name == "invalid config" {
				if !strings.Contains(logs, e.conf+":12:") {
					t.Errorf("check output should name %s, not the temporary copy: %q", e.conf, logs)
				}
				if _, err := os.Stat(filepath.Join(e.runDir, "eddns")); err == nil {
					t.Error("an invalid config was installed for the daemon")
				}
			}
		})
	}
}

// TestStartWithoutEnabled: a config without global.enabled runs the daemon,
// as the daemon and LuCI read it (schema default 1); LuCI may remove an
// option that equals its default on save.
func TestStartWithoutEnabled(t *testing.T) {
	e := newInitEnv(t)
	writeFile(t, e.conf, "config global 'global'\n\toption log_level 'info'\n", 0o600)
	if calls, logs := e.run("start"); countCalls(calls, "procd_open_instance") != 1 {
		t.Fatalf("no instance without global.enabled: %q %s", calls, logs)
	}
}

func TestReload(t *testing.T) {
	tests := []struct {
		name      string
		running   bool
		enabled   string
		extra     string
		want      [][]string // calls that must happen
		forbidden []string   // call names that must not
		copyHas   string     // the daemon's copy must contain this afterwards
	}{
		{name: "running: SIGHUP, no restart", running: true, enabled: "1", extra: "# changed\n",
			want:      [][]string{{"procd_send_signal", "eddns", "eddns", sigNum(t, "HUP")}},
			forbidden: []string{"procd_open_instance", "stop", "procd_kill"}, copyHas: "# changed"},
		{name: "invalid config keeps the daemon as it was", running: true, enabled: "1",
			extra:     "config record 'x'\n\toption type 'INVALID'\n",
			forbidden: []string{"procd_send_signal", "procd_open_instance", "stop", "procd_kill"}, copyHas: "first version"},
		{name: "disabled stops", running: true, enabled: "0",
			want: [][]string{{"stop"}, {"procd_kill", "eddns"}}, forbidden: []string{"procd_send_signal"}},
		{name: "not running starts", running: false, enabled: "1",
			want: [][]string{{"procd_open_instance", "eddns"}}, forbidden: []string{"procd_send_signal"}},
		{name: "state_dir change restarts", running: true, enabled: "1",
			extra: "config global 'global'\n\toption state_dir '" + "/NEWSTATE" + "'\n",
			want:  [][]string{{"stop"}, {"procd_open_instance", "eddns"}}, forbidden: []string{"procd_send_signal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newInitEnv(t)
			e.writeConfig("1", "# first version\n")
			if calls, logs := e.run("start"); countCalls(calls, "procd_open_instance") != 1 {
				t.Fatalf("initial start failed: %q %s", calls, logs)
			}
			extra := strings.ReplaceAll(tt.extra, "/NEWSTATE", filepath.Join(e.dir, "var/run/other"))
			e.writeConfig(tt.enabled, extra)
			e.running = tt.running
			calls, logs := e.run("reload")
			for _, w := range tt.want {
				if !hasCall(calls, w...) {
					t.Errorf("missing call %q\ncalls: %q\nlogs: %s", w, calls, logs)
				}
			}
			for _, f := range tt.forbidden {
				if countCalls(calls, f) != 0 {
					t.Errorf("unexpected %s\ncalls: %q", f, calls)
				}
			}
			if tt.copyHas != "" && !strings.Contains(readFile(t, filepath.Join(e.runDir, "eddns")), tt.copyHas) {
				t.Errorf("daemon's copy lacks %q", tt.copyHas)
			}
		})
	}
}

func TestServiceTriggers(t *testing.T) {
	e := newInitEnv(t)
	e.writeConfig("1", "")
	calls, _ := e.run("triggers")
	if want := [][]string{{"procd_add_reload_trigger", "eddns"}}; !reflect.DeepEqual(calls, want) {
		t.Errorf("service_triggers calls = %q, want %q", calls, want)
	}
}

// sigNum is the signal number busybox's kill reports on this machine.
func sigNum(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("busybox", "sh", "-c", "kill -l "+name).Output()
	if err != nil {
		t.Fatalf("kill -l %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// TestStatusCopyForLuCI: rpcd reads the status for LuCI as root, so the
// file must be one the daemon cannot redirect: a regular file in a
// directory only root may change, which the daemon may only rewrite. A
// link left at the path (by an older version, or planted) is replaced, and
// the link older versions made in the default state_dir goes.
func TestStatusCopyForLuCI(t *testing.T) {
	e := newInitEnv(t)
	custom := filepath.Join(e.dir, "mnt/usb/eddns")
	copyPath := filepath.Join(e.copyDir, "status.json")
	secret := filepath.Join(e.dir, "shadow")
	writeFile(t, secret, "root:$1$secret:0:0\n", 0o600)
	if err := os.MkdirAll(e.copyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, copyPath); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.stateDir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(e.stateDir, e.user.uid, e.user.gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(custom, "status.json"), filepath.Join(e.stateDir, "status.json")); err != nil {
		t.Fatal(err)
	}
	e.writeConfig("1", "config global 'global'\n\toption state_dir '"+custom+"'\n")
	if calls, logs := e.run("start"); countCalls(calls, "procd_open_instance") != 1 {
		t.Fatalf("start failed: %q %s", calls, logs)
	}
	for _, tt := range []struct {
		path     string
		uid, gid int
		mode     os.FileMode
	}{
		{e.copyDir, 0, 0, 0o755 | os.ModeDir},
		{copyPath, e.user.uid, e.user.gid, 0o644},
	} {
		fi, err := os.Lstat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != tt.uid || int(st.Gid) != tt.gid || fi.Mode() != tt.mode {
			t.Errorf("%s: %d:%d %v, want %d:%d %v", tt.path, st.Uid, st.Gid, fi.Mode(), tt.uid, tt.gid, tt.mode)
		}
	}
	if b := readFile(t, secret); b != "root:$1$secret:0:0\n" {
		t.Errorf("the file the planted link pointed at changed: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(e.stateDir, "status.json")); err == nil {
		t.Error("the old link in the default state_dir is still there")
	}
	// What the daemon's user can and cannot do there.
	asDaemon := func(script string) error {
		cmd := exec.Command("busybox", "sh", "-c", script)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(e.user.uid), Gid: uint32(e.user.gid)}}
		return cmd.Run()
	}
	if err := asDaemon("echo '{}' >" + copyPath); err != nil {
		t.Errorf("the daemon cannot write its status: %v", err)
	}
	for _, attack := range []string{
		"ln -sf " + secret + " " + copyPath,
		"rm -f " + copyPath,
		"ln -s " + secret + " " + filepath.Join(e.copyDir, "other"),
	} {
		if err := asDaemon(attack); err == nil {
			t.Errorf("the daemon's user could %q", attack)
		}
	}
	if fi, err := os.Lstat(copyPath); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("%s is no longer a regular file: %v", copyPath, err)
	}
}

// TestCheckCommand: `/etc/init.d/eddns check` (what LuCI's "Check now"
// runs) sends SIGUSR1 to eddns and nothing else, and says so when the
// daemon is not running.
func TestCheckCommand(t *testing.T) {
	e := newInitEnv(t)
	e.writeConfig("1", "")
	e.running = true
	calls, _ := e.run("check")
	want := [][]string{{"procd_running", "eddns", "eddns"}, {"procd_send_signal", "eddns", "eddns", sigNum(t, "USR1")}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("check: calls %q, want %q", calls, want)
	}
	e.running = false
	calls, _ = e.run("check")
	if countCalls(calls, "procd_send_signal") != 0 {
		t.Errorf("signalled a stopped daemon: %q", calls)
	}
}

// procdOutcome models what procd does with the instance the init script
// defined (procd service/instance.c, jail/jail.c) and returns the user the
// program ends up running as, whether it keeps CAP_NET_RAW, and the
// environment it starts with:
//   - the jail is used only if /sbin/ujail exists (instance_config_parse:
//     stat(UJAIL_BIN_PATH), has_jail = false otherwise);
//   - with the jail, `user`/`group`/`capabilities` become ujail -U/-G/-C
//     (jail_run); ujail switches user and applies the capability file, and
//     starts the program with only container=ujail in its environment;
//   - without it, procd itself calls initgroups/setgid/setuid from root
//     when `user` is set (instance_run), which clears every capability
//     (capabilities(7)), and `capabilities` is ignored; without `user` the
//     program starts as root, and `eddns run --user NAME` switches to NAME
//     keeping CAP_NET_RAW only (package privdrop, proved in
//     e2e/privileges_test.go).
func procdOutcome(t *testing.T, calls [][]string, ujail bool) (user string, netRaw bool) {
	t.Helper()
	var cmd []string
	var procdUser, caps string
	for _, c := range calls {
		if c[0] != "procd_set_param" {
			continue
		}
		switch c[1] {
		case "command":
			cmd = c[2:]
		case "user":
			procdUser = c[2]
		case "capabilities":
			caps = c[2]
		}
	}
	jailed := ujail && countCalls(calls, "procd_add_jail") > 0
	switch {
	case jailed:
		// After ujail execs the program as a non-root user, only the
		// ambient set (bounded by the bounding set) survives into its
		// effective set (capabilities(7)).
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "openwrt/files/etc/capabilities/eddns.json"))
		if err != nil {
			t.Fatal(err)
		}
		var sets map[string][]string
		if err := json.Unmarshal(b, &sets); err != nil {
			t.Fatal(err)
		}
		return procdUser, caps == "/etc/capabilities/eddns.json" &&
			slices.Contains(sets["ambient"], "CAP_NET_RAW") && slices.Contains(sets["bounding"], "CAP_NET_RAW")
	case procdUser != "":
		return procdUser, false
	default:
		for i, a := range cmd {
			if a == "--user" && i+1 < len(cmd) {
				return cmd[i+1], true
			}
		}
		return "root", true
	}
}

// TestDaemonRunsAsUserWithNetRaw: with or without ujail, the instance the
// init script defines ends up as the eddns user holding CAP_NET_RAW.
func TestDaemonRunsAsUserWithNetRaw(t *testing.T) {
	for _, ujail := range []bool{true, false} {
		e := newInitEnv(t)
		if !ujail {
			e.ujail = filepath.Join(e.dir, "no-ujail")
		}
		e.writeConfig("1", "")
		calls, logs := e.run("start")
		user, netRaw := procdOutcome(t, calls, ujail)
		if user != e.user.name || !netRaw {
			t.Errorf("ujail=%v: the daemon would run as %q with CAP_NET_RAW=%v, want %q with it\ncalls: %q\n%s",
				ujail, user, netRaw, e.user.name, calls, logs)
		}
	}
}
