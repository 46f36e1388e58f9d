package ipk

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const testEpoch = 1700000000

// testSpec writes two small source files and returns a spec installing them.
func testSpec(t *testing.T) (*Spec, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bin"), []byte("\x7fELF fake binary"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conf"), []byte("config global 'global'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &Spec{
		Package:      "eddns",
		Version:      "1.2.3",
		Release:      "1",
		Architecture: "mipsel_24kc",
		Depends:      []string{"ca-bundle"},
		Section:      "net",
		RequireUser:  "eddns:eddns",
		URL:          "https://example.invalid/eddns",
		Maintainer:   "Someone <someone@example.invalid>",
		Description:  "Event-driven DDNS\nsecond line\n\nafter a blank",
		Conffiles:    []string{"/etc/config/eddns"},
		Files: []File{
			{Src: "${BIN}", Dst: "/usr/sbin/eddns", Mode: "0755"},
			{Src: "conf", Dst: "/etc/config/eddns", Mode: "0600"},
		},
	}, dir
}

func build(t *testing.T) (*Package, []byte) {
	t.Helper()
	s, dir := testSpec(t)
	if err := s.Expand(map[string]string{"BIN": filepath.Join(dir, "bin")}); err != nil {
		t.Fatal(err)
	}
	return buildRead(t, s, dir)
}

// buildRead builds s with sources under dir and reads the package back.
func buildRead(t *testing.T, s *Spec, dir string) (*Package, []byte) {
	t.Helper()
	b, err := Build(s, dir, testEpoch)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

func names(ms []Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func TestMemberLayout(t *testing.T) {
	p, _ := build(t)
	tests := []struct {
		what    string
		members []Member
		want    []string
	}{
		{"outer (data before control, as ipkg-build)", p.Outer,
			[]string{"./debian-binary", "./data.tar.gz", "./control.tar.gz"}},
		{"data (tar --sort=name walk)", p.Data,
			[]string{"./", "./etc/", "./etc/config/", "./etc/config/eddns", "./usr/", "./usr/sbin/", "./usr/sbin/eddns"}},
		{"control", p.Control,
			[]string{"./", "./conffiles", "./control", "./postinst", "./prerm"}},
	}
	for _, tt := range tests {
		if got := names(tt.members); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: members = %q, want %q", tt.what, got, tt.want)
		}
		for _, m := range tt.members {
			if m.Format != tar.FormatGNU {
				t.Errorf("%s: %s: format %v, want GNU", tt.what, m.Name, m.Format)
			}
			if m.UID != 0 || m.GID != 0 || m.Uname != "" || m.Gname != "" {
				t.Errorf("%s: %s: owner %d:%d (%q:%q), want numeric 0:0", tt.what, m.Name, m.UID, m.GID, m.Uname, m.Gname)
			}
			if m.ModTime.Unix() != testEpoch {
				t.Errorf("%s: %s: mtime %v, want the epoch", tt.what, m.Name, m.ModTime)
			}
			wantType := byte(tar.TypeReg)
			if strings.HasSuffix(m.Name, "/") {
				wantType = tar.TypeDir
			}
			if m.Typeflag != wantType {
				t.Errorf("%s: %s: typeflag %q, want %q", tt.what, m.Name, m.Typeflag, wantType)
			}
		}
	}
	if db, _ := Find(p.Outer, "./debian-binary"); string(db.Body) != "2.0\n" {
		t.Errorf("debian-binary = %q", db.Body)
	}
}

func TestModes(t *testing.T) {
	p, _ := build(t)
	tests := []struct {
		members []Member
		name    string
		mode    int64
	}{
		{p.Data, "./usr/sbin/eddns", 0o755},
		{p.Data, "./etc/config/eddns", 0o600},
		{p.Data, "./etc/", 0o755},
		{p.Control, "./postinst", 0o755},
		{p.Control, "./prerm", 0o755},
		{p.Control, "./control", 0o644},
	}
	for _, tt := range tests {
		m, ok := Find(tt.members, tt.name)
		if !ok {
			t.Errorf("%s missing", tt.name)
			continue
		}
		if m.Mode != tt.mode {
			t.Errorf("%s: mode %o, want %o", tt.name, m.Mode, tt.mode)
		}
	}
}

func TestControlFields(t *testing.T) {
	p, _ := build(t)
	var order []string
	for _, f := range p.Fields {
		order = append(order, f.Name)
	}
	want := []string{"Package", "Version", "Depends", "Section", "Require-User", "SourceDateEpoch",
		"URL", "Maintainer", "Architecture", "Installed-Size", "Description"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("field order = %q, want %q", order, want)
	}
	values := map[string]string{
		"Package":         "eddns",
		"Version":         "1.2.3-1",
		"Depends":         "libc, ca-bundle",
		"Architecture":    "mipsel_24kc",
		"Require-User":    "eddns:eddns",
		"SourceDateEpoch": strconv.Itoa(testEpoch),
		"Installed-Size":  strconv.FormatInt(p.DataTarSize, 10),
		"Description":     "Event-driven DDNS\nsecond line\n.\nafter a blank",
	}
	for k, v := range values {
		if got, _ := Get(p.Fields, k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !reflect.DeepEqual(p.Conffiles, []string{"/etc/config/eddns"}) {
		t.Errorf("conffiles = %q", p.Conffiles)
	}
}

func TestScriptsFollowOpenWrtConvention(t *testing.T) {
	p, _ := build(t)
	for name, fn := range map[string]string{"./postinst": "default_postinst", "./prerm": "default_prerm"} {
		m, _ := Find(p.Control, name)
		body := string(m.Body)
		for _, want := range []string{"#!/bin/sh\n", `[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0`, fn + ` "$0" "$@"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, body)
			}
		}
	}
}

func TestReproducible(t *testing.T) {
	_, a := build(t)
	_, b := build(t)
	if !bytes.Equal(a, b) {
		t.Fatal("two builds from the same inputs and epoch differ")
	}
	s, dir := testSpec(t)
	_ = s.Expand(map[string]string{"BIN": filepath.Join(dir, "bin")})
	c, err := Build(s, dir, testEpoch+1)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("a different epoch produced identical bytes; the epoch is not being used")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Spec)
		want   string // substring of the error; "" = valid
	}{
		{"valid", func(*Spec) {}, ""},
		{"bad name", func(s *Spec) { s.Package = "ed dns" }, "package name"},
		{"dash in version", func(s *Spec) { s.Version = "1.0-2" }, "version"},
		{"no arch", func(s *Spec) { s.Architecture = "" }, "architecture"},
		{"relative dst", func(s *Spec) { s.Files[0].Dst = "usr/sbin/eddns" }, "clean absolute"},
		{"bad mode", func(s *Spec) { s.Files[0].Mode = "755" }, "four octal digits"},
		{"duplicate dst", func(s *Spec) { s.Files[1].Dst = s.Files[0].Dst }, "twice"},
		{"conffile not shipped", func(s *Spec) { s.Conffiles = []string{"/etc/config/other"} }, "not one of"},
		{"long name", func(s *Spec) { s.Files[0].Dst = "/" + strings.Repeat("a", 120) }, "longer than 99"},
		{"empty description", func(s *Spec) { s.Description = " \n" }, "description"},
		{"no source", func(s *Spec) { s.Files[1].Src = "" }, "no source"},
		{"unknown convert", func(s *Spec) { s.Files[1].Convert = "msgfmt" }, "convert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := testSpec(t)
			tt.mutate(s)
			err := s.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestExpandRejectsUnsetVariables(t *testing.T) {
	s, _ := testSpec(t)
	if err := s.Expand(nil); err == nil || !strings.Contains(err.Error(), "BIN") {
		t.Fatalf("Expand(nil) = %v, want an error naming BIN", err)
	}
}

func TestFileName(t *testing.T) {
	s, _ := testSpec(t)
	if got, want := s.FileName(), "eddns_1.2.3-1_mipsel_24kc.ipk"; got != want {
		t.Errorf("FileName = %q, want %q", got, want)
	}
}

func TestParseControl(t *testing.T) {
	tests := []struct {
		in      string
		want    []Field
		wantErr bool
	}{
		{"Package: a\nVersion: 1-1\n", []Field{{"Package", "a"}, {"Version", "1-1"}}, false},
		{"Description: x\n y\n z\n", []Field{{"Description", "x\ny\nz"}}, false},
		{"Package: a\n\nPackage: b\n", []Field{{"Package", "a"}}, false}, // blank line ends the record
		{" leading continuation\n", nil, true},
		{"no colon here\n", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseControl(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseControl(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseControl(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadRejectsPAX(t *testing.T) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	h := &tar.Header{Name: "./control", Mode: 0o644, Size: 1, Format: tar.FormatPAX,
		PAXRecords: map[string]string{"comment": "x"}}
	if err := tw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("x"))
	tw.Close()
	inner, _ := gz(tb.Bytes())
	outerTar, err := writeTar([]entry{
		{name: "./data.tar.gz", mode: 0o644, body: inner},
		{name: "./control.tar.gz", mode: 0o644, body: inner},
	}, h.ModTime)
	if err != nil {
		t.Fatal(err)
	}
	outer, _ := gz(outerTar)
	if _, err := Read(outer); err == nil || !strings.Contains(err.Error(), "PAX") {
		t.Fatalf("Read of a PAX archive = %v, want a PAX error", err)
	}
}

func TestLoadSpecRejectsUnknownFields(t *testing.T) {
	f := filepath.Join(t.TempDir(), "s.json")
	os.WriteFile(f, []byte(`{"package":"x","dependz":["y"]}`), 0o644)
	if _, err := LoadSpec(f); err == nil {
		t.Fatal("a misspelt field was accepted")
	}
}
