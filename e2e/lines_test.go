package e2e

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/state"
)

// otherLine is a non-default line in each API's own spelling (alidns line
// code, DNSPod RecordLineId); the default line is "" for Put.
var otherLine = map[Kind]string{AliDNS: "telecom", TencentCloud: "10=0"}

// find returns the fake's records of name and type, keyed by line ("" is
// the default line as each fake spells it).
func find(e *Env, name, typ string) []providers.Record {
	var out []providers.Record
	for _, r := range e.Records() {
		if r.Name == name && r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// TestLinesAreLeftAlone (issue 10 item 1): "telecom ::1" and "default ::1"
// are seeded; `eddns once` publishing ::2 changes the default-line record
// only. A second record section with `option line` keeps the telecom record
// current on its own line.
func TestLinesAreLeftAlone(t *testing.T) {
	for _, kind := range []Kind{AliDNS, TencentCloud} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			tel := e.Fake.Put(Zone, providers.Record{Name: "www", Type: "AAAA", Value: "2001:db8::1", Line: otherLine[kind]})
			def := e.Fake.Put(Zone, providers.Record{Name: "www", Type: "AAAA", Value: "2001:db8::1"})

			e.WriteConfig(staticRecord("web", "2001:db8::2"))
			if r := e.Exec("once"); r.Code != 0 || !strings.Contains(r.Stdout, "updated (record "+def+")") {
				t.Fatalf("once: exit %d, want the default-line record %s updated", r.Code, def)
			}
			recs := find(e, "www", "AAAA")
			if len(recs) != 2 || recs[0].ID != tel || recs[0].Value != "2001:db8::1" || recs[0].Line != otherLine[kind] ||
				recs[1].ID != def || recs[1].Value != "2001:db8::2" {
				t.Fatalf("records = %+v; want the %s record untouched and the default one at ::2", recs, otherLine[kind])
			}

			// Both lines managed, each by its own section.
			e.WriteConfig(staticRecord("web", "2001:db8::2") +
				Record("web_tel", "name", "www", "type", "AAAA", "source", "static", "value", "2001:db8::3", "line", otherLine[kind]))
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("once with two lines: exit %d", r.Code)
			}
			recs = find(e, "www", "AAAA")
			if len(recs) != 2 || recs[0].Value != "2001:db8::3" || recs[0].Line != otherLine[kind] || recs[1].Value != "2001:db8::2" {
				t.Fatalf("records = %+v; want %s ::3 and default ::2", recs, otherLine[kind])
			}
		})
	}
}

// TestPausedRecordIsResumed (issue 10 item 3): a record paused in the
// console is ours. The daemon updates it, enables it and logs that; it never
// creates a second record. A paused record that already holds the value is
// enabled without an update.
func TestPausedRecordIsResumed(t *testing.T) {
	for _, kind := range []Kind{AliDNS, TencentCloud} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			id := e.Fake.Put(Zone, providers.Record{Name: "www", Type: "AAAA", Value: "2001:db8::1", Disabled: true})
			same := e.Fake.Put(Zone, providers.Record{Name: "gw", Type: "A", Value: "192.0.2.7", Disabled: true})
			e.WriteConfig(staticRecord("web", "2001:db8::2") +
				Record("gw4", "name", "gw", "type", "A", "source", "static", "value", "192.0.2.7"))
			d := e.Start()
			e.WaitFor(lazy(func() any { return e.Records() }), func() bool {
				for _, r := range e.Records() {
					if r.Disabled || (r.Name == "www" && r.Value != "2001:db8::2") {
						return false
					}
				}
				return true
			})
			d.WaitLogLine("paused", "record_id="+id)
			d.WaitLogLine("paused", "record_id="+same)
			rs := e.WaitStatus("web", "published", func(rs state.RecordStatus) bool { return rs.RecordID == id })
			if rs.Calls.Create != 0 || len(e.Records()) != 2 {
				t.Fatalf("calls %+v, records %+v; want the paused records reused", rs.Calls, e.Records())
			}
			if n := e.Fake.Calls(apiAction[kind].Update); n != 1 {
				t.Errorf("%d update calls, want 1 (the record holding ::1); the other only needed enabling", n)
			}
			d.Stop()
			assertNoLeak(t, e, d)
		})
	}
}

// TestDuplicateValueIsReported (issue 10 item 2): the cached record's
// update is refused because another record already publishes the new
// value. eddns takes that record over and says, in the log, in `once` and
// in `eddns status`, that the old record still publishes the old value.
func TestDuplicateValueIsReported(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	e.WriteConfig(staticRecord("web", "2001:db8::1"))
	if r := e.Exec("once"); r.Code != 0 {
		t.Fatalf("first once: exit %d", r.Code)
	}
	stale := find(e, "www", "AAAA")[0].ID
	other := e.Fake.Put(Zone, providers.Record{Name: "www", Type: "AAAA", Value: "2001:db8::2"})
	e.WriteConfig(staticRecord("web", "2001:db8::2"))
	r := e.Exec("once")
	want := "record " + stale + " still publishes the old value 2001:db8::1"
	if r.Code != 0 || !strings.Contains(r.Stdout, "(record "+other+")") || !strings.Contains(r.Stdout, want) {
		t.Fatalf("once: exit %d; want record %s adopted and %q", r.Code, other, want)
	}
	st := e.Exec("status")
	if !strings.Contains(st.Stdout, "warning") || !strings.Contains(st.Stdout, want) {
		t.Fatalf("eddns status does not report the stale record:\n%s", st.Stdout)
	}
	if recs := find(e, "www", "AAAA"); len(recs) != 2 || recs[0].Value != "2001:db8::1" {
		t.Fatalf("records = %+v; want the stale record left alone", recs)
	}
}

// TestOnceWaitsForVerification (issue 10 item 8): `eddns once` on a record
// with `verify` waits for the HTTPDNS result and reports it; a value that
// never shows up fails the exit status; --no-verify skips the wait.
func TestOnceWaitsForVerification(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	hf, section := startHTTPDNS(t, e, httpdnsSecret, 3)
	hf.SetCacheDelay(1200 * time.Millisecond)
	e.Fake.OnWrite(func(_ string, zone string, rec providers.Record) {
		hf.SetRecord(rec.Name+"."+zone, rec.Type, netip.MustParseAddr(rec.Value))
	})
	e.WriteConfig(section + staticRecord("web", "2001:db8::7") + "\toption verify 'h'\n\n")
	r := e.Exec("once")
	if r.Code != 0 || !strings.Contains(r.Stdout, "created") || !strings.Contains(r.Stdout, "verified after") {
		t.Fatalf("once: exit %d; want created and verified", r.Code)
	}
	if hf.Requests() < 2 {
		t.Errorf("%d HTTPDNS queries; the value was not visible at first, so once must have waited", hf.Requests())
	}

	// The service never sees the next value: not visible, exit 1.
	e.Fake.OnWrite(nil)
	e.WriteConfig(section + staticRecord("web", "2001:db8::8") + "\toption verify 'h'\n\n")
	r = e.Exec("once")
	if r.Code != 1 || !strings.Contains(r.Stdout, "updated") || !strings.Contains(r.Stdout, "NOT VISIBLE: not visible after 3s") {
		t.Fatalf("once: exit %d; want updated, NOT VISIBLE and exit 1", r.Code)
	}
	if rs, _ := e.RecordStatus("web"); !strings.Contains(rs.Verify, "not visible after 3s") {
		t.Errorf("status verify = %q", rs.Verify)
	}

	before := hf.Requests()
	e.WriteConfig(section + staticRecord("web", "2001:db8::9") + "\toption verify 'h'\n\n")
	r = e.Exec("once", "--no-verify")
	if r.Code != 0 || strings.Contains(r.Stdout, "verif") || hf.Requests() != before {
		t.Fatalf("once --no-verify: exit %d, %d queries; want no verification", r.Code, hf.Requests()-before)
	}
	assertNoLeak(t, e, nil, httpdnsSecret)
}

// TestIPv6OnlyWANExplainsTheFailure (issue 10 item 9): the router has an
// IPv6 default route and no IPv4 route; the API endpoint is an IPv4
// address. `eddns once` fails the record with an error that says the host
// has no IPv6 address and that NAT64/DNS64 or an IPv4 path is needed.
func TestIPv6OnlyWANExplainsTheFailure(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, TencentCloud)
	e.AddLink("wan0")
	e.NS.Run(t, "ip", "-6", "addr", "add", "2001:db8:1::2/64", "dev", "wan0", "nodad")
	e.NS.Run(t, "ip", "-6", "route", "add", "default", "via", "2001:db8:1::1", "dev", "wan0")
	e.WriteRaw(e.Global(3600) + strings.Replace(e.ProviderSection("p", Secret), e.Endpoint, "https://192.0.2.80", 1) +
		staticRecord("web", "2001:db8::1"))
	r := e.Exec("once")
	out := r.Stdout + r.Stderr
	if r.Code != 1 || !strings.Contains(out, "192.0.2.80 has no IPv6 address (AAAA)") || !strings.Contains(out, "NAT64/DNS64 or an IPv4 path") {
		t.Fatalf("once: exit %d; want the record failed with the IPv6-only explanation", r.Code)
	}
	if rs, _ := e.RecordStatus("web"); !strings.Contains(rs.LastError, "NAT64/DNS64") {
		t.Fatalf("status last_error = %q", rs.LastError)
	}
}
