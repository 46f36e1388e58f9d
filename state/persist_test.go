package state

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBackgroundWritesLandAndCloseIsClean: in background mode Put returns
// without writing; the writer lands every Put, Close leaves the final state
// on disk and removes the marker, and the next start is clean.
func TestBackgroundWritesLandAndCloseIsClean(t *testing.T) {
	dir := t.TempDir()
	s, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	unclean, err := s.Background(func(err error) { t.Errorf("background write: %v", err) })
	if err != nil || unclean {
		t.Fatalf("Background on a fresh dir: unclean=%v err=%v", unclean, err)
	}
	if _, err := os.Stat(filepath.Join(dir, MarkerName)); err != nil {
		t.Fatalf("marker missing while running: %v", err)
	}
	for i := range 50 {
		if err := s.Put("k"+string(rune('a'+i%26))+string(rune('a'+i/26)), Applied{RecordID: "1", Value: "2001:db8::1", At: time.Unix(int64(i), 0)}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s2, _, err := Open(dir)
		if err == nil && len(s2.Keys()) == 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("background writer did not land 50 records within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Put("last", Applied{RecordID: "2", Value: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, MarkerName)); !os.IsNotExist(err) {
		t.Fatalf("marker after Close: %v, want gone", err)
	}
	s3, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := s3.Get("last"); !ok || a.Value != "192.0.2.1" {
		t.Fatalf("after Close: %+v %v, want the last Put on disk", a, ok)
	}
	if unclean, err := s3.Background(nil); err != nil || unclean {
		t.Fatalf("start after a clean stop: unclean=%v err=%v", unclean, err)
	}
	_ = s3.Close()
}

// TestBackgroundNoticesCrash: a marker left by a daemon that never called
// Close (killed) makes the next Background report unclean.
func TestBackgroundNoticesCrash(t *testing.T) {
	dir := t.TempDir()
	s, _, _ := Open(dir)
	if _, err := s.Background(nil); err != nil {
		t.Fatal(err)
	}
	// No Close: the process "dies" here.
	s2, _, _ := Open(dir)
	unclean, err := s2.Background(nil)
	if err != nil || !unclean {
		t.Fatalf("start after a crash: unclean=%v err=%v, want unclean", unclean, err)
	}
	_ = s2.Close()
}

// TestPutNeverWaitsForTheDisk: in background mode Put returns while the
// write it caused is stuck (a disk that takes forever to sync), and
// WaitWritten returns once that write is through.
func TestPutNeverWaitsForTheDisk(t *testing.T) {
	s, _, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Background(nil); err != nil {
		t.Fatal(err)
	}
	release, entered := make(chan struct{}), make(chan struct{}, 16)
	s.bg.writeFile = func(path string, data []byte, mode os.FileMode) error {
		entered <- struct{}{}
		<-release
		return WriteAtomic(path, data, mode)
	}
	if err := s.Put("a", Applied{RecordID: "1", Value: "2001:db8::1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the background write never started")
	}
	done := make(chan struct{})
	go func() {
		for i := range 20 { // while the disk is stuck
			_ = s.Put("a", Applied{RecordID: "1", Value: "2001:db8::" + string(rune('a'+i))})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Put waited for the disk")
	}
	waited := make(chan struct{})
	go func() { s.WaitWritten(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("WaitWritten returned before the pending changes were written")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("WaitWritten never returned")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, _, _ := Open(filepath.Dir(s.path))
	if a, _ := s2.Get("a"); a.Value != "2001:db8::t" {
		t.Errorf("on disk after Close: %q, want the last Put", a.Value)
	}
}
