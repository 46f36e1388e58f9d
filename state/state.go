// Package state persists what eddns has applied (record ids and values) and
// publishes what it is doing (status.json), both written atomically so that a
// power cut leaves either the old or the new file, never half of one.
package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// FileName is the persisted record state inside the state directory.
const FileName = "state.json"

// schema identifies our state file; anything else found there is foreign.
const schema = "eddns-state/1"

// Applied is what eddns last knew to be published for one record.
type Applied struct {
	RecordID string    `json:"record_id"`
	Value    string    `json:"value"`
	At       time.Time `json:"at"`
}

type fileFormat struct {
	Schema  string             `json:"schema"`
	Records map[string]Applied `json:"records"`
}

// Store is the persisted record state, safe for concurrent use.
type Store struct {
	path  string
	owner owner // who the files belong to (root writing another user's state dir)
	mu    sync.Mutex
	recs  map[string]Applied
	bg    *background // non-nil after Background: writes leave the caller's path
}

// Open loads dir/state.json. A missing file is an empty store. A corrupt or
// foreign file is renamed aside (state.json.bad-<unix>) and reported through
// the returned warning so the caller can log it; it is never fatal, because
// the worst consequence of losing it is one extra lookup per record.
//
// A file-system problem (permissions, a symlink, a file too large) is an
// *Error. Run as root on a directory another user owns (the daemon's), the
// files written belong to that user.
func Open(dir string) (s *Store, warning string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fsErr("create directory", dir, err)
	}
	s = &Store{path: filepath.Join(dir, FileName), owner: ownerOf(dir), recs: map[string]Applied{}}
	data, err := readFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	recs, perr := Decode(data)
	if perr != nil {
		aside := fmt.Sprintf("%s.bad-%d", s.path, time.Now().Unix())
		if rerr := os.Rename(s.path, aside); rerr != nil {
			return nil, "", fmt.Errorf("state: %v, and setting it aside failed: %w", perr, rerr)
		}
		return s, fmt.Sprintf("state file %s unusable (%v); moved to %s and starting fresh", s.path, perr, aside), nil
	}
	s.recs = recs
	return s, "", nil
}

// Decode parses a state file strictly.
func Decode(data []byte) (map[string]Applied, error) {
	var f fileFormat
	if err := decodeStrict(data, &f); err != nil {
		return nil, err
	}
	if f.Schema != schema {
		return nil, fmt.Errorf("not an eddns state file (schema %q)", f.Schema)
	}
	if f.Records == nil {
		f.Records = map[string]Applied{}
	}
	for k, a := range f.Records {
		if k == "" || a.Value == "" {
			return nil, fmt.Errorf("record %q: empty key or value", k)
		}
	}
	return f.Records, nil
}

// Get returns the applied state of key.
func (s *Store) Get(key string) (Applied, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.recs[key]
	return a, ok
}

// Put records what was applied for key and writes the file.
func (s *Store) Put(key string, a Applied) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.recs[key]; ok && old == a {
		return nil
	}
	s.recs[key] = a
	return s.saveLocked()
}

// Forget drops key (its record vanished at the provider) and writes the file.
func (s *Store) Forget(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recs[key]; !ok {
		return nil
	}
	delete(s.recs, key)
	return s.saveLocked()
}

// Keys lists the stored keys, sorted.
func (s *Store) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.recs))
	for k := range s.recs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *Store) saveLocked() error {
	if s.bg != nil {
		s.bg.kick()
		return nil
	}
	data, err := s.encodeLocked()
	if err != nil {
		return err
	}
	if err := writeAtomic(s.path, data, 0o600, s.owner, true); err != nil {
		return fsErr("write", s.path, err)
	}
	return nil
}

// WriteAtomic writes data to path through a temporary file in the same
// directory: write, fsync, rename, fsync the directory.
func WriteAtomic(path string, data []byte, mode os.FileMode) error {
	return writeAtomic(path, data, mode, owner{}, true)
}

// writeAtomic is WriteAtomic, the file handed to o before it is renamed
// into place. Without durable it skips both fsyncs, for files that are
// rebuilt at every start (status.json): readers still see either the old
// or the new file, and nothing waits for the disk.
func writeAtomic(path string, data []byte, mode os.FileMode, o owner, durable bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if o.chown {
		if err := f.Chown(o.uid, o.gid); err != nil {
			return err
		}
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if durable {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if !durable {
		return nil
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: some filesystems (tmpfs) do not support it
		d.Close()
	}
	return nil
}
