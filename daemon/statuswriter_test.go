package daemon

import (
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/planner"
	"github.com/eddns/eddns/reconciler"
	"github.com/eddns/eddns/state"
)

// TestStatusNeverWaitsForTheDisk: the tracker's report and desired (called
// by a provider worker right after its request, and by the main loop on
// every event) return while the status write is stuck behind the state
// store's write; status.json shows the newest facts once it is through.
func TestStatusNeverWaitsForTheDisk(t *testing.T) {
	dir := t.TempDir()
	store, _, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := &config.Record{Section: "nas6", Provider: "p", Zone: "example.com", Name: "nas", Type: "AAAA", Source: "static"}
	tr := newTracker(dir, "test", false, func() time.Duration { return 0 }, slog.New(slog.DiscardHandler))
	tr.setRecords([]*config.Record{rec}, store)
	release := make(chan struct{})
	tr.startWriter(func() { <-release })

	done := make(chan struct{})
	go func() {
		for i := range 100 {
			v := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)})
			tr.desired(rec.Key(), planner.Desired{Value: v})
			tr.report(reconciler.Report{Record: rec, Want: v, Result: reconciler.Result{Outcome: reconciler.Updated, Value: v.String(), RecordID: "1"}})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("report/desired waited for the status write")
	}
	close(release)
	tr.stopWriter()
	st, _, err := state.ReadStatus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Records[0].Published; got != "2001:db8::63" {
		t.Errorf("status.json published %q, want the last report 2001:db8::63", got)
	}
}
