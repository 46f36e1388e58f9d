package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/eddns/eddns/config"
)

// The README's option tables are generated from the schema; this keeps them
// from drifting when an option is added.
func TestREADMEDocumentsEveryOption(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Schema().Sections {
		if !bytes.Contains(readme, []byte("`config "+s.Type)) {
			t.Errorf("README has no table for config %s", s.Type)
		}
		for _, o := range s.Options {
			if !bytes.Contains(readme, []byte("| `"+o.Name+"`")) {
				t.Errorf("README does not document %s.%s", s.Type, o.Name)
			}
		}
	}
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good"
	if err := os.WriteFile(good, []byte("config global 'global'\n\toption state_dir '"+dir+"/state'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := dir + "/bad"
	if err := os.WriteFile(bad, []byte("config record 'r'\n\toption typ 'AAAA'\n\toption ttl 'x'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout+stderr
	}{
		{"help", []string{"--help"}, 0, "check"},
		{"version", []string{"version"}, 0, "eddns "},
		{"check good", []string{"-c", good, "check"}, 0, "OK"},
		{"check bad lists every problem with file:line", []string{"-c", bad, "check"}, 2, bad + ":2: r.typ"},
		{"check missing file", []string{"-c", dir + "/none", "check"}, 2, "no such file"},
		{"once on a broken config", []string{"-c", bad, "once"}, 2, bad + ":3: r.ttl"},
		{"unknown command", []string{"frobnicate"}, 2, "Unknown command"},
		{"schema", []string{"schema"}, 0, `"package": "eddns"`},
		{"status without a daemon", []string{"-c", good, "status"}, 1, "is eddns running"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := run(t, c.args...)
			if code != c.code || !strings.Contains(out+errs, c.out) {
				t.Fatalf("eddns %v: exit %d, output:\n%s%s\nwant exit %d and %q", c.args, code, out, errs, c.code, c.out)
			}
		})
	}
}

// Issue 10 items 4 and 7: check warns (and still passes) about a TTL free
// plans refuse and about qcloud_cns on the retired official endpoint.
func TestCheckWarnsAboutTTLAndRetiredCNS(t *testing.T) {
	cfg := t.TempDir() + "/cfg"
	conf := "config provider 'old'\n\toption type 'qcloud_cns'\n\toption secret_id 'id'\n\toption secret_key 'secret'\n" +
		"config record 'r'\n\toption provider 'old'\n\toption zone 'example.com'\n\toption type 'A'\n\toption ttl '60'\n\toption source 'static'\n\toption value '192.0.2.1'\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "-c", cfg, "check")
	if code != 0 || !strings.Contains(out, "OK") ||
		!strings.Contains(errs, "warning: provider old: qcloud_cns without option endpoint uses cns.api.qcloud.com, which Tencent shut down in 2023") ||
		!strings.Contains(errs, "warning: record r: option ttl '60' is below 600") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
}

func TestGloballyDisabledDoesNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/cfg"
	conf := "config global 'global'\n\toption enabled '0'\n\toption state_dir '" + dir + "/state'\n" +
		"config provider 'p'\n\toption type 'alidns'\n\toption access_key_id 'id'\n\toption access_key_secret 'secret'\n\toption endpoint 'http://127.0.0.1:9'\n" +
		"config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption source 'static'\n\toption value '192.0.2.1'\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "-c", cfg, "once")
	if code != 0 || !strings.Contains(out, "global.enabled is 0") {
		t.Fatalf("once with global.enabled 0: exit %d\n%s%s", code, out, errs)
	}
}
