package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenRefusesSymlinkAndHugeFiles: state.json is opened without
// following a symlink and read only up to MaxFileBytes; both refusals are
// file-system errors (*Error), never set aside as corrupt content.
func TestOpenRefusesSymlinkAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere.json")
	os.WriteFile(target, []byte(`{"schema":"eddns-state/1","records":{}}`), 0o600)
	if err := os.Symlink(target, filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	_, _, err := Open(dir)
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Open through a symlink: %v, want a state *Error naming the symlink", err)
	}

	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), make([]byte, MaxFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(dir); !errors.As(err, &se) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Open of a huge file: %v, want a state *Error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Errorf("the huge file was moved: %v", err)
	}

	// status.json too: a symlink there is refused by ReadStatus.
	dir = t.TempDir()
	os.Symlink("/etc/passwd", filepath.Join(dir, StatusFileName))
	if _, _, err := ReadStatus(dir); !errors.As(err, &se) {
		t.Errorf("ReadStatus through a symlink: %v", err)
	}
}

// TestUnusableDirIsFileSystemError: a state_dir that cannot be created is
// an *Error (exit 1 in main), not a configuration problem.
func TestUnusableDirIsFileSystemError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	_, _, err := Open(filepath.Join(file, "state"))
	var se *Error
	if !errors.As(err, &se) || se.Op != "create directory" {
		t.Errorf("Open under a file: %v, want *Error creating the directory", err)
	}
}

// TestRootWritesAsDirOwner: root (`eddns once` from a shell) writing into
// a state directory owned by another user (the daemon's) leaves every file
// owned by that user, so the daemon can still read and replace them.
func TestRootWritesAsDirOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to chown")
		}
		t.Skip("needs root to chown")
	}
	const uid, gid = 65534, 65534
	dir := filepath.Join(t.TempDir(), "state")
	os.Mkdir(dir, 0o700)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	s, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put("p/www.example.com/A", Applied{RecordID: "1", Value: "192.0.2.1", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := WriteStatus(dir, Status{}); err != nil {
		t.Fatal(err)
	}
	if err := SaveTrustedTime(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileName, StatusFileName, TrustedTimeFileName} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != uid || st.Gid != gid {
			t.Errorf("%s owned by %d:%d, want %d:%d", name, st.Uid, st.Gid, uid, gid)
		}
	}
	// A root-owned directory (the default when root created it) stays root's.
	own := filepath.Join(t.TempDir(), "rootdir")
	os.Mkdir(own, 0o700)
	if o := ownerOf(own); o.chown {
		t.Errorf("ownerOf a root directory = %+v, want no chown", o)
	}
}

func TestTrustedTimeRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if got, err := LoadTrustedTime(dir); err != nil || !got.IsZero() {
		t.Fatalf("missing file: %v %v", got, err)
	}
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if err := SaveTrustedTime(dir, at); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadTrustedTime(dir); err != nil || !got.Equal(at) {
		t.Fatalf("round trip: %v %v", got, err)
	}
	os.WriteFile(filepath.Join(dir, TrustedTimeFileName), []byte("soon\n"), 0o644)
	if _, err := LoadTrustedTime(dir); err == nil {
		t.Error("garbage accepted")
	}
}
