package packaging

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/ipk"
	"github.com/eddns/eddns/tools/mkpkg/target"
)

const (
	testVersion = "1.2.3"
	testRelease = "4"
	testEpoch   = 1700000000
)

// built holds one `mkpkg build` run shared by the tests below: compiling six
// architectures is the slow part.
var built struct {
	once      sync.Once
	dir       string
	err       error
	output    string
	cleanupFn func()
}

// buildAll runs the same command `make packages` runs (.ipk and .apk) into
// a scratch directory.
// EDDNS_TEST_MAIN may name another main package (a development aid while
// the daemon does not compile); CI uses the real one.
func buildAll(t *testing.T) (dist, bin string) {
	t.Helper()
	need(t, "go")
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "eddns-ipk-")
		if err != nil {
			built.err = err
			return
		}
		os.Chmod(dir, 0o755) // qemu tests run binaries from here
		built.dir = dir
		out, err := mkpkg(t, dir, "a")
		built.output, built.err = out, err
	})
	if built.err != nil {
		t.Fatalf("mkpkg build: %v\n%s", built.err, built.output)
	}
	return filepath.Join(built.dir, "a/dist"), filepath.Join(built.dir, "a/build")
}

func mkpkg(t *testing.T, dir, sub string, arches ...string) (string, error) {
	mainPkg := os.Getenv("EDDNS_TEST_MAIN")
	if mainPkg == "" {
		mainPkg = "."
	}
	args := []string{"run", "./tools/mkpkg", "build", "-spec", "openwrt/eddns.json",
		"-version", testVersion, "-release", testRelease, "-epoch", strconv.Itoa(testEpoch),
		"-out", filepath.Join(dir, sub, "dist"), "-bindir", filepath.Join(dir, sub, "build"), "-main", mainPkg,
		"-format", "ipk,apk"}
	if len(arches) > 0 {
		args = append(args, "-arch", strings.Join(arches, " "))
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func readIPK(t *testing.T, path string) (*ipk.Package, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ipk.Read(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p, b
}

func ipkPath(dist, arch string) string {
	return filepath.Join(dist, "eddns_"+testVersion+"-"+testRelease+"_"+arch+".ipk")
}

// TestBuiltPackages reads every .ipk back and checks what opkg-lede and
// OpenWrt's scripts depend on.
func TestBuiltPackages(t *testing.T) {
	dist, _ := buildAll(t)
	for _, tg := range target.All() {
		t.Run(tg.Arch, func(t *testing.T) {
			p, _ := readIPK(t, ipkPath(dist, tg.Arch))
			if got, want := memberNames(p.Outer), []string{"./debian-binary", "./data.tar.gz", "./control.tar.gz"}; !reflect.DeepEqual(got, want) {
				t.Errorf("outer members %q, want %q", got, want)
			}
			if got, want := memberNames(p.Control), []string{"./", "./conffiles", "./control", "./postinst", "./prerm"}; !reflect.DeepEqual(got, want) {
				t.Errorf("control members %q, want %q", got, want)
			}
			wantData := []string{"./", "./etc/", "./etc/capabilities/", "./etc/capabilities/eddns.json",
				"./etc/config/", "./etc/config/eddns", "./etc/hotplug.d/", "./etc/hotplug.d/iface/",
				"./etc/hotplug.d/iface/95-eddns", "./etc/hotplug.d/ntp/", "./etc/hotplug.d/ntp/95-eddns",
				"./etc/init.d/", "./etc/init.d/eddns", "./etc/uci-defaults/", "./etc/uci-defaults/80-eddns",
				"./usr/", "./usr/sbin/", "./usr/sbin/eddns", "./usr/share/", "./usr/share/acl.d/", "./usr/share/acl.d/eddns.json"}
			if got := memberNames(p.Data); !reflect.DeepEqual(got, wantData) {
				t.Errorf("data members %q,\nwant %q", got, wantData)
			}
			for _, ms := range [][]ipk.Member{p.Outer, p.Control, p.Data} {
				for _, m := range ms {
					if m.UID != 0 || m.GID != 0 || m.ModTime.Unix() != testEpoch {
						t.Errorf("%s: owner %d:%d mtime %d", m.Name, m.UID, m.GID, m.ModTime.Unix())
					}
				}
			}
			modes := map[string]int64{
				"./usr/sbin/eddns":              0o755,
				"./etc/init.d/eddns":            0o755,
				"./etc/config/eddns":            0o600,
				"./etc/capabilities/eddns.json": 0o644,
				"./etc/uci-defaults/80-eddns":   0o755,
				// ubusd ignores an ACL file that is not root's or is
				// writable by group or others (all members are 0:0).
				"./usr/share/acl.d/eddns.json": 0o644,
			}
			for name, mode := range modes {
				m, _ := ipk.Find(p.Data, name)
				if m.Mode != mode {
					t.Errorf("%s: mode %04o, want %04o", name, m.Mode, mode)
				}
			}
			if m, _ := ipk.Find(p.Data, "./etc/config/eddns"); m.Mode&0o077 != 0 {
				t.Errorf("the config is readable by group/other: %04o", m.Mode)
			}
			wantFields := map[string]string{
				"Package":        "eddns",
				"Version":        testVersion + "-" + testRelease,
				"Depends":        "libc, ca-bundle",
				"Architecture":   tg.Arch,
				"Require-User":   "eddns:eddns",
				"Installed-Size": strconv.FormatInt(p.DataTarSize, 10),
			}
			for k, v := range wantFields {
				if got, _ := ipk.Get(p.Fields, k); got != v {
					t.Errorf("control %s = %q, want %q", k, got, v)
				}
			}
			if !reflect.DeepEqual(p.Conffiles, []string{"/etc/config/eddns"}) {
				t.Errorf("conffiles = %q", p.Conffiles)
			}
			checkELF(t, tg, mustFind(t, p.Data, "./usr/sbin/eddns").Body)
		})
	}
}

func memberNames(ms []ipk.Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func mustFind(t *testing.T, ms []ipk.Member, name string) ipk.Member {
	t.Helper()
	m, ok := ipk.Find(ms, name)
	if !ok {
		t.Fatalf("%s missing", name)
	}
	return m
}

// checkELF verifies the binary is for the right machine, stripped and
// static (no interpreter, no shared libraries).
func checkELF(t *testing.T, tg target.Target, b []byte) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("binary is not ELF: %v", err)
	}
	want := map[string]struct {
		m     elf.Machine
		order string
	}{
		"mipsle": {elf.EM_MIPS, "LittleEndian"}, "mips": {elf.EM_MIPS, "BigEndian"},
		"arm": {elf.EM_ARM, "LittleEndian"}, "arm64": {elf.EM_AARCH64, "LittleEndian"},
		"amd64": {elf.EM_X86_64, "LittleEndian"},
	}[tg.GOARCH]
	if f.Machine != want.m || f.ByteOrder.String() != want.order {
		t.Errorf("ELF machine %v %v, want %v %v", f.Machine, f.ByteOrder, want.m, want.order)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("binary has an ELF interpreter: not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) != 0 {
		t.Errorf("binary needs shared libraries %q", libs)
	}
	if f.Section(".symtab") != nil {
		t.Error("binary is not stripped (-s)")
	}
	// The Go toolchain records how the binary was built.
	bi, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("no Go build info: %v", err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	want2 := map[string]string{"CGO_ENABLED": "0", "-trimpath": "true", "GOARCH": tg.GOARCH, "GOOS": "linux"}
	for _, f := range target.GoFlags() {
		if v, ok := strings.CutPrefix(f, "-gcflags="); ok {
			want2["-gcflags"] = v // build info keeps the last one
		}
	}
	for _, kv := range tg.Env {
		k, v, _ := strings.Cut(kv, "=")
		want2[k] = v
	}
	for k, v := range want2 {
		if settings[k] != v {
			t.Errorf("built with %s=%q, want %q (settings %v)", k, settings[k], v, settings)
		}
	}
	if _, ok := settings["vcs.revision"]; ok {
		t.Error("VCS stamping is on; -buildvcs=false keeps builds independent of the checkout state")
	}
	// -trimpath leaves -ldflags out of the build info; the stamped version
	// is checked by running `eddns version` in TestCrossBinariesUnderQEMU.
}

// TestSystemTarReadsPackages cross-checks with GNU tar, an independent
// reader: the outer archive and both inner archives list cleanly and show
// the same modes and numeric owners.
func TestSystemTarReadsPackages(t *testing.T) {
	tarBin := need(t, "tar")
	dist, _ := buildAll(t)
	path := ipkPath(dist, "mipsel_24kc")
	dir := t.TempDir()
	out, err := exec.Command(tarBin, "-xzf", path, "-C", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("tar -xzf: %v\n%s", err, out)
	}
	list, err := exec.Command(tarBin, "--numeric-owner", "-tvzf", filepath.Join(dir, "data.tar.gz")).CombinedOutput()
	if err != nil {
		t.Fatalf("tar -tvzf data.tar.gz: %v\n%s", err, list)
	}
	for _, re := range []string{
		`(?m)^-rwxr-xr-x 0/0 .* \./usr/sbin/eddns$`,
		`(?m)^-rw------- 0/0 .* \./etc/config/eddns$`,
		`(?m)^drwxr-xr-x 0/0 .* \./etc/$`,
	} {
		if !regexp.MustCompile(re).Match(list) {
			t.Errorf("tar listing does not match %s:\n%s", re, list)
		}
	}
	if out, err := exec.Command(tarBin, "-tzf", filepath.Join(dir, "control.tar.gz")).CombinedOutput(); err != nil || !strings.Contains(string(out), "./control") {
		t.Errorf("tar -tzf control.tar.gz: %v\n%s", err, out)
	}
}

// TestReproducible builds everything a second time into another directory
// and compares every package byte for byte.
func TestReproducible(t *testing.T) {
	dist, _ := buildAll(t)
	out, err := mkpkg(t, built.dir, "b")
	if err != nil {
		t.Fatalf("second build: %v\n%s", err, out)
	}
	for _, tg := range target.All() {
		a, _ := os.ReadFile(ipkPath(dist, tg.Arch))
		b, _ := os.ReadFile(ipkPath(filepath.Join(built.dir, "b/dist"), tg.Arch))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: two builds differ (%d vs %d bytes)", tg.Arch, len(a), len(b))
		}
		a, _ = os.ReadFile(apkPath(dist, tg.Arch))
		b, _ = os.ReadFile(apkPath(filepath.Join(built.dir, "b/dist"), tg.Arch))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s .apk: two builds differ (%d vs %d bytes)", tg.Arch, len(a), len(b))
		}
	}
}
