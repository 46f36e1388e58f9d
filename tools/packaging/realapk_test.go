package packaging

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/apk"
	"github.com/eddns/eddns/tools/mkpkg/feed"
)

// TestWithRealAPK runs the built packages and a signed feed through a real
// apk-tools 3.0.x binary named by EDDNS_APK (apk-tools cannot be fetched
// here; build it outside the repository, see
// tools/mkpkg/apk/testdata/golden/README.md): `apk verify`, install into a
// temporary root with stub dependencies, upgrade, remove, and `apk add`
// from the feed with its key in /etc/apk/keys and no --allow-untrusted.
// Scripts are not run (--no-scripts): they need OpenWrt's /lib/functions.sh.
func TestWithRealAPK(t *testing.T) {
	bin := os.Getenv("EDDNS_APK")
	if bin == "" {
		t.Skip("set EDDNS_APK to an apk-tools 3.0.x binary to run the real apk")
	}
	dist, _ := buildAll(t)
	pkg := apkPath(dist, "x86_64")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("apk %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := run("verify", "--allow-untrusted", pkg); !strings.Contains(out, ": OK") {
		t.Errorf("apk verify: %s", out)
	}
	if out := run("adbdump", pkg); !strings.Contains(out, "license: Apache-2.0") || !strings.Contains(out, "name: eddns.list") {
		t.Errorf("apk adbdump lacks the license or eddns.list:\n%.2000s", out)
	}

	// Stub dependencies, as OpenWrt image builds are not at hand.
	stubs := t.TempDir()
	var stubFiles []string
	for _, n := range []string{"libc", "ca-bundle", "luci-base"} {
		b, err := (&apk.Package{Name: n, Version: "1.0-r1", Arch: "noarch", Epoch: testEpoch}).Build()
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(stubs, n+"-1.0-r1.apk")
		writeFile(t, f, string(b), 0o644)
		stubFiles = append(stubFiles, f)
	}
	root := t.TempDir()
	base := []string{"--root", root, "--no-network", "--no-cache", "--no-scripts", "--repositories-file", "/dev/null"}
	run(append(append(append([]string{}, base...), "add", "--initdb", "--arch", "x86_64", "--allow-untrusted"), stubFiles...)...)
	run(append(append([]string{}, base...), "add", "--allow-untrusted", pkg)...)
	if st, err := os.Stat(filepath.Join(root, "usr/sbin/eddns")); err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("installed binary: %v %v", st, err)
	}
	if st, err := os.Stat(filepath.Join(root, "etc/config/eddns")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("installed config: %v %v", st, err)
	}
	if out := run("--root", root, "info", "-L", "eddns"); !strings.Contains(out, "lib/apk/packages/eddns.rusers") {
		t.Errorf("apk info -L eddns:\n%s", out)
	}

	// Upgrade along the version scheme: each later snapshot, then the release.
	dir := t.TempDir()
	var last string
	for _, v := range []string{"0.0.0_git20261203_p99", "0.0.0_git20261203_p100", "0.1.0", "0.1.0_git20261210_p1"} {
		cmd := exec.Command("go", "run", "./tools/mkpkg", "build", "-spec", "luci-app-eddns/ipk.json", "-format", "apk",
			"-version", v, "-release", "1", "-epoch", strconv.Itoa(testEpoch), "-out", dir)
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", v, err, out)
		}
		out := run(append(append([]string{}, base...), "add", "--allow-untrusted",
			filepath.Join(dir, "apk/noarch/luci-app-eddns-"+v+"-r1.apk"))...)
		if last != "" && !strings.Contains(out, "Upgrading luci-app-eddns ("+last+"-r1 -> "+v+"-r1)") {
			t.Errorf("%s -> %s is not an upgrade for apk:\n%s", last, v, out)
		}
		last = v
	}
	run(append(append([]string{}, base...), "del", "luci-app-eddns", "eddns")...)
	if _, err := os.Stat(filepath.Join(root, "usr/sbin/eddns")); !os.IsNotExist(err) {
		t.Errorf("eddns still installed after apk del: %v", err)
	}

	// A signed feed installs without --allow-untrusted once its key is
	// trusted, and not at all without the key.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	out := t.TempDir()
	if err := feed.Write(feed.Options{In: dist, Out: out, Arches: []string{"x86_64"}, APKKey: key}); err != nil {
		t.Fatal(err)
	}
	repo := []string{"--repository", filepath.Join(out, "x86_64", "packages.adb")}
	plain := []string{"--root", root, "--no-cache", "--no-scripts", "--repositories-file", "/dev/null"}
	if b, err := exec.Command(bin, append(append(append([]string{}, plain...), repo...), "add", "eddns")...).CombinedOutput(); err == nil {
		t.Errorf("installed from the feed without trusting its key:\n%s", b)
	}
	pub, _ := apk.PublicKeyPEM(&key.PublicKey)
	writeFile(t, filepath.Join(root, "etc/apk/keys/eddns-feed.pem"), string(pub), 0o644)
	run(append(append(append([]string{}, plain...), repo...), "add", "eddns")...)
	if _, err := os.Stat(filepath.Join(root, "usr/sbin/eddns")); err != nil {
		t.Errorf("eddns not installed from the feed: %v", err)
	}
}
