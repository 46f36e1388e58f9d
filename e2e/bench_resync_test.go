package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/state"
)

// BenchmarkResyncCalls counts the provider calls of one full check
// (SIGUSR1, what resync_interval triggers) with nothing to change, for 1, 10
// and 50 records in one zone, and the calls of a restart with nothing
// changed. DESIGN.md's target: one List per zone (paged), no write; no call
// at all after a restart.
func BenchmarkResyncCalls(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			e := NewEnv(b, AliDNS)
			var recs strings.Builder
			for i := range n {
				recs.WriteString(Record(fmt.Sprintf("s%02d", i), "name", fmt.Sprintf("s%02d", i), "type", "AAAA",
					"source", "static", "value", fmt.Sprintf("2001:db8:ff::%x", i+1)))
			}
			e.WriteConfig(recs.String())
			e.LogLevel, e.QuietLog = "info", true
			d := e.Start()
			settled := func(since time.Time) func() bool {
				return func() bool {
					st, ok := e.Status()
					if !ok || len(st.Records) != n {
						return false
					}
					for _, rs := range st.Records {
						if rs.LastSuccess == nil || rs.LastSuccess.Before(since) {
							return false
						}
					}
					return true
				}
			}
			e.WaitFor(lazy(func() any { return "every record published" }), settled(time.Time{}))
			before, writes := e.Requests(), e.Fake.Writes()
			t0 := time.Now()
			d.Signal(syscall.SIGUSR1)
			e.WaitFor(lazy(func() any { return "the full check to finish" }), settled(t0))
			calls := e.Requests() - before
			b.ReportMetric(float64(calls), "calls/resync")
			b.Logf("%-46s %d calls (%d writes)", fmt.Sprintf("full check, %d records in one zone", n), calls, e.Fake.Writes()-writes)

			before = e.Requests()
			d = d.Restart()
			e.WaitStatus("s00", "the restarted daemon to confirm", func(rs state.RecordStatus) bool { return rs.LastSuccess != nil })
			e.WaitFor(lazy(func() any { return "every record confirmed after restart" }), func() bool {
				st, ok := e.Status()
				if !ok || st.PID != d.PID() {
					return false
				}
				for _, rs := range st.Records {
					if rs.LastSuccess == nil {
						return false
					}
				}
				return true
			})
			b.Logf("%-46s %d calls", fmt.Sprintf("restart with nothing changed, %d records", n), e.Requests()-before)
			d.Stop()
		})
	}
}
