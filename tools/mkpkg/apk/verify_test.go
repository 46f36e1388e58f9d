package apk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real apk mkpkg's output passes our verifier and OpenWrt checks: the
// verifier accepts what apk-tools writes, not only what we write.
func TestVerifierAcceptsGoldens(t *testing.T) {
	for _, name := range []string{"tiny", "luci-app-tiny"} {
		p, _ := buildGolden(t, name)
		b, err := os.ReadFile(filepath.Join("testdata", "golden", name, p.FileName()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadPackage(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := got.CheckOpenWrt(goldenEpoch); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReadBackTiny(t *testing.T) {
	p, b := buildGolden(t, "tiny")
	got, err := ReadPackage(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.CheckOpenWrt(goldenEpoch); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"name": "tiny", "version": "1.2.3_git20261203_p5-r1", "arch": "mipsel_24kc",
		"license": "Apache-2.0", "origin": "feeds/packages/net/tiny",
		"description": `Tiny test daemon. Its description spans three lines, with "quotes" and $dollars.`,
	}
	for k, v := range want {
		if got.Info[k] != v {
			t.Errorf("info %s = %q, want %q", k, got.Info[k], v)
		}
	}
	if strings.Join(got.Depends, " ") != "ca-bundle libc" || strings.Join(got.Provides, " ") != "tiny-any" {
		t.Errorf("depends %q provides %q", got.Depends, got.Provides)
	}
	files := map[string]Entry{}
	var size uint64
	for _, d := range got.Dirs {
		for _, e := range d.Files {
			files[d.Path(e)] = e
			size += e.Size
		}
	}
	if got.InstalledSize != size {
		t.Errorf("installed-size %d, files sum to %d", got.InstalledSize, size)
	}
	src, _ := os.ReadFile("testdata/golden/tiny/tiny.config")
	if e := files["/etc/config/tiny"]; !bytes.Equal(e.Data, src) || e.Mode != 0o600 {
		t.Errorf("/etc/config/tiny: mode %o data %q", e.Mode, e.Data)
	}
	sum := sha256.Sum256(src)
	if s := string(files["/lib/apk/packages/tiny.conffiles_static"].Data); s != "/etc/config/tiny "+hex.EncodeToString(sum[:])+"\n" {
		t.Errorf("conffiles_static = %q", s)
	}
	if s := string(files["/lib/apk/packages/tiny.rusers"].Data); s != "tiny:tiny\n" {
		t.Errorf("rusers = %q", s)
	}
	if e, ok := files["/usr/share/tiny/empty"]; !ok || e.Size != 0 || e.Data != nil {
		t.Errorf("empty file: %+v", e)
	}
	if got.Scripts["post-upgrade"] != p.Scripts["post-upgrade"] || !strings.HasPrefix(got.Scripts["post-upgrade"], "#!/bin/sh\nexport PKG_UPGRADE=1\n[ \"${IPKG_NO_SCRIPT}\"") {
		t.Errorf("post-upgrade = %q", got.Scripts["post-upgrade"])
	}
}

// The package-specific postinst part follows default_postinst with its
// shebang lines (even indented ones) removed, as sed '/^\s*#!/d' does.
func TestPostinstPart(t *testing.T) {
	p, _ := buildGolden(t, "luci-app-tiny")
	s := p.Scripts["post-install"]
	if !strings.Contains(s, "default_postinst\n# sourced after default_postinst\n[ -n \"${IPKG_INSTROOT}\" ]") {
		t.Errorf("post-install = %q", s)
	}
	if strings.Count(s, "#!") != 1 {
		t.Errorf("post-install keeps a second shebang: %q", s)
	}
}

func TestBuildIsReproducible(t *testing.T) {
	_, a := buildGolden(t, "tiny")
	_, b := buildGolden(t, "tiny")
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same spec and epoch differ")
	}
}

// stream returns tiny's uncompressed stream, to corrupt.
func stream(t *testing.T) []byte {
	t.Helper()
	p, _ := buildGolden(t, "tiny")
	s, err := p.Stream()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifierRejects(t *testing.T) {
	base := stream(t)
	st, err := ParseStream(base)
	if err != nil {
		t.Fatal(err)
	}
	adbEnd := 8 + (4+len(st.ADB)+7)&^7
	first := st.Data[0].Offset
	cases := map[string]struct {
		mutate func([]byte) []byte
		want   string
	}{
		"file content changed": {func(b []byte) []byte { b[first+4+8] ^= 1; return b }, "sha256"},
		"unique id changed": {func(b []byte) []byte {
			i := bytes.Index(b, []byte("tiny-any")) // any byte inside the ADB block
			b[i] = 'T'
			return b
		}, "unique id"},
		"truncated":          {func(b []byte) []byte { return b[:len(b)-3] }, "block"},
		"non-zero padding":   {func(b []byte) []byte { b[st.Data[1].Offset-1] = 1; return b }, "padding"},
		"bad magic":          {func(b []byte) []byte { b[0] = 'X'; return b }, "magic"},
		"index schema":       {func(b []byte) []byte { copy(b[4:], "indx"); return b }, "schema"},
		"DATA block dropped": {func(b []byte) []byte { return append(b[:first:first], b[st.Data[1].Offset:]...) }, "out of order"},
		"DATA block extra": {func(b []byte) []byte {
			return append(b, b[first:st.Data[1].Offset]...)
		}, "belong to no file"},
		"second ADB block": {func(b []byte) []byte {
			return append(b[:adbEnd:adbEnd], append(append([]byte(nil), b[8:adbEnd]...), b[adbEnd:]...)...)
		}, "out of order"},
		"DATA block names another file": {func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[first+8:], 2)
			return b
		}, "out of order"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b := c.mutate(append([]byte(nil), base...))
			_, err := ReadPackage(b)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
	if _, err := ReadPackage(append([]byte("ADBc\x02\x03"), base...)); err == nil || !strings.Contains(err.Error(), "deflate only") {
		t.Errorf("zstd: %v", err)
	}
}

func TestCheckOpenWrtRejects(t *testing.T) {
	p, _ := buildGolden(t, "tiny")
	drop := func(suffix string) *Package {
		q := *p
		q.Files = nil
		for _, f := range p.Files {
			if !strings.HasSuffix(f.Path, suffix) {
				q.Files = append(q.Files, f)
			}
		}
		return &q
	}
	noScripts := *p
	noScripts.Scripts = map[string]string{"post-install": p.Scripts["post-install"]}
	noLibc := *p
	noLibc.Depends = []string{"ca-bundle"}
	badStatic := *drop(".conffiles_static")
	badStatic.Files = append(badStatic.Files, File{Path: MetaDir + "/tiny.conffiles_static", Mode: 0o644, Body: []byte("/etc/config/tiny 00\n")})
	for name, c := range map[string]struct {
		p     *Package
		epoch int64
		want  string
	}{
		"no .list":               {drop(".list"), goldenEpoch, ".list is missing"},
		"stale .list":            {drop("/usr/sbin/tiny"), goldenEpoch, ".list is"},
		"wrong conffiles_static": {&badStatic, goldenEpoch, "conffiles_static is"},
		"mtime not the epoch":    {p, goldenEpoch + 1, "mtime"},
		"no pre-deinstall":       {&noScripts, goldenEpoch, "no pre-deinstall"},
		"no libc":                {&noLibc, goldenEpoch, "lacks libc"},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := c.p.Build()
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadPackage(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := got.CheckOpenWrt(c.epoch); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}
