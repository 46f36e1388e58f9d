package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/ipk"
)

// runHotplug sources a hotplug script the way procd's dispatcher does
// (`sh -c ". /lib/functions.sh; . script"`, here without functions.sh) with
// the given environment and returns what it asked ubus for.
func runHotplug(t *testing.T, script string, env ...string) string {
	t.Helper()
	dir := t.TempDir()
	ubusLog := filepath.Join(dir, "ubus.log")
	stubBin := filepath.Join(repoRoot(t), "tools/packaging/testdata/stub/bin")
	cmd := exec.Command("busybox", "sh", "-c", ". "+filepath.Join(repoRoot(t), script))
	cmd.Env = append([]string{"PATH=" + stubBin + ":" + os.Getenv("PATH"), "UBUS_LOG=" + ubusLog}, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v\n%s", script, env, err, out)
	}
	return strings.TrimSpace(readFile(t, ubusLog))
}

func TestIfaceHotplug(t *testing.T) {
	need(t, "busybox")
	// SIGWINCH: "interfaces changed" (daemon.SignalInterfaces), not
	// SIGUSR1's full check that costs one lookup per record.
	winch := sigNum(t, "WINCH")
	signal := `call service signal {"name":"eddns","signal":` + winch + `}`
	tests := []struct {
		env  []string
		want string // "" = ubus not called
	}{
		{[]string{"ACTION=ifup", "INTERFACE=wan", "DEVICE=pppoe-wan"}, signal},
		{[]string{"ACTION=ifupdate", "INTERFACE=wan6", "IFUPDATE_PREFIXES=1"}, signal},
		{[]string{"ACTION=ifupdate", "INTERFACE=wan6", "IFUPDATE_ADDRESSES=1"}, signal},
		{[]string{"ACTION=ifupdate", "INTERFACE=wan6", "IFUPDATE_ROUTES=1", "IFUPDATE_DATA=1"}, ""},
		{[]string{"ACTION=ifdown", "INTERFACE=wan"}, ""},
		{[]string{"ACTION=ifup", "INTERFACE=loopback"}, ""},
		{[]string{"ACTION=free", "INTERFACE=wan"}, ""},
	}
	for _, tt := range tests {
		if got := runHotplug(t, "openwrt/files/etc/hotplug.d/iface/95-eddns", tt.env...); got != tt.want {
			t.Errorf("%q: ubus %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestNTPHotplug(t *testing.T) {
	need(t, "busybox")
	signal := `call service signal {"name":"eddns","signal":` + sigNum(t, "USR2") + `}`
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"ACTION=stratum", "stratum=2"}, signal},
		{[]string{"ACTION=stratum"}, signal}, // helpers that do not pass $stratum
		{[]string{"ACTION=stratum", "stratum=16"}, ""},
		{[]string{"ACTION=stratum", "stratum=x"}, ""},
		{[]string{"ACTION=step", "stratum=2"}, ""},
		{[]string{"ACTION=periodic", "stratum=2"}, ""},
	}
	for _, tt := range tests {
		if got := runHotplug(t, "openwrt/files/etc/hotplug.d/ntp/95-eddns", tt.env...); got != tt.want {
			t.Errorf("%q: ubus %q, want %q", tt.env, got, tt.want)
		}
	}
}

// TestHotplugWithoutTheDaemon: with eddns stopped procd answers the signal
// with "Not found" (exit 252, see the ubus stub); the hotplug scripts must
// stay quiet and succeed, since procd's dispatcher runs the next script
// regardless and logs nothing useful.
func TestHotplugWithoutTheDaemon(t *testing.T) {
	need(t, "busybox")
	for _, tc := range []struct{ script, action string }{
		{"openwrt/files/etc/hotplug.d/iface/95-eddns", "ACTION=ifup"},
		{"openwrt/files/etc/hotplug.d/ntp/95-eddns", "ACTION=stratum"},
	} {
		got := runHotplug(t, tc.script, tc.action, "INTERFACE=wan", "stratum=2", "UBUS_SERVICES=dnsmasq")
		if !strings.HasPrefix(got, "call service signal") {
			t.Errorf("%s: ubus %q", tc.script, got)
		}
	}
}

// TestShellcheck runs shellcheck in POSIX sh mode (what busybox ash
// accepts) on every script, including the maintainer scripts mkpkg writes.
func TestShellcheck(t *testing.T) {
	sc := need(t, "shellcheck")
	root := repoRoot(t)
	scripts := shellScripts(t)
	if len(scripts) < 8 {
		t.Fatalf("found only %d scripts: %q", len(scripts), scripts)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{"postinst": ipk.Postinst, "prerm": ipk.Prerm} {
		p := filepath.Join(dir, name)
		writeFile(t, p, body, 0o755)
		scripts = append(scripts, p)
	}
	for _, s := range scripts {
		cmd := exec.Command(sc, "-s", "sh", s)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck -s sh %s: %v\n%s", s, err, out)
		}
	}
}
