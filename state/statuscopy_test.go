package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteStatusCopy(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "status.json")
	if err := WriteStatusCopy(p, Status{Version: "v"}); err == nil {
		t.Fatal("created a missing file; only root may create it")
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	big := Status{Version: "v", Records: []RecordStatus{{Section: "a", FQDN: strings.Repeat("x", 500) + ".example.com"}}}
	if err := WriteStatusCopy(p, big); err != nil {
		t.Fatal(err)
	}
	small := Status{Version: "w"}
	if err := WriteStatusCopy(p, small); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var got Status
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("after a shorter write the file is not JSON: %v\n%q", err, b)
	}
	if got.Version != "w" || len(got.Records) != 0 || b[len(b)-1] != '\n' {
		t.Fatalf("read back %+v from %q", got, b)
	}
}

// TestWriteStatusCopyRefusesSymlink: a link planted at the path (say to
// /etc/shadow) is neither followed nor written through.
func TestWriteStatusCopyRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "secret")
	if err := os.WriteFile(target, []byte("root:x:0:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "status.json")
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	err := WriteStatusCopy(p, Status{Version: "v"})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("wrote through a symlink: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "root:x:0:0\n" {
		t.Fatalf("target changed: %q", b)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteStatusCopy(p, Status{}); err == nil {
		t.Fatal("wrote into a directory")
	}
}
