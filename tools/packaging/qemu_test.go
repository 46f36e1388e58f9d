package packaging

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers/alidns/alidnstest"
	"github.com/eddns/eddns/tools/mkpkg/target"
)

// runTarget runs a cross-built binary, under qemu-user when it is not
// native, with a time bound.
func runTarget(t *testing.T, tg target.Target, bin string, args ...string) (string, error) {
	t.Helper()
	name, argv := bin, args
	if tg.QEMU != "" {
		name, argv = need(t, tg.QEMU), append([]string{bin}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/"}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestCrossBinariesUnderQEMU runs every packaged binary: `version`,
// `check` on the shipped sample config, and `once` against a loopback fake
// of Alibaba Cloud DNS, which must end up holding the record.
func TestCrossBinariesUnderQEMU(t *testing.T) {
	_, binDir := buildAll(t)
	sample := filepath.Join(repoRoot(t), "openwrt/files/etc/config/eddns")
	for _, tg := range target.All() {
		t.Run(tg.Arch, func(t *testing.T) {
			bin := filepath.Join(binDir, tg.Arch, "eddns")

			out, err := runTarget(t, tg, bin, "version")
			if err != nil || !strings.Contains(out, testVersion) {
				t.Fatalf("version: %v\n%s", err, out)
			}

			if out, err := runTarget(t, tg, bin, "check", "-c", sample); err != nil {
				t.Errorf("check on the sample config: %v\n%s", err, out)
			}

			const keyID, secret = "LTAItestkey", "test-secret-value"
			fake := alidnstest.New(keyID, secret)
			fake.AddZone("example.com")
			srv := httptest.NewServer(fake)
			defer srv.Close()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "eddns")
			writeFile(t, cfg, `config global 'global'
	option enabled '1'
	option state_dir '`+filepath.Join(dir, "state")+`'

config provider 'ali'
	option type 'alidns'
	option access_key_id '`+keyID+`'
	option access_key_secret '`+secret+`'
	option endpoint '`+srv.URL+`/'

config record 'home'
	option enabled '1'
	option provider 'ali'
	option zone 'example.com'
	option name 'home'
	option type 'A'
	option ttl '600'
	option source 'static'
	option value '192.0.2.1'
`, 0o600)
			out, err = runTarget(t, tg, bin, "once", "-c", cfg)
			if err != nil {
				t.Fatalf("once: %v\n%s", err, out)
			}
			if strings.Contains(out, secret) {
				t.Errorf("the secret appears in the output:\n%s", out)
			}
			var found bool
			for _, r := range fake.Records("example.com") {
				if r.Name == "home" && r.Type == "A" && r.Value == "192.0.2.1" {
					found = true
				}
			}
			if !found {
				t.Errorf("fake provider does not hold home A 192.0.2.1: %+v\n%s", fake.Records("example.com"), out)
			}
			if os.Getenv("EDDNS_TEST_VERBOSE") != "" {
				t.Logf("once output:\n%s", out)
			}
		})
	}
}
