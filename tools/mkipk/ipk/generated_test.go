package ipk

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/po2lmo"
)

// TestGeneratedContent covers files that are not copied verbatim: inline
// text, a .po compiled to LMO, and an inline postinst-pkg.
func TestGeneratedContent(t *testing.T) {
	dir := t.TempDir()
	po := "msgid \"Save\"\nmsgstr \"保存\"\n"
	if err := os.WriteFile(filepath.Join(dir, "x.po"), []byte(po), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Spec{
		Package: "luci-i18n-x-zh-cn", Version: "1", Release: "1", Architecture: "all",
		Description:     "Translation",
		PostinstPkgText: "true\n",
		Files: []File{
			{Src: "x.po", Convert: ConvertPo2lmo, Dst: "/usr/lib/lua/luci/i18n/x.zh-cn.lmo", Mode: "0644"},
			{Text: "uci commit luci\n", Dst: "/etc/uci-defaults/x", Mode: "0644"},
		},
	}
	p, _ := buildRead(t, s, dir)
	want, err := po2lmo.Compile([]byte(po))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{
		"./usr/lib/lua/luci/i18n/x.zh-cn.lmo": want,
		"./etc/uci-defaults/x":                []byte("uci commit luci\n"),
	} {
		if m, ok := Find(p.Data, name); !ok || !bytes.Equal(m.Body, body) {
			t.Errorf("%s = %q, want %q", name, m.Body, body)
		}
	}
	if m, ok := Find(p.Control, "./postinst-pkg"); !ok || string(m.Body) != "true\n" || m.Mode != 0o755 {
		t.Errorf("postinst-pkg = %q mode %04o", m.Body, m.Mode)
	}

	// A catalog po2lmo cannot compile fails the build, naming the file.
	if err := os.WriteFile(filepath.Join(dir, "x.po"), []byte("msgid \"a\"\nmsgstr \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(s, dir, testEpoch); err == nil || !strings.Contains(err.Error(), "x.po") {
		t.Errorf("Build with an empty catalog: %v, want an error naming x.po", err)
	}
}
