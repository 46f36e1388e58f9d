package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// MarkerName is the file that exists in the state directory while a daemon
// holds the store in background mode. Finding it at start means the last
// daemon did not stop cleanly, so state.json may lag behind what the
// providers hold.
const MarkerName = "state.running"

// background writes state.json on its own goroutine, so that a reconcile
// never waits for the disk. Writes are coalesced: however many Puts happen
// while one write is in progress, one more write follows with all of them.
type background struct {
	wake  chan struct{}
	done  chan struct{}
	wg    sync.WaitGroup
	wmu   sync.Mutex // one writer at a time (goroutine or Flush)
	onErr func(error)

	// dirty counts changes; written is the count the last completed write
	// (successful or not) included. Both under Store.mu; cond signals
	// written moving on.
	dirty, written uint64
	cond           *sync.Cond

	buf bytes.Buffer // reused encoding buffer, under wmu
	enc *json.Encoder

	writeFile func(path string, data []byte, mode os.FileMode) error // WriteAtomic; tests slow it down
}

// kick is called with Store.mu held, after a change.
func (b *background) kick() {
	b.dirty++
	select {
	case b.wake <- struct{}{}:
	default: // a write is already due and will include this change
	}
}

// Background switches the store to asynchronous, durable (fsync'd) writes
// and creates the marker file. It reports unclean when the marker was
// already there: the previous daemon died between a provider accepting a
// change and that change reaching the disk, or at least may have, so cached
// values must be checked at the provider before they are trusted.
//
// Why this is enough for "nothing is lost across a restart": a value is
// only ever stored after the provider accepted it, so a lost write can only
// leave the cache behind the provider, never ahead. Behind is harmless when
// the desired value differs from the cache (the update is repeated), and
// the marker covers the one harmful case, the desired value going back to
// the stale cached one.
//
// onErr (may be nil) receives write failures. Call Close when done.
func (s *Store) Background(onErr func(error)) (unclean bool, err error) {
	marker := filepath.Join(filepath.Dir(s.path), MarkerName)
	_, serr := os.Lstat(marker)
	switch {
	case serr == nil:
		unclean = true
	case !errors.Is(serr, fs.ErrNotExist):
		return false, fmt.Errorf("state: %w", serr)
	}
	// Durable before any request is sent, so a crash is always noticed.
	if err := writeAtomic(marker, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600, s.owner, true); err != nil {
		return false, fsErr("write", marker, err)
	}
	b := &background{wake: make(chan struct{}, 1), done: make(chan struct{}), onErr: onErr, cond: sync.NewCond(&s.mu),
		writeFile: s.writeFile}
	s.mu.Lock()
	s.bg = b
	s.mu.Unlock()
	b.wg.Go(func() {
		for {
			select {
			case <-b.done:
				return
			case <-b.wake:
				if err := s.Flush(); err != nil && b.onErr != nil {
					b.onErr(err)
				}
				if len(b.wake) == 0 { // quiet: do not keep the buffer while idle
					b.wmu.Lock()
					b.buf, b.enc = bytes.Buffer{}, nil
					b.wmu.Unlock()
				}
			}
		}
	})
	return unclean, nil
}

// Flush writes the current state to disk now, durably.
func (s *Store) Flush() error {
	s.mu.Lock()
	b := s.bg
	s.mu.Unlock()
	if b != nil {
		b.wmu.Lock()
		defer b.wmu.Unlock()
	}
	s.mu.Lock()
	var (
		data []byte
		err  error
		gen  uint64
	)
	if b != nil {
		gen = b.dirty
		if b.enc == nil {
			b.enc = json.NewEncoder(&b.buf)
			b.enc.SetIndent("", "  ")
		}
		b.buf.Reset()
		if err = b.enc.Encode(fileFormat{Schema: schema, Records: s.recs}); err != nil {
			err = fmt.Errorf("state: %w", err)
		}
		data = b.buf.Bytes()
	} else {
		data, err = s.encodeLocked()
	}
	s.mu.Unlock()
	write := s.writeFile
	if b != nil {
		write = b.writeFile
	}
	if err == nil {
		if werr := write(s.path, data, 0o600); werr != nil {
			err = fsErr("write", s.path, werr)
		}
	}
	if b != nil {
		s.mu.Lock()
		b.written = max(b.written, gen)
		b.cond.Broadcast()
		s.mu.Unlock()
	}
	return err
}

// WaitWritten blocks until every change made before the call has been
// through a write (whether it succeeded: a failure is reported to onErr,
// and waiting longer would not help). status.json is written after it, so
// that a record shown as published is also on disk, while the update
// itself never waited for the disk.
func (s *Store) WaitWritten() {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bg
	if b == nil {
		return
	}
	for want := b.dirty; b.written < want && s.bg == b; {
		b.cond.Wait()
	}
}

// Close ends background mode: it stops the writer, writes the state
// durably and, once that succeeded, removes the marker. The store keeps
// working in synchronous mode afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	b := s.bg
	s.bg = nil
	s.mu.Unlock()
	if b == nil {
		return nil
	}
	close(b.done)
	b.wg.Wait()
	s.mu.Lock()
	b.cond.Broadcast() // release WaitWritten callers: the final write follows
	s.mu.Unlock()
	if err := s.Flush(); err != nil {
		return err // the marker stays: the next start checks at the providers
	}
	if err := os.Remove(filepath.Join(filepath.Dir(s.path), MarkerName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// writeFile writes the state file durably, owned like the store's files.
func (s *Store) writeFile(path string, data []byte, mode os.FileMode) error {
	return writeAtomic(path, data, mode, s.owner, true)
}

// encodeLocked renders the state file; s.mu is held.
func (s *Store) encodeLocked() ([]byte, error) {
	data, err := json.MarshalIndent(fileFormat{Schema: schema, Records: s.recs}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	return append(data, '\n'), nil
}

// StatusWriter writes status.json like WriteStatus, but encodes into
// buffers it keeps, so that the daemon's many status writes (two per update
// of one record, with every record in each) leave no garbage behind: with
// 50 records a fresh MarshalIndent made about 100 kB per write, which is
// what kept the idle heap and its metadata large. Not safe for concurrent use.
type StatusWriter struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// Write writes dir/status.json atomically (see WriteStatus).
func (w *StatusWriter) Write(dir string, st Status) error {
	if w.enc == nil {
		w.enc = json.NewEncoder(&w.buf)
		w.enc.SetIndent("", "  ")
	}
	st.Schema = statusSchema
	w.buf.Reset()
	if err := w.enc.Encode(st); err != nil { // same bytes as MarshalIndent plus '\n'
		return fmt.Errorf("status: %w", err)
	}
	path := filepath.Join(dir, StatusFileName)
	if err := writeAtomic(path, w.buf.Bytes(), 0o644, ownerOf(dir), false); err != nil {
		return fsErr("write", path, err)
	}
	return nil
}
