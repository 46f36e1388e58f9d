package daemon

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/state"
)

// TestTrackerWritesTheLuCICopy: every status write also rewrites the copy
// for LuCI; a copy that cannot be written is reported once, not on every
// write, and its recovery is logged.
func TestTrackerWritesTheLuCICopy(t *testing.T) {
	dir := t.TempDir()
	cp := filepath.Join(dir, "luci-status.json")
	var logs bytes.Buffer
	tr := newTracker(dir, "v1", false, func() time.Duration { return 0 }, slog.New(slog.NewTextHandler(&logs, nil)))
	tr.copyPath = cp
	for range 3 {
		tr.mu.Lock()
		tr.flushLocked()
		tr.mu.Unlock()
	}
	if n := strings.Count(logs.String(), "could not write the status for LuCI"); n != 1 {
		t.Fatalf("%d warnings for a missing copy, want 1:\n%s", n, logs.String())
	}
	if err := os.WriteFile(cp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	tr.flushLocked()
	tr.mu.Unlock()
	if !strings.Contains(logs.String(), "writing the status for LuCI again") {
		t.Errorf("recovery not logged:\n%s", logs.String())
	}
	b, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	var st state.Status
	if err := json.Unmarshal(b, &st); err != nil || st.Version != "v1" || st.PID != os.Getpid() {
		t.Fatalf("copy %+v, %v", st, err)
	}
}
