package luciapp

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/state"
	"github.com/eddns/eddns/tools/mkpkg/ipk"
)

// liveSchema is config.Schema() exactly as `eddns schema` prints it.
func liveSchema(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(config.Schema()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The node tests read a committed copy of the schema; it must be the
// daemon's current one.
func TestSchemaCopyIsCurrent(t *testing.T) {
	got, err := os.ReadFile("tests/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, liveSchema(t)) {
		t.Fatal("tests/schema.json differs from `eddns schema`; run: go generate ./luci-app-eddns")
	}
}

func nodeOrSkip(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed, and CI must run the LuCI view tests")
		}
		t.Skip("node is not installed; the view cannot be run")
	}
	return node
}

// The configuration view, run against the stand-in LuCI API, must declare
// exactly the daemon's options: same names, enum values, widgets, defaults,
// depends rules, secrets and required-ness (tests/lib/compare.js).
func TestViewMatchesLiveSchema(t *testing.T) {
	node := nodeOrSkip(t)
	file := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(file, liveSchema(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "tests/lib/compare.js", file).CombinedOutput()
	if err != nil {
		t.Fatalf("the LuCI view disagrees with config.Schema() (%v):\n%s", err, out)
	}
}

// validationCases is tests/testdata/validation_cases.json.
type validationCases struct {
	Bases map[string]map[string]string `json:"bases"`
	Cases []struct {
		Section string            `json:"section"`
		Option  string            `json:"option"`
		Value   json.RawMessage   `json:"value"` // a string, or a list for list options
		OK      bool              `json:"ok"`
		With    map[string]string `json:"with"`
	} `json:"cases"`
}

// uciQuote writes a value the way libuci does: single quotes, with an
// embedded quote as '\”.
func uciQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sectionText renders one section; empty values are left out, since UCI
// has no empty options.
func sectionText(header string, opts map[string]string, list string, items []string) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	names := make([]string, 0, len(opts))
	for k := range opts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if opts[k] != "" {
			b.WriteString("\toption " + k + " " + uciQuote(opts[k]) + "\n")
		}
	}
	for _, it := range items {
		b.WriteString("\tlist " + list + " " + uciQuote(it) + "\n")
	}
	return b.String() + "\n"
}

// Every value in validation_cases.json gets the verdict the file claims
// from the daemon's own parser (the node tests hold the LuCI validators to
// the same verdicts), so the page and `eddns check` accept the same values.
func TestValidationCasesAgreeWithCheck(t *testing.T) {
	raw, err := os.ReadFile("tests/testdata/validation_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var vc validationCases
	if err := json.Unmarshal(raw, &vc); err != nil {
		t.Fatal(err)
	}
	if len(vc.Cases) < 100 {
		t.Fatalf("only %d cases", len(vc.Cases))
	}
	schema := config.Schema()
	listOpt := map[string]bool{}
	for _, s := range schema.Sections {
		for _, o := range s.Options {
			if o.Kind == config.KindList {
				listOpt[s.Type+"."+o.Name] = true
			}
		}
	}
	// The sections every case may refer to, each valid on its own.
	const others = "config provider 'ali'\n\toption type 'alidns'\n\toption access_key_id 'LTAI5tExample'\n\toption access_key_secret 'secret'\n\n" +
		"config httpdns 'yunaq'\n\toption url 'http://dns.example/sign_d'\n\toption account_id '0123456789abcdef0123456789abcdef'\n\toption secret 'secret'\n\n"
	for i, c := range vc.Cases {
		opts := map[string]string{}
		for k, v := range vc.Bases[c.Section] {
			opts[k] = v
		}
		for k, v := range c.With {
			opts[k] = v
		}
		var items []string
		if listOpt[c.Section+"."+c.Option] {
			if err := json.Unmarshal(c.Value, &items); err != nil {
				t.Fatalf("case %d: %s.%s takes a list: %v", i, c.Section, c.Option, err)
			}
			delete(opts, c.Option)
		} else {
			var v string
			if err := json.Unmarshal(c.Value, &v); err != nil {
				t.Fatalf("case %d: %s.%s takes a string: %v", i, c.Section, c.Option, err)
			}
			opts[c.Option] = v
		}
		var header, label string
		switch c.Section {
		case "global":
			header, label = "config global 'global'", "global"
		case "record":
			header, label = "config record", "@record[0]"
		default:
			header, label = "config "+c.Section+" 'under_test'", "under_test"
		}
		text := others + sectionText(header, opts, c.Option, items)
		if c.Section != "global" {
			text = "config global 'global'\n\n" + text
		}
		_, err := config.Parse("eddns", []byte(text))
		var probs config.Problems
		if err != nil {
			var ok bool
			if probs, ok = err.(config.Problems); !ok {
				t.Fatalf("case %d: %v", i, err)
			}
		}
		var here []string
		for _, p := range probs {
			here = append(here, p.String())
			if p.Section != label {
				t.Errorf("case %d (%s.%s = %s): problem outside the section under test: %s", i, c.Section, c.Option, c.Value, p)
			}
		}
		switch {
		case c.OK && len(probs) > 0:
			t.Errorf("case %d: %s.%s = %s should pass `eddns check`, got:\n%s\nconfig:\n%s", i, c.Section, c.Option, c.Value, strings.Join(here, "\n"), text)
		case !c.OK && len(probs) == 0:
			t.Errorf("case %d: %s.%s = %s should fail `eddns check`, but it passed; config:\n%s", i, c.Section, c.Option, c.Value, text)
		}
	}
}

// The .ipk description must ship every file of the app, at the path luci.mk
// would install it (htdocs/ -> /www/, root/ -> /), world-readable, and
// nothing else.
func TestIPKDescriptionListsTheApp(t *testing.T) {
	raw, err := os.ReadFile("ipk.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Package      string   `json:"package"`
		Architecture string   `json:"architecture"`
		Depends      []string `json:"depends"`
		PostinstPkg  string   `json:"postinst_pkg"`
		Files        []struct {
			Src, Dst, Mode string
		} `json:"files"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&spec); err != nil {
		t.Fatal(err)
	}
	if spec.Package != "luci-app-eddns" || spec.Architecture != "all" {
		t.Errorf("package %q arch %q, want luci-app-eddns all", spec.Package, spec.Architecture)
	}
	if strings.Join(spec.Depends, ",") != "eddns,luci-base" {
		t.Errorf("depends %v, want eddns, luci-base", spec.Depends)
	}
	want := map[string]string{} // dst -> src, relative to the repository root
	for dir, prefix := range map[string]string{"htdocs": "/www", "root": ""} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			want[prefix+strings.TrimPrefix(p, dir)] = "luci-app-eddns/" + p
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for _, f := range spec.Files {
		got[f.Dst] = f.Src
		if f.Mode != "0644" {
			t.Errorf("%s: mode %s, want 0644 (data read by uhttpd and rpcd)", f.Dst, f.Mode)
		}
		if _, err := os.Stat(filepath.Join("..", f.Src)); err != nil {
			t.Errorf("%s: source: %v", f.Dst, err)
		}
	}
	for dst, src := range want {
		if got[dst] != src {
			t.Errorf("%s: the description ships %q, want %q", dst, got[dst], src)
		}
	}
	for dst := range got {
		if _, ok := want[dst]; !ok {
			t.Errorf("%s: shipped but not part of htdocs/ or root/", dst)
		}
	}
	if _, err := os.Stat(filepath.Join("..", spec.PostinstPkg)); spec.PostinstPkg != "" && err != nil {
		t.Errorf("postinst_pkg: %v", err)
	}
}

// The status page's sample must be what the daemon writes: it decodes as a
// state.Status under the daemon's strict reader (unknown fields refused).
func TestStatusSampleIsAStatusFile(t *testing.T) {
	raw, err := os.ReadFile("tests/testdata/status.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.DecodeStatus(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Records) != 3 || st.Records[1].LastError == "" || st.Records[0].Verify != "verified" {
		t.Fatalf("sample lost the cases the node tests rely on: %+v", st.Records)
	}
}

// The node suite (tests/*.test.js: syntax, schema agreement, validators,
// status panel, ACL, translations, packaging) runs as part of go test, so
// one command covers the whole app.
func TestNodeSuite(t *testing.T) {
	node := nodeOrSkip(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "tests/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test tests/: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("# fail 0")) {
		t.Fatalf("unexpected node output:\n%s", out)
	}
}

// tools/mkpkg builds the description into an .ipk opkg accepts: every file
// under /www and /usr/share, 0644, owned by root, and a control file for
// an architecture-independent package depending on eddns and luci-base.
func TestIPKBuildsWithMkipk(t *testing.T) {
	spec, err := ipk.LoadSpec("ipk.json")
	if err != nil {
		t.Fatal(err)
	}
	spec.Version = "1.2.3"
	b, err := ipk.Build(spec, "..", 1700000000)
	if err != nil {
		t.Fatal(err)
	}
	if spec.FileName() != "luci-app-eddns_1.2.3-1_all.ipk" {
		t.Errorf("file name %s", spec.FileName())
	}
	p, err := ipk.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int64{}
	for _, m := range p.Data {
		if m.Typeflag == tar.TypeReg {
			files[strings.TrimPrefix(m.Name, ".")] = m.Mode
		}
		if m.UID != 0 || m.GID != 0 {
			t.Errorf("%s owned by %d:%d", m.Name, m.UID, m.GID)
		}
	}
	for _, f := range spec.Files {
		if mode, ok := files[f.Dst]; !ok || mode != 0o644 {
			t.Errorf("%s: in package %v, mode %o", f.Dst, ok, mode)
		}
	}
	if len(files) != len(spec.Files) {
		t.Errorf("package holds %d files, description lists %d", len(files), len(spec.Files))
	}
	fields := map[string]string{}
	for _, f := range p.Fields {
		fields[f.Name] = f.Value
	}
	for k, want := range map[string]string{"Package": "luci-app-eddns", "Version": "1.2.3-1", "Architecture": "all", "Depends": "libc, eddns, luci-base", "Section": "luci"} {
		if fields[k] != want {
			t.Errorf("control %s = %q, want %q", k, fields[k], want)
		}
	}
	var postinst bool
	for _, m := range p.Control {
		postinst = postinst || strings.TrimPrefix(m.Name, "./") == "postinst-pkg"
	}
	if !postinst {
		t.Error("control.tar.gz has no postinst-pkg (LuCI cache refresh)")
	}
}
