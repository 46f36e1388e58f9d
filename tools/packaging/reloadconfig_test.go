package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFirstReloadConfigAfterInstall follows the README's command-line
// route on a fresh install: the router booted (reload_config wrote
// /var/run/config.md5 without eddns), the package is installed
// (default_postinst runs /etc/uci-defaults/80-eddns), the user changes
// /etc/config/eddns and runs `uci commit; reload_config`. procd must get a
// config.change for eddns from that very first reload_config. The steps run
// in a private mount namespace with a tmpfs on /run (= /var/run), against
// the reload_config model in testdata/stub/bin.
func TestFirstReloadConfigAfterInstall(t *testing.T) {
	need(t, "busybox")
	needRoot(t)
	need(t, "unshare")
	if fi, err := os.Lstat("/var/run"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Skip("/var/run is not a symlink to /run here")
	}
	event := `call service event {'type':'config.change','data':{'package':'eddns'}}`
	for _, tc := range []struct {
		name string
		boot string // shell run at "boot", before the install
	}{
		{"config.md5 written at boot", "reload_config"},
		{"no config.md5 yet", ":"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			confDir := filepath.Join(dir, "config")
			writeFile(t, filepath.Join(confDir, "network"), "config interface 'lan'\n", 0o644)
			ubusLog := filepath.Join(dir, "ubus.log")
			stubBin := filepath.Join(repoRoot(t), "tools/packaging/testdata/stub/bin")
			script := `mount -t tmpfs tmpfs /run || exit 1
` + tc.boot + `
# opkg install: the package's files, then default_postinst's uci-defaults.
printf "config global 'global'\n\toption enabled '0'\n" >"$UCI_CONFIG_DIR/eddns"
( . "$DEFAULTS" )
echo "--- installed" >>"$UBUS_LOG"
# The user: uci set ...; uci commit eddns; reload_config
printf "config global 'global'\n\toption enabled '1'\n" >"$UCI_CONFIG_DIR/eddns"
reload_config
echo "--- first reload" >>"$UBUS_LOG"
reload_config
echo "--- unchanged reload" >>"$UBUS_LOG"
`
			cmd := exec.Command("unshare", "-m", "--propagation", "private", "busybox", "sh", "-c", script)
			cmd.Env = []string{
				"PATH=" + stubBin + ":" + os.Getenv("PATH"),
				"UCI_CONFIG_DIR=" + confDir,
				"UBUS_LOG=" + ubusLog,
				"DEFAULTS=" + filepath.Join(repoRoot(t), "openwrt/files/etc/uci-defaults/80-eddns"),
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			got := strings.TrimSpace(readFile(t, ubusLog))
			want := "--- installed\n" + event + "\n--- first reload\n--- unchanged reload"
			if got != want {
				t.Errorf("ubus calls:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
