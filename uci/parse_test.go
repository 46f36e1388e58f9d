package uci

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// opt is a compact expectation for one option: name, list or not, values
// and the lines of the statement and of each value.
type opt struct {
	name    string
	list    bool
	values  []string
	line    int
	valLine []int
}

type sec struct {
	typ, name string
	anon      bool
	line      int
	opts      []opt
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		pkg  string
		want []sec
	}{
		{
			name: "as uci commit writes it",
			in:   "\nconfig global 'global'\n\toption enabled '1'\n\tlist url 'a'\n\tlist url 'b'\n",
			want: []sec{{typ: "global", name: "global", line: 2, opts: []opt{
				{name: "enabled", values: []string{"1"}, line: 3, valLine: []int{3}},
				{name: "url", list: true, values: []string{"a", "b"}, line: 4, valLine: []int{4, 5}},
			}}},
		},
		{
			name: "quote written as close, escaped quote, reopen",
			in:   "config s x\n\toption q 'it'\\''s'\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{{name: "q", values: []string{"it's"}, line: 2, valLine: []int{2}}}}},
		},
		{
			name: "double quotes take backslash escapes, single quotes none",
			in:   "config s x\noption d \"a\\\"b\\\\c\\n\"\noption s 'a\\\"b'\noption u a\\ b\\#c\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "d", values: []string{`a"b\cn`}, line: 2, valLine: []int{2}},
				{name: "s", values: []string{`a\"b`}, line: 3, valLine: []int{3}},
				{name: "u", values: []string{"a b#c"}, line: 4, valLine: []int{4}},
			}}},
		},
		{
			name: "adjacent pieces concatenate",
			in:   "config s x\noption v ab'cd'\"ef\"gh\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{{name: "v", values: []string{"abcdefgh"}, line: 2, valLine: []int{2}}}}},
		},
		{
			name: "comments after values and on their own lines",
			in:   "# head\nconfig s x # c\n\t# indented\n\toption a 'b' # c\n\toption c d#e\n",
			want: []sec{{typ: "s", name: "x", line: 2, opts: []opt{
				{name: "a", values: []string{"b"}, line: 4, valLine: []int{4}},
				{name: "c", values: []string{"d"}, line: 5, valLine: []int{5}},
			}}},
		},
		{
			name: "semicolons and abbreviations",
			in:   "c s x ; o a 'b' ; l c d ; o e f\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "a", values: []string{"b"}, line: 1, valLine: []int{1}},
				{name: "c", list: true, values: []string{"d"}, line: 1, valLine: []int{1}},
				{name: "e", values: []string{"f"}, line: 1, valLine: []int{1}},
			}}},
		},
		{
			// libuci terminates the value in place over the ';', which
			// drops the rest of the line; quoting the value avoids it.
			name: "unquoted value touching a semicolon swallows the rest",
			in:   "config s x\noption a b;option c d\noption e 'f';option g h\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "a", values: []string{"b"}, line: 2, valLine: []int{2}},
				{name: "e", values: []string{"f"}, line: 3, valLine: []int{3}},
				{name: "g", values: []string{"h"}, line: 3, valLine: []int{3}},
			}}},
		},
		{
			name: "multi-line values keep their newlines and later lines count",
			in:   "config s x\n\toption m 'one\ntwo'\n\toption d \"three\nfour\"\n\toption j ab\\\ncd\n\toption k 'x'\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "m", values: []string{"one\ntwo"}, line: 2, valLine: []int{2}},
				{name: "d", values: []string{"three\nfour"}, line: 4, valLine: []int{4}},
				{name: "j", values: []string{"abcd"}, line: 6, valLine: []int{6}},
				{name: "k", values: []string{"x"}, line: 8, valLine: []int{8}},
			}}},
		},
		{
			name: "package line is recorded",
			in:   "package eddns\nconfig s x\n",
			pkg:  "eddns",
			want: []sec{{typ: "s", name: "x", line: 2}},
		},
		{
			name: "CRLF line ends",
			in:   "config s 'x'\r\n\toption a 'b'\r\n\toption c d\r\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "a", values: []string{"b"}, line: 2, valLine: []int{2}},
				{name: "c", values: []string{"d"}, line: 3, valLine: []int{3}},
			}}},
		},
		{
			name: "anonymous sections get libuci names from a counter and the type",
			in:   "config defaults\nconfig zone\noption name lan\nconfig zone 'wan'\nconfig zone\n",
			want: []sec{
				{typ: "defaults", name: "cfg01e63d", anon: true, line: 1},
				{typ: "zone", name: "cfg02dc81", anon: true, line: 2, opts: []opt{{name: "name", values: []string{"lan"}, line: 3, valLine: []int{3}}}},
				{typ: "zone", name: "wan", line: 4},
				{typ: "zone", name: "cfg04dc81", anon: true, line: 5},
			},
		},
		{
			name: "repeated option: last wins at the last position, order kept",
			in:   "config s x\noption a 1\noption b 2\noption a 3\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "a", values: []string{"3"}, line: 4, valLine: []int{4}},
				{name: "b", values: []string{"2"}, line: 3, valLine: []int{3}},
			}}},
		},
		{
			name: "option then list makes a list; option replaces a list",
			in:   "config s x\noption a 1\nlist a 2\nlist b 3\noption b 4\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "a", list: true, values: []string{"1", "2"}, line: 2, valLine: []int{2, 3}},
				{name: "b", values: []string{"4"}, line: 5, valLine: []int{5}},
			}}},
		},
		{
			name: "empty option value is ignored, empty list element kept",
			in:   "config s x\noption a 1\noption a ''\noption b\nlist c ''\n",
			want: []sec{{typ: "s", name: "x", line: 1, opts: []opt{
				{name: "a", values: []string{"1"}, line: 2, valLine: []int{2}},
				{name: "c", list: true, values: []string{""}, line: 5, valLine: []int{5}},
			}}},
		},
		{
			name: "repeated named config merges",
			in:   "config s x\noption a 1\nconfig t y\nconfig s x\noption b 2\n",
			want: []sec{
				{typ: "s", name: "x", line: 1, opts: []opt{
					{name: "a", values: []string{"1"}, line: 2, valLine: []int{2}},
					{name: "b", values: []string{"2"}, line: 5, valLine: []int{5}},
				}},
				{typ: "t", name: "y", line: 3},
			},
		},
		{
			name: "types may hold any printable character, quoted or not",
			in:   "config 'a.b-c' x\nconfig a'#'b\n",
			want: []sec{
				{typ: "a.b-c", name: "x", line: 1},
				{typ: "a#b", name: "cfg02546b", anon: true, line: 2},
			},
		},
		{
			name: "empty and blank input",
			in:   " \n\t\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("f", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Package != tt.pkg {
				t.Errorf("Package = %q, want %q", f.Package, tt.pkg)
			}
			if got := simplify(f); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func simplify(f *File) []sec {
	var out []sec
	for _, s := range f.Sections {
		if s.Pos.File != "f" {
			panic("section file " + s.Pos.File)
		}
		ss := sec{typ: s.Type, name: s.Name, anon: s.Anonymous, line: s.Pos.Line}
		for _, o := range s.Options {
			oo := opt{name: o.Name, list: o.List, values: o.Values, line: o.Pos.Line}
			for _, p := range o.ValuePos {
				oo.valLine = append(oo.valLine, p.Line)
			}
			ss.opts = append(ss.opts, oo)
		}
		out = append(out, ss)
	}
	return out
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"unknown command", "config s x\nbogus 1\n", []string{"f:2: invalid command"}},
		{"keyword without space", "config s x\n\toption\n", []string{"f:2: invalid command"}},
		{"trailing semicolon", "config s x ;\n", []string{"f:1: invalid command"}},
		{"option before any section", "option a b\nconfig s x\n", []string{"f:1: option/list command found before the first section"}},
		{"bad option name", "config s x\noption a-b c\n", []string{"f:2: invalid character in name field"}},
		{"bad section name", "config s 'a b'\n", []string{"f:1: invalid character in name field"}},
		{"bad type", "config 'a b' x\n", []string{"f:1: invalid character in type field"}},
		{"missing type", "config ''\n", []string{"f:1: insufficient arguments"}},
		{"missing option name", "config s x\noption '' v\n", []string{"f:2: insufficient arguments"}},
		{"too many", "config s x y\n", []string{"f:1: too many arguments"}},
		{"type clash", "config s x\nconfig t x\n", []string{"f:2: section of different type overwrites prior section with same name"}},
		{"bad package name", "package a.b\n", []string{"f:1: invalid character in name field"}},
		{"command at end of input", "config", []string{"f:1: config without name"}},
		{"NUL byte", "config s x\noption a b\x00c\noption d e\n", []string{"f:2: invalid NUL character"}},
		{
			"unterminated quote reported where it opened",
			"config s x\noption a 'b\nc\nd\n",
			[]string{"f:2: EOF with unterminated '"},
		},
		{
			"unterminated double quote",
			"config s x\noption a \"b\n",
			[]string{"f:2: EOF with unterminated \""},
		},
		{
			"every error at once, each line recovered",
			"config s x\nbad\noption ok 1\noption x-y 2\nconfig t 'a b'\noption dropped 3\nconfig u v\noption z 1 2\n",
			[]string{
				"f:2: invalid command",
				"f:4: invalid character in name field",
				"f:5: invalid character in name field",
				"f:8: too many arguments",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("f", []byte(tt.in))
			if f == nil {
				t.Fatal("nil File")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v (%T), want Errors", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if err.Error() != strings.Join(tt.want, "\n") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestRecoveryKeepsGoodSections(t *testing.T) {
	f, err := Parse("f", []byte("config s x\nbad\noption ok 1\nconfig t 'a b'\noption dropped 3\nconfig u v\noption kept 1\n"))
	if err == nil {
		t.Fatal("want errors")
	}
	if got := f.Section("x").Option("ok").Value(); got != "1" {
		t.Errorf("x.ok = %q, want 1", got)
	}
	if f.Section("x").Option("dropped") != nil {
		t.Error("option after a broken config line landed in the previous section")
	}
	if got := f.Section("v").Option("kept").Value(); got != "1" {
		t.Errorf("v.kept = %q, want 1", got)
	}
}

func TestLookup(t *testing.T) {
	f, err := Parse("f", []byte("config r\noption i 0\nconfig p 'named'\nconfig r 'two'\noption i 1\nconfig r\noption i 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref  string
		want string // value of option i, "-" for no section, "" for no option
	}{
		{"@r[0]", "0"}, {"@r[1]", "1"}, {"@r[2]", "2"}, {"@r[-1]", "2"}, {"@r[-3]", "0"},
		{"@r[3]", "-"}, {"@r[-4]", "-"}, {"@x[0]", "-"}, {"@r", "-"}, {"@r[a]", "-"},
		{"two", "1"}, {"named", ""}, {"cfg01b617", "0"}, {"nope", "-"},
	}
	for _, tt := range tests {
		s := f.Section(tt.ref)
		got := "-"
		if s != nil {
			got = s.Option("i").Value()
		}
		if got != tt.want {
			t.Errorf("Section(%q) -> i = %q, want %q", tt.ref, got, tt.want)
		}
	}
	if n := len(f.SectionsOfType("r")); n != 3 {
		t.Errorf("SectionsOfType(r) = %d sections, want 3", n)
	}
	if got := (Pos{File: "/etc/config/eddns", Line: 7}).String(); got != "/etc/config/eddns:7" {
		t.Errorf("Pos.String() = %q", got)
	}
}

func TestWriteToRoundTrip(t *testing.T) {
	in := "package p\nconfig 'we;ird' 'n'\n\toption v 'it'\\''s\n2nd line'\n\tlist l ''\n\tlist l '#;\"\\'\nconfig anon\n\toption x y\n"
	f, err := Parse("f", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	n, err := f.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, b.Len())
	}
	want := "package p\n\nconfig 'we;ird' 'n'\n\toption v 'it'\\''s\n2nd line'\n\tlist l ''\n\tlist l '#;\"\\'\n\nconfig anon\n\toption x 'y'\n\n"
	if b.String() != want {
		t.Errorf("WriteTo:\n%s\nwant:\n%s", b.String(), want)
	}
	g, err := Parse("f", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !sameContent(f, g) {
		t.Errorf("round trip changed the file:\n%+v\n%+v", simplify(f), simplify(g))
	}
}
