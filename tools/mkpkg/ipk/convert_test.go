package ipk

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/po2lmo"
)

// TestConvertPo2lmo: a file with convert "po2lmo" is installed compiled.
func TestConvertPo2lmo(t *testing.T) {
	dir := t.TempDir()
	po := "msgid \"Save\"\nmsgstr \"保存\"\n"
	if err := os.WriteFile(filepath.Join(dir, "x.po"), []byte(po), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Spec{
		Package: "luci-i18n-x-zh-cn", Version: "1", Release: "1", Architecture: "all",
		Description: "Translation",
		Files: []File{
			{Src: "x.po", Convert: ConvertPo2lmo, Dst: "/usr/lib/lua/luci/i18n/x.zh-cn.lmo", Mode: "0644"},
		},
	}
	p, _ := buildRead(t, s, dir)
	want, err := po2lmo.Compile([]byte(po))
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := Find(p.Data, "./usr/lib/lua/luci/i18n/x.zh-cn.lmo"); !ok || !bytes.Equal(m.Body, want) {
		t.Errorf("lmo = %q, want %q", m.Body, want)
	}

	// A catalog po2lmo cannot compile fails the build, naming the file.
	if err := os.WriteFile(filepath.Join(dir, "x.po"), []byte("msgid \"a\"\nmsgstr \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(s, dir, testEpoch); err == nil || !strings.Contains(err.Error(), "x.po") {
		t.Errorf("Build with an empty catalog: %v, want an error naming x.po", err)
	}
}
