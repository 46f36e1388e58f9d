package packaging

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// inCI reports whether missing tools must fail rather than skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// need returns the path of tool, skipping the test when it is missing
// outside CI and failing under CI=true.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if inCI() {
			t.Fatalf("%s is required under CI=true: %v", tool, err)
		}
		t.Skipf("%s not installed: %v", tool, err)
	}
	return p
}

// needRoot skips (or fails under CI) when the test cannot chown.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if inCI() {
			t.Fatal("this test must run as root under CI=true")
		}
		t.Skip("needs root to chown files to the daemon user")
	}
}

// daemonUser is the unprivileged account the tests let stand in for
// `eddns`: nobody, with its primary group.
type daemonUser struct {
	name, group string
	uid, gid    int
}

func lookupDaemonUser(t *testing.T) daemonUser {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("no nobody user: %v", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Fatalf("nobody's group: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return daemonUser{name: u.Username, group: g.Name, uid: uid, gid: gid}
}

// shellScripts lists every shell script the project ships or tests with,
// relative to the repository root.
func shellScripts(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	var out []string
	for _, pattern := range []string{
		"init.d/*",
		"openwrt/files/etc/hotplug.d/*/*",
		"openwrt/files/etc/uci-defaults/*",
		"luci-app-eddns/postinst-pkg",
		"luci-app-eddns/i18n/*",
		"tools/packaging/testdata/stub/*.sh",
		"tools/packaging/testdata/stub/bin/*",
	} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			out = append(out, strings.TrimPrefix(f, root+"/"))
		}
	}
	return out
}

func writeFile(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}
