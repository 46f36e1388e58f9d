package state

import (
	"strings"
	"testing"
	"time"
)

// TestRenderWaitingForClock: `eddns status` says "waiting for clock" for a
// record held back by a certificate not yet valid, and only for that one.
func TestRenderWaitingForClock(t *testing.T) {
	now := time.Now()
	st := Status{Version: "t", StartedAt: now, UpdatedAt: now, Records: []RecordStatus{
		{FQDN: "a.example.com", Type: "A", LastError: "system clock not set (waiting for NTP): ...", LastErrorKind: KindWaitingForClock, LastErrorAt: &now},
		{FQDN: "b.example.com", Type: "A", LastError: "timeout", LastErrorKind: "transient", LastErrorAt: &now},
	}}
	var b strings.Builder
	if err := Render(&b, st, now); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	a, bpart, _ := strings.Cut(out, "b.example.com")
	if !strings.Contains(a, "waiting for clock") || strings.Contains(bpart, "waiting for clock") {
		t.Errorf("render:\n%s", out)
	}
}
