package ipk

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the .ipk reader: it must return an error
// or a package, never panic or run away with memory.
func FuzzRead(f *testing.F) {
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "bin"), []byte("binary"), 0o644)
	s := &Spec{Package: "p", Version: "1", Release: "1", Architecture: "all", Description: "d",
		Files: []File{{Src: "bin", Dst: "/usr/bin/p", Mode: "0755"}}}
	if b, err := Build(s, dir, 1); err == nil {
		f.Add(b)
	}
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Read(b)
		if err == nil && p.Fields == nil {
			t.Fatal("Read succeeded without a control file")
		}
	})
}

// FuzzParseControl checks the control parser on arbitrary text.
func FuzzParseControl(f *testing.F) {
	f.Add("Package: eddns\nVersion: 1-1\nDescription: a\n b\n")
	f.Add(" x\n")
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := ParseControl(s)
		if err != nil {
			return
		}
		for _, fl := range fields {
			if fl.Name == "" {
				t.Fatalf("empty field name from %q", s)
			}
		}
	})
}
