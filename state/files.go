package state

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// MaxFileBytes caps every file read from the state directory: ours are a
// few kilobytes, and a huge one is not ours.
const MaxFileBytes = 4 << 20

// Error is a file-system problem with the state directory (permissions, a
// full disk, a symlink where a file should be). It is not a configuration
// error: the configuration may be fine while the directory is not.
type Error struct {
	Op   string // what was being done: "open", "write", "create directory"
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("state: %s %s: %v", e.Op, e.Path, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// fsErr wraps err as an *Error, adding who owns path when access was
// denied: the likely story is `eddns once` run as another user.
func fsErr(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrPermission) {
		if fi, serr := os.Lstat(path); serr == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				err = fmt.Errorf("%w (owned by uid %d; this process is uid %d)", err, st.Uid, os.Geteuid())
			}
		}
	}
	return &Error{Op: op, Path: path, Err: err}
}

// readFile reads a state file without following a symlink, refusing
// anything but a regular file of at most MaxFileBytes. A missing file is
// fs.ErrNotExist, unwrapped.
func readFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fs.ErrNotExist
	}
	if errors.Is(err, syscall.ELOOP) {
		return nil, &Error{Op: "open", Path: path, Err: errors.New("is a symbolic link; refusing to follow it")}
	}
	if err != nil {
		return nil, fsErr("open", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fsErr("stat", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Op: "open", Path: path, Err: fmt.Errorf("not a regular file (%v)", fi.Mode().Type())}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fsErr("read", path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, &Error{Op: "read", Path: path, Err: fmt.Errorf("larger than %d bytes", MaxFileBytes)}
	}
	return data, nil
}

// owner is who files written into a directory must belong to: the
// directory's owner, when we are root and it is not. Root running
// `eddns once` on the daemon's state directory must not leave files the
// daemon (user eddns) cannot read or replace.
type owner struct {
	uid, gid int
	chown    bool
}

func ownerOf(dir string) owner {
	if geteuid() != 0 {
		return owner{}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return owner{}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return owner{}
	}
	return owner{uid: int(st.Uid), gid: int(st.Gid), chown: true}
}

// geteuid is os.Geteuid; tests pretend to be root or not.
var geteuid = os.Geteuid

// TrustedTimeFileName holds the last known good time (see
// httpc.TrustedTime): when a server certificate last verified.
const TrustedTimeFileName = "last-good-time"

// LoadTrustedTime reads dir's last known good time; zero if there is none.
func LoadTrustedTime(dir string) (time.Time, error) {
	path := filepath.Join(dir, TrustedTimeFileName)
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}, &Error{Op: "parse", Path: path, Err: errors.New("not a Unix time")}
	}
	return time.Unix(sec, 0).UTC(), nil
}

// SaveTrustedTime writes t as dir's last known good time.
func SaveTrustedTime(dir string, t time.Time) error {
	path := filepath.Join(dir, TrustedTimeFileName)
	if err := writeAtomic(path, []byte(strconv.FormatInt(t.Unix(), 10)+"\n"), 0o644, ownerOf(dir), true); err != nil {
		return fsErr("write", path, err)
	}
	return nil
}
