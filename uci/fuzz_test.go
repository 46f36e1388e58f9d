package uci

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error points at a
// line of the input, and that a file without errors survives a round trip
// through WriteTo unchanged.
func FuzzParse(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/libuci/*.uci")
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz", data)
		if file == nil {
			t.Fatal("nil File")
		}
		maxLine := bytes.Count(data, []byte("\n")) + 1
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v is not a non-empty Errors", err)
			}
			last := 0
			for _, e := range errs {
				if e.Pos.Line < 1 || e.Pos.Line > maxLine || e.Pos.File != "fuzz" {
					t.Fatalf("error outside the input: %v", e)
				}
				if e.Pos.Line < last {
					t.Fatalf("errors out of line order: %v", errs)
				}
				last = e.Pos.Line
			}
			return
		}
		for _, s := range file.Sections {
			if s.Pos.Line < 1 || s.Pos.Line > maxLine {
				t.Fatalf("section %s at line %d of %d", s.Name, s.Pos.Line, maxLine)
			}
			for _, o := range s.Options {
				if len(o.Values) != len(o.ValuePos) || len(o.Values) == 0 || (!o.List && len(o.Values) != 1) {
					t.Fatalf("option %s: %d values, %d positions, list %v", o.Name, len(o.Values), len(o.ValuePos), o.List)
				}
			}
		}
		var out bytes.Buffer
		if _, err := file.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		again, err := Parse("fuzz", out.Bytes())
		if err != nil {
			t.Fatalf("exported file does not parse: %v\n%s", err, out.Bytes())
		}
		if !sameContent(file, again) {
			t.Fatalf("round trip changed the content:\n%+v\n%+v\nexport:\n%s", simplify(file), simplify(again), out.Bytes())
		}
	})
}

// sameContent compares two files ignoring positions.
func sameContent(a, b *File) bool {
	if a.Package != b.Package || len(a.Sections) != len(b.Sections) {
		return false
	}
	for i, s := range a.Sections {
		t := b.Sections[i]
		if s.Type != t.Type || s.Name != t.Name || s.Anonymous != t.Anonymous || len(s.Options) != len(t.Options) {
			return false
		}
		for j, o := range s.Options {
			p := t.Options[j]
			if o.Name != p.Name || o.List != p.List || len(o.Values) != len(p.Values) {
				return false
			}
			for k := range o.Values {
				if o.Values[k] != p.Values[k] {
					return false
				}
			}
		}
	}
	return true
}
