package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
)

// zoneListAction is each API's call listing a whole zone (of one type).
var zoneListAction = map[Kind]string{AliDNS: "DescribeDomainRecords", TencentCloud: "DescribeRecordList", QcloudCNS: "RecordList"}

// TestOneListPerZone: 50 records in one zone that also holds 150 other
// AAAA records (two pages of 100 at every API). At the first start 10
// records hold a wrong value at the provider, 30 are right and 10 are
// missing: one paged zone listing, then 10 updates and 10 creates. A full
// check with nothing changed is the same two pages and no write; so is the
// start after the daemon was killed (its state may lag), and a clean restart
// makes no call at all.
func TestOneListPerZone(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			var cfg strings.Builder
			for i := range 50 {
				name := fmt.Sprintf("s%02d", i)
				want := fmt.Sprintf("2001:db8:ff::%x", i+1)
				cfg.WriteString(Record(name, "name", name, "type", "AAAA", "source", "static", "value", want))
				switch {
				case i < 10:
					e.Fake.Put(Zone, providers.Record{Name: name, Type: "AAAA", Value: fmt.Sprintf("2001:db8:dead::%x", i+1), TTL: 600})
				case i < 40:
					e.Fake.Put(Zone, providers.Record{Name: name, Type: "AAAA", Value: want, TTL: 600})
				}
			}
			for i := range 150 {
				e.Fake.Put(Zone, providers.Record{Name: fmt.Sprintf("other%03d", i), Type: "AAAA", Value: fmt.Sprintf("2001:db8:ee::%x", i+1), TTL: 600})
			}
			e.WriteConfig(cfg.String())
			list := func() int {
				n := e.Fake.Calls(zoneListAction[kind])
				if kind == AliDNS {
					n += e.Fake.Calls(apiAction[kind].List) // the per-record listing, separately
				}
				return n
			}
			allConfirmed := func(pid int, since time.Time) func() bool {
				return func() bool {
					st, ok := e.Status()
					if !ok || st.PID != pid || len(st.Records) != 50 {
						return false
					}
					for _, rs := range st.Records {
						if rs.LastSuccess == nil || rs.LastSuccess.Before(since) || rs.Published != rs.Desired {
							return false
						}
					}
					return true
				}
			}
			d := e.Start()
			e.WaitFor(lazy(func() any { return "all 50 records published" }), allConfirmed(d.PID(), time.Time{}))
			if l, w := list(), e.Fake.Writes(); l != 2 || w != 20 {
				t.Errorf("first start: %d list calls and %d writes, want 2 (one zone, two pages) and 20", l, w)
			}
			if n := len(e.Records()); n != 200 {
				t.Errorf("%d records in the zone, want 200 (no duplicate)", n)
			}

			t0 := time.Now()
			d.Signal(syscall.SIGUSR1)
			e.WaitFor(lazy(func() any { return "the full check" }), allConfirmed(d.PID(), t0))
			if l, w := list(), e.Fake.Writes(); l != 4 || w != 20 {
				t.Errorf("full check: %d list calls and %d writes in all, want 4 and 20", l, w)
			}

			d.Signal(syscall.SIGKILL)
			d.Wait()
			t0 = time.Now()
			d = e.Start()
			e.WaitFor(lazy(func() any { return "the check after a crash" }), allConfirmed(d.PID(), t0))
			if l, w := list(), e.Fake.Writes(); l != 6 || w != 20 {
				t.Errorf("start after a crash: %d list calls and %d writes in all, want 6 and 20", l, w)
			}
			before := e.Requests()
			d = d.Restart()
			e.WaitFor(lazy(func() any { return "the clean restart" }), allConfirmed(d.PID(), time.Time{}))
			if n := e.Requests() - before; n != 0 {
				t.Errorf("clean restart with nothing changed: %d requests, want 0", n)
			}
			d.Stop()
		})
	}
}
