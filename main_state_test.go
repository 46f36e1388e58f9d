package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateDirProblemIsNotConfigError: a state directory that cannot be
// used (here its path runs through a regular file; in the field, files
// left by root) makes `once` exit 1 with a "state:" message naming the
// path, not 2 ("configuration error"): the configuration is fine.
func TestStateDirProblemIsNotConfigError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	conf := filepath.Join(dir, "eddns.conf")
	text := "config global 'global'\n\toption state_dir '" + filepath.Join(file, "state") + "'\n\n" +
		"config provider 'p'\n\toption type 'alidns'\n\toption access_key_id 'LTAI5tTestKeyID0000001'\n\toption access_key_secret 'x'\n\toption endpoint 'http://127.0.0.1:9'\n\n" +
		"config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption name 'www'\n\toption type 'A'\n\toption source 'static'\n\toption value '192.0.2.1'\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "-c", conf, "once")
	if code != exitFailed {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitFailed, stderr)
	}
	if !strings.Contains(stderr, "state: create directory "+filepath.Join(file, "state")) {
		t.Errorf("stderr does not name the state directory problem:\n%s", stderr)
	}
}
