package state

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStoreRoundTripAndAtomicFile(t *testing.T) {
	dir := t.TempDir()
	s, warn, err := Open(dir)
	if err != nil || warn != "" {
		t.Fatalf("Open empty dir: %v %q", err, warn)
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if err := s.Put("ali/nas.example.com/AAAA", Applied{RecordID: "42", Value: "2001:db8::1", At: at}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, mode %v; want 0600", err, fi.Mode())
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("dir holds %d entries, want only state.json", len(ents))
	}
	s2, warn, err := Open(dir)
	if err != nil || warn != "" {
		t.Fatal(err, warn)
	}
	got, ok := s2.Get("ali/nas.example.com/AAAA")
	if !ok || got.RecordID != "42" || got.Value != "2001:db8::1" || !got.At.Equal(at) {
		t.Fatalf("reloaded = %+v, %v", got, ok)
	}
	if err := s2.Forget("ali/nas.example.com/AAAA"); err != nil {
		t.Fatal(err)
	}
	s3, _, _ := Open(dir)
	if len(s3.Keys()) != 0 {
		t.Fatalf("after Forget: %v", s3.Keys())
	}
}

func TestCorruptOrForeignStateIsSetAside(t *testing.T) {
	for name, content := range map[string]string{
		"truncated": `{"schema":"eddns-state/1","records":{"a":{"record_id":"1","va`,
		"foreign":   `{"hello":"world"}`,
		"garbage":   "\x00\x01binary",
		"empty":     "",
		"trailing":  `{"schema":"eddns-state/1","records":{}} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, warn, err := Open(dir)
			if err != nil {
				t.Fatalf("Open: %v; a bad state file must not be fatal", err)
			}
			if warn == "" || !strings.Contains(warn, "moved to") {
				t.Fatalf("warning = %q", warn)
			}
			if len(s.Keys()) != 0 {
				t.Fatal("bad file produced records")
			}
			matches, _ := filepath.Glob(path + ".bad-*")
			if len(matches) != 1 {
				t.Fatalf("set-aside copies: %v", matches)
			}
			kept, _ := os.ReadFile(matches[0])
			if !bytes.Equal(kept, []byte(content)) {
				t.Fatal("set-aside copy differs from the original")
			}
		})
	}
}

func TestStatusRoundTrip(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC().Truncate(time.Second)
	st := Status{Version: "1.0", PID: 7, StartedAt: now, Records: []RecordStatus{{
		Key: "ali/nas.example.com/AAAA", FQDN: "nas.example.com", Type: "AAAA", Desired: "2001:db8::1",
		Published: "2001:db8::1", LastSuccess: &now, Verify: "verified after 3s", Calls: Calls{List: 1, Create: 1},
	}}}
	if err := WriteStatus(dir, st); err != nil {
		t.Fatal(err)
	}
	got, raw, err := ReadStatus(dir)
	if err != nil || len(raw) == 0 {
		t.Fatal(err)
	}
	if got.Records[0].Published != "2001:db8::1" || got.Records[0].Calls.Create != 1 || got.PID != 7 {
		t.Fatalf("round trip = %+v", got)
	}
	var buf bytes.Buffer
	if err := Render(&buf, got, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nas.example.com AAAA", "published", "2001:db8::1", "verified after 3s", "create 1"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("rendered status lacks %q:\n%s", want, buf.String())
		}
	}
	if _, err := DecodeStatus([]byte(`{"schema":"other"}`)); err == nil {
		t.Fatal("foreign status accepted")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"schema":"eddns-state/1","records":{"a/b/A":{"record_id":"1","value":"192.0.2.1","at":"2026-01-01T00:00:00Z"}}}`))
	f.Add([]byte(`{"schema":"eddns-state/1"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Decode(data)
		if err == nil && recs == nil {
			t.Fatal("nil records without error")
		}
	})
}

func FuzzDecodeStatus(f *testing.F) {
	f.Add([]byte(`{"schema":"eddns-status/1","version":"1","pid":1,"started_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","records":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := DecodeStatus(data)
		if err == nil {
			var buf bytes.Buffer
			if err := Render(&buf, st, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	})
}
