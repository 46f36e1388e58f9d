package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/eddns/eddns/uci"
)

func addSeeds(f *testing.F) {
	for _, name := range []string{"testdata/sample.conf", "testdata/broken.conf"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// FuzzParse checks that Parse never panics, that problems are sorted and
// name the file, that an accepted file yields one Record per record
// section, and that no problem quotes a value of a secret option.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz", data)
		if err != nil {
			if cfg != nil {
				t.Fatal("Config returned with problems")
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v is not non-empty Problems", err)
			}
			for i, p := range ps {
				if p.Pos.File != "fuzz" || p.Pos.Line < 1 || (i > 0 && p.Pos.Line < ps[i-1].Pos.Line) {
					t.Fatalf("bad position in %v", ps)
				}
			}
			var msgs []string
			for _, p := range ps {
				msgs = append(msgs, p.Message)
			}
			checkNoSecrets(t, data, strings.Join(msgs, "\n"))
			return
		}
		f, _ := uci.Parse("fuzz", data)
		if n := len(f.SectionsOfType("record")); n != len(cfg.Records) {
			t.Fatalf("%d record sections, %d records", n, len(cfg.Records))
		}
		for _, r := range cfg.Records {
			if r.Enabled && (r.Provider == "" || r.Zone == "" || (r.Type != "A" && r.Type != "AAAA")) {
				t.Fatalf("enabled record accepted incomplete: %+v", r)
			}
			if r.Enabled && cfg.Providers[r.Provider] == nil {
				t.Fatalf("record %s names missing provider %q", r.Section, r.Provider)
			}
		}
	})
}

// checkNoSecrets fails when a value of a secret option (as libuci reads
// the file) long enough to be recognisable appears in the messages; option
// names are not searched, a short "secret" may well be part of one.
func checkNoSecrets(t *testing.T, data []byte, msg string) {
	t.Helper()
	f, _ := uci.Parse("fuzz", data)
	for _, s := range f.Sections {
		for _, o := range s.Options {
			if o.Name != "access_key_secret" && o.Name != "secret_key" && o.Name != "secret" {
				continue
			}
			for _, v := range o.Values {
				if len(v) >= 4 && strings.Contains(msg, v) {
					t.Fatalf("problems quote the secret %q:\n%s", v, msg)
				}
			}
		}
	}
}

// FuzzLoad checks that Load of a file agrees with Parse of its bytes.
func FuzzLoad(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "eddns")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfgL, errL := Load(path)
		cfgP, errP := Parse(path, data)
		if (errL == nil) != (errP == nil) || (errL != nil && errL.Error() != errP.Error()) {
			t.Fatalf("Load: %v\nParse: %v", errL, errP)
		}
		if !reflect.DeepEqual(cfgL, cfgP) {
			t.Fatalf("Load and Parse disagree:\n%+v\n%+v", cfgL, cfgP)
		}
	})
}
