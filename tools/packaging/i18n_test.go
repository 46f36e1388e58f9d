package packaging

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/ipk"
	"github.com/eddns/eddns/tools/po2lmo"
)

const (
	i18nSpec  = "luci-app-eddns/i18n-zh-cn.json"
	i18nPkg   = "luci-i18n-eddns-zh-cn"
	i18nLMO   = "./usr/lib/lua/luci/i18n/eddns.zh-cn.lmo"
	i18nDefs  = "./etc/uci-defaults/luci-i18n-eddns-zh-cn"
	zhHansPO  = "luci-app-eddns/po/zh_Hans/eddns.po"
	zhHansTag = "简体中文 (Chinese Simplified)" // luci.mk's LUCI_LANG.zh_Hans
)

// buildSpec runs `mkpkg build` for one arch-independent spec, as `make
// packages` does: the .ipk into out, the .apk into out/apk/noarch.
func buildSpec(t *testing.T, spec, out string, epoch int) {
	t.Helper()
	need(t, "go")
	cmd := exec.Command("go", "run", "./tools/mkpkg", "build", "-spec", spec,
		"-version", testVersion, "-release", testRelease, "-epoch", strconv.Itoa(epoch), "-out", out, "-format", "ipk,apk")
	cmd.Dir = repoRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mkpkg build -spec %s: %v\n%s", spec, err, b)
	}
}

// TestI18nPackage checks luci-i18n-eddns-zh-cn against what LuCI's luci.mk
// (LuciTranslation) produces for po/zh_Hans: the .lmo, the uci-defaults
// file registering the language, and the postinst that applies it.
func TestI18nPackage(t *testing.T) {
	dist := t.TempDir()
	buildSpec(t, i18nSpec, dist, testEpoch)
	p, _ := readIPK(t, filepath.Join(dist, i18nPkg+"_"+testVersion+"-"+testRelease+"_all.ipk"))

	for k, v := range map[string]string{
		"Package":        i18nPkg,
		"Version":        testVersion + "-" + testRelease,
		"Depends":        "libc, luci-app-eddns",
		"SourceName":     "luci-app-eddns",
		"Section":        "luci",
		"Architecture":   "all",
		"Installed-Size": strconv.FormatInt(p.DataTarSize, 10),
		"Description":    "Translation for luci-app-eddns - " + zhHansTag,
	} {
		if got, _ := ipk.Get(p.Fields, k); got != v {
			t.Errorf("control %s = %q, want %q", k, got, v)
		}
	}
	if p.Conffiles != nil {
		t.Errorf("conffiles = %q, want none", p.Conffiles)
	}
	if got, want := memberNames(p.Control), []string{"./", "./control", "./postinst", "./postinst-pkg", "./prerm"}; !reflect.DeepEqual(got, want) {
		t.Errorf("control members %q, want %q", got, want)
	}
	wantData := []string{"./", "./etc/", "./etc/uci-defaults/", i18nDefs,
		"./usr/", "./usr/lib/", "./usr/lib/lua/", "./usr/lib/lua/luci/", "./usr/lib/lua/luci/i18n/", i18nLMO}
	if got := memberNames(p.Data); !reflect.DeepEqual(got, wantData) {
		t.Errorf("data members %q,\nwant %q", got, wantData)
	}
	var files []string
	for _, m := range p.Data {
		if m.Typeflag != '5' {
			files = append(files, m.Name)
		}
		if m.UID != 0 || m.GID != 0 || m.ModTime.Unix() != testEpoch {
			t.Errorf("%s: owner %d:%d mtime %d", m.Name, m.UID, m.GID, m.ModTime.Unix())
		}
	}
	if want := []string{i18nDefs, i18nLMO}; !reflect.DeepEqual(files, want) {
		t.Errorf("regular files %q, want exactly %q", files, want)
	}

	lmo := mustFind(t, p.Data, i18nLMO)
	if lmo.Mode != 0o644 {
		t.Errorf("%s: mode %04o, want 0644", i18nLMO, lmo.Mode)
	}
	po, err := os.ReadFile(filepath.Join(repoRoot(t), zhHansPO))
	if err != nil {
		t.Fatal(err)
	}
	want, err := po2lmo.Compile(po)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lmo.Body, want) {
		t.Errorf("%s is not po2lmo's output for %s (%d vs %d bytes)", i18nLMO, zhHansPO, len(lmo.Body), len(want))
	}
	c, err := po2lmo.Open(lmo.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Translate("Global settings"); !ok || got != "全局设置" {
		t.Errorf("packaged catalog: Translate(Global settings) = %q, %v", got, ok)
	}

	defs := mustFind(t, p.Data, i18nDefs)
	if defs.Mode != 0o644 {
		t.Errorf("%s: mode %04o, want 0644 (sourced, not executed)", i18nDefs, defs.Mode)
	}
	if got, want := string(defs.Body), "uci set luci.languages.zh_cn='"+zhHansTag+"'; uci commit luci\n"; got != want {
		t.Errorf("%s = %q, want %q", i18nDefs, got, want)
	}
	if got := string(mustFind(t, p.Control, "./postinst").Body); got != ipk.Postinst {
		t.Errorf("postinst is not the package-pack.mk wrapper:\n%s", got)
	}
	checkI18nPostinst(t, string(mustFind(t, p.Control, "./postinst-pkg").Body), string(defs.Body))
}

// checkI18nPostinst runs the postinst-pkg body as default_postinst would:
// on a live router it applies the uci-defaults file once and deletes it; in
// an image build (IPKG_INSTROOT set) it leaves the file for first boot. The
// router's /etc/uci-defaults is mapped into a scratch directory.
func checkI18nPostinst(t *testing.T, script, defs string) {
	t.Helper()
	sh := need(t, "sh")
	if !strings.Contains(script, "/etc/uci-defaults/luci-i18n-eddns-zh-cn") {
		t.Fatalf("postinst-pkg does not apply the uci-defaults file:\n%s", script)
	}
	for _, image := range []bool{false, true} {
		dir := t.TempDir()
		defsFile := filepath.Join(dir, "etc/uci-defaults/luci-i18n-eddns-zh-cn")
		writeFile(t, defsFile, defs, 0o644)
		log := filepath.Join(dir, "uci.log")
		writeFile(t, filepath.Join(dir, "bin/uci"), "#!/bin/sh\necho \"$*\" >> '"+log+"'\n", 0o755)
		cmd := exec.Command(sh, "-c", strings.ReplaceAll(script, "/etc/uci-defaults/", filepath.Dir(defsFile)+"/"))
		cmd.Env = []string{"PATH=" + filepath.Join(dir, "bin") + ":/usr/bin:/bin"}
		if image {
			cmd.Env = append(cmd.Env, "IPKG_INSTROOT="+dir)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("postinst-pkg (image=%v): %v\n%s", image, err, out)
		}
		_, statErr := os.Stat(defsFile)
		calls := readFile(t, log)
		if image {
			if statErr != nil || calls != "" {
				t.Errorf("image build: uci-defaults file gone (%v) or uci ran: %q", statErr, calls)
			}
			continue
		}
		if want := "set luci.languages.zh_cn=" + zhHansTag + "\ncommit luci\n"; calls != want {
			t.Errorf("uci calls %q, want %q", calls, want)
		}
		if !os.IsNotExist(statErr) {
			t.Errorf("uci-defaults file not removed after applying it: %v", statErr)
		}
	}
}

// TestI18nReproducible: the same epoch gives the same bytes.
func TestI18nReproducible(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	buildSpec(t, i18nSpec, a, testEpoch)
	buildSpec(t, i18nSpec, b, testEpoch)
	name := i18nPkg + "_" + testVersion + "-" + testRelease + "_all.ipk"
	x, _ := os.ReadFile(filepath.Join(a, name))
	y, _ := os.ReadFile(filepath.Join(b, name))
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Errorf("two builds differ (%d vs %d bytes)", len(x), len(y))
	}
}

// TestMakeIpkBuildsI18n: `make ipk` builds every package description,
// the translation included.
func TestMakeIpkBuildsI18n(t *testing.T) {
	need(t, "make")
	cmd := exec.Command("make", "-n", "--no-print-directory", "ipk", "VERSION=1", "SOURCE_DATE_EPOCH=1")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n ipk: %v\n%s", err, out)
	}
	for _, spec := range []string{"openwrt/eddns.json", "luci-app-eddns/ipk.json", i18nSpec} {
		if !strings.Contains(string(out), spec) {
			t.Errorf("make ipk does not build %s:\n%s", spec, out)
		}
	}
}
