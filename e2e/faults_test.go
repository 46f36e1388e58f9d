package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/state"
)

// Fault injection against the real daemon: each scenario makes the fake
// provider misbehave the way real APIs and networks do and checks that the
// daemon says so in status.json, retries on the documented schedule, and
// ends with exactly one record holding the right value, nothing leaked.

// TestProviderFaultsRecover: one kind of failure on the first call, then a
// healthy provider. status.json shows the error, its kind and code, and a
// scheduled retry; the record then converges with one write.
func TestProviderFaultsRecover(t *testing.T) {
	const value = "2001:db8::80"
	for _, tc := range []struct {
		name     string
		kind     Kind
		timeout  string // provider `timeout` option, seconds
		faults   []providertest.Fault
		wantKind string        // "" = the call is slow but succeeds
		wantCode string        // provider code in status.json; "" = not checked
		minRetry time.Duration // least next_retry - last_error_at
	}{
		{"HTTP 500 twice", AliDNS, "1", []providertest.Fault{{Status: 500}, {Status: 500}}, "transient", "ServiceUnavailable", 1500 * time.Millisecond},
		{"HTTP 500", TencentCloud, "1", []providertest.Fault{{Status: 500}}, "transient", "", 1500 * time.Millisecond},
		{"request timeout", QcloudCNS, "1", []providertest.Fault{{Delay: 10 * time.Second}}, "transient", "", 1500 * time.Millisecond},
		{"request timeout", AliDNS, "1", []providertest.Fault{{Delay: 10 * time.Second}}, "transient", "", 1500 * time.Millisecond},
		{"connection reset", TencentCloud, "1", []providertest.Fault{{Reset: true}}, "transient", "", 1500 * time.Millisecond},
		{"connection reset", QcloudCNS, "1", []providertest.Fault{{Reset: true}}, "transient", "", 1500 * time.Millisecond},
		{"Throttling.User", AliDNS, "1", []providertest.Fault{{Status: 400, Code: "Throttling.User"}}, "throttled", "Throttling.User", 1500 * time.Millisecond},
		{"RequestLimitExceeded", TencentCloud, "1", []providertest.Fault{{Code: "RequestLimitExceeded"}}, "throttled", "RequestLimitExceeded", 1500 * time.Millisecond},
		{"RequestLimitExceeded", QcloudCNS, "1", []providertest.Fault{{Code: "RequestLimitExceeded"}}, "throttled", "", 1500 * time.Millisecond},
		{"HTTP 429 with Retry-After", AliDNS, "1", []providertest.Fault{{Status: http.StatusTooManyRequests, RetryAfter: "3"}}, "throttled", "", 2900 * time.Millisecond},
		{"HTTP 429 plain text with Retry-After", TencentCloud, "1", []providertest.Fault{{Status: http.StatusTooManyRequests, Body: "Too Many Requests", RetryAfter: "3"}}, "throttled", "", 2900 * time.Millisecond},
		{"truncated JSON", QcloudCNS, "1", []providertest.Fault{{Status: 200, Body: `{"code":0,"message":"","data":{"records":[`}}, "transient", "", 1500 * time.Millisecond},
		{"truncated JSON", TencentCloud, "1", []providertest.Fault{{Status: 200, Body: `{"Response":{"RecordList":[`}}, "transient", "", 1500 * time.Millisecond},
		{"garbage body", AliDNS, "1", []providertest.Fault{{Status: 200, Body: "<html><body>502 Bad Gateway</body></html>"}}, "transient", "", 1500 * time.Millisecond},
		{"slow response", TencentCloud, "3", []providertest.Fault{{Delay: 300 * time.Millisecond}}, "", "", 0},
		{"slow response", AliDNS, "3", []providertest.Fault{{Delay: 300 * time.Millisecond}, {Delay: 300 * time.Millisecond}}, "", "", 0},
	} {
		t.Run(string(tc.kind)+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, tc.kind)
			e.WriteRaw(configWithTimeout(e, tc.timeout, staticRecord("web", value)))
			e.Fake.Faults().Push(tc.faults...)
			d := e.Start()

			if tc.wantKind != "" {
				rs := e.WaitStatus("web", "a "+tc.wantKind+" error with a retry scheduled", func(rs state.RecordStatus) bool {
					return rs.LastErrorKind != "" && rs.NextRetry != nil
				})
				if rs.LastErrorKind != tc.wantKind {
					t.Errorf("last_error_kind = %q, want %q (last_error %q)", rs.LastErrorKind, tc.wantKind, rs.LastError)
				}
				if tc.wantCode != "" && rs.LastErrorCode != tc.wantCode {
					t.Errorf("last_error_code = %q, want %q", rs.LastErrorCode, tc.wantCode)
				}
				if !strings.Contains(rs.LastError, string(tc.kind)) {
					t.Errorf("last_error %q does not name the provider %s", rs.LastError, tc.kind)
				}
				if rs.Desired != value || rs.Published != "" || rs.Failures < 1 || rs.Calls.Failed < 1 || rs.LastErrorAt == nil {
					t.Errorf("status during the failure: %+v", rs)
				} else if gap := rs.NextRetry.Sub(*rs.LastErrorAt); gap < tc.minRetry {
					t.Errorf("next_retry only %v after the error, want at least %v", gap, tc.minRetry)
				}
				if len(tc.faults) > 1 {
					e.WaitStatus("web", fmt.Sprintf("%d consecutive failures", len(tc.faults)), func(rs state.RecordStatus) bool {
						return rs.Failures == len(tc.faults)
					})
				}
			}

			e.WaitPublished("web", "www", "AAAA", value)
			rs := assertSettled(t, e, "web", value)
			if n := e.Fake.Faults().Len(); n != 0 {
				t.Errorf("%d injected faults never consumed", n)
			}
			if tc.wantKind == "" && rs.Calls.Failed != 0 {
				t.Errorf("a slow but successful provider counted %d failed calls", rs.Calls.Failed)
			}
			if tc.wantKind != "" && rs.Calls.Failed != len(tc.faults) {
				t.Errorf("status counts %d failed calls, want %d", rs.Calls.Failed, len(tc.faults))
			}
			if w, c := e.Fake.Writes(), e.Fake.Calls(apiAction[tc.kind].Create); w != 1 || c != 1 {
				t.Errorf("%d writes and %d create calls, want 1 and 1", w, c)
			}
			assertNoDuplicates(t, e)
			d.Stop()
			assertNoLeak(t, e, d)
		})
	}
}

// TestClockSkewFirstUpdate: the provider's clock is a year ahead of the
// router's (a router without RTC after a reboot). The very first update
// succeeds: one request refused for its timestamp, the same request signed
// again with the offset learned from the Date header, then the create.
func TestClockSkewFirstUpdate(t *testing.T) {
	const value = "2001:db8::53"
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			e.Fake.SetNow(func() time.Time { return time.Now().Add(365 * 24 * time.Hour) })
			e.WriteConfig(staticRecord("web", value))
			d := e.Start()
			e.WaitPublished("web", "www", "AAAA", value)
			rs := assertSettled(t, e, "web", value)
			if rs.Calls.List != 2 || rs.Calls.Create != 1 || rs.Calls.Failed != 0 {
				t.Errorf("calls = %+v, want list 2 (refused, re-signed), create 1, failed 0", rs.Calls)
			}
			if rs.LastErrorAt != nil {
				t.Errorf("the refused request was reported as a failure: %+v", rs)
			}
			a := apiAction[kind]
			if l, c := e.Fake.Calls(a.List), e.Fake.Calls(a.Create); l != 2 || c != 1 {
				t.Errorf("the fake saw %d list and %d create calls, want 2 and 1", l, c)
			}
			st, _ := e.Status()
			off, err := time.ParseDuration(st.ClockOffset)
			if err != nil || off < 364*24*time.Hour || off > 366*24*time.Hour {
				t.Errorf("status clock_offset = %q, want about a year", st.ClockOffset)
			}
			assertNoDuplicates(t, e)
			d.Stop()
			assertNoLeak(t, e, d)
		})
	}
}

// TestAddressChangesDuringOutage: the provider fails every call while the
// WAN prefix changes four times. Each new value is tried at once (and
// fails); when the provider recovers the record holds the newest value, and
// the number of writes is bounded by the number of values.
func TestAddressChangesDuringOutage(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, TencentCloud)
	e.AddLink("wan0")
	e.WriteRaw(configWithTimeout(e, "1", Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0")))
	d := e.Start()
	e.NS.AddrReplace(t, "wan0", "2001:db8:10::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:10::10")

	// Enough failures for every attempt the outage can see.
	outage := make([]providertest.Fault, 100)
	for i := range outage {
		outage[i] = providertest.Fault{Status: http.StatusServiceUnavailable}
	}
	e.Fake.Faults().Push(outage...)
	const changes = 4
	prev := "2001:db8:10::10/64"
	var rs state.RecordStatus
	for i := 1; i <= changes; i++ {
		next := fmt.Sprintf("2001:db8:%x::10/64", 0x10+i)
		e.NS.AddrReplace(t, "wan0", prev, 0, 7200)
		e.NS.AddrReplace(t, "wan0", next, 3600, 7200)
		prev = next
		want := strings.TrimSuffix(next, "/64")
		// A new value is attempted at once, whatever the backoff.
		rs = e.WaitStatus("nas6", "a failed attempt at "+want, func(rs state.RecordStatus) bool {
			return rs.Desired == want && rs.LastErrorAt != nil && rs.Calls.Failed >= i
		})
	}
	if rs.Published != "2001:db8:10::10" || rs.LastErrorKind != "transient" || rs.NextRetry == nil {
		t.Errorf("status during the outage: %+v", rs)
	}
	for {
		if _, ok := e.Fake.Faults().Take(""); !ok {
			break
		}
	}
	final := strings.TrimSuffix(prev, "/64")
	e.WaitPublished("nas6", "nas", "AAAA", final)
	assertSettled(t, e, "nas6", final)
	if w := e.Fake.Writes(); w != 2 {
		t.Errorf("%d successful writes, want 2 (the first address, then the newest)", w)
	}
	if n := e.Fake.Calls(apiAction[TencentCloud].Update); n > changes+1 {
		t.Errorf("%d update calls for %d values, want at most %d", n, changes, changes+1)
	}
	assertNoDuplicates(t, e)
	d.Stop()
	assertNoLeak(t, e, d)
}

// TestKillMidWrite: the daemon is killed (SIGKILL) while its create or
// update call is in flight. Whether or not the provider carried the write
// out, the restarted daemon converges to exactly one record with the right
// value. A second restart with nothing changed costs no request at all.
func TestKillMidWrite(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kind    Kind
		applied bool // the provider carries the write out although the caller died
	}{
		{"create applied after the daemon died", AliDNS, true},
		{"create lost with the daemon", TencentCloud, false},
		{"create applied after the daemon died", QcloudCNS, true},
	} {
		t.Run(string(tc.kind)+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			const value = "2001:db8::99"
			e := NewEnv(t, tc.kind)
			e.WriteRaw(configWithTimeout(e, "15", staticRecord("web", value)))
			create := apiAction[tc.kind].Create
			slow := providertest.Fault{Action: create, Delay: 10 * time.Second}
			if !tc.applied {
				// Delay then 500: a caller that hangs up during the delay
				// leaves the request unanswered and not carried out.
				slow.Status = http.StatusInternalServerError
			}
			e.Fake.Faults().Push(slow)
			d := e.Start()
			e.WaitFor(lazy(func() any { return "the create call to arrive" }), func() bool {
				return e.Fake.Calls(create) == 1 && e.Fake.Faults().Len() == 0
			})
			d.Signal(syscall.SIGKILL)
			if code := d.Wait(); code != 128+int(syscall.SIGKILL) {
				t.Fatalf("daemon exit %d after SIGKILL", code)
			}
			if tc.applied {
				// The provider notices the caller is gone and goes on.
				e.WaitFor(lazy(func() any { return "the orphaned create to land" }), func() bool { return e.Fake.Writes() == 1 })
				if strings.Contains(e.StateFiles(), `"record_id"`) {
					t.Errorf("state.json remembers a record the daemon never heard about:\n%s", e.StateFiles())
				}
			}

			d = e.Start()
			e.WaitPublished("web", "www", "AAAA", value)
			assertSettled(t, e, "web", value)
			if n := len(e.Records()); n != 1 {
				t.Errorf("%d records at the fake, want 1: %v", n, e.Records())
			}
			if w, c := e.Fake.Writes(), e.Fake.Calls(create); w != 1 || c != 2-btoi(tc.applied) {
				t.Errorf("%d writes and %d create calls; want 1 write and %d creates", w, c, 2-btoi(tc.applied))
			}
			d = restartCostsNothing(t, e, d, "web")
			assertNoLeak(t, e, d)
		})
	}

	t.Run("update in flight", func(t *testing.T) {
		t.Parallel()
		e := NewEnv(t, TencentCloud)
		e.AddLink("wan0")
		e.WriteRaw(configWithTimeout(e, "15", Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0")))
		d := e.Start()
		e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200)
		e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")

		update := apiAction[TencentCloud].Update
		e.Fake.Faults().Push(providertest.Fault{Action: update, Delay: 10 * time.Second})
		e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 0, 7200)
		e.NS.AddrReplace(t, "wan0", "2001:db8:2::10/64", 3600, 7200)
		e.WaitFor(lazy(func() any { return "the update call to arrive" }), func() bool {
			return e.Fake.Calls(update) == 1 && e.Fake.Faults().Len() == 0
		})
		d.Signal(syscall.SIGKILL)
		d.Wait()
		e.WaitFor(lazy(func() any { return "the orphaned update to land" }), func() bool { return e.Fake.Writes() == 2 })

		d = e.Start()
		e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:2::10")
		assertSettled(t, e, "nas6", "2001:db8:2::10")
		if n := len(e.Records()); n != 1 {
			t.Errorf("%d records at the fake, want 1: %v", n, e.Records())
		}
		if c := e.Fake.Calls(apiAction[TencentCloud].Create); c != 1 {
			t.Errorf("%d create calls, want only the first one", c)
		}
		d = restartCostsNothing(t, e, d, "nas6")
		assertNoLeak(t, e, d)
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// restartCostsNothing restarts the daemon with nothing changed and checks
// that it reaches a settled record (last_success of the new process)
// without a single request to the provider: state.json answers everything.
// It returns the new daemon, stopped.
func restartCostsNothing(t *testing.T, e *Env, d *Daemon, section string) *Daemon {
	t.Helper()
	before := e.Requests()
	d = d.Restart()
	rs := e.WaitStatus(section, "the new process to confirm the record", func(rs state.RecordStatus) bool {
		return rs.LastSuccess != nil
	})
	if n := e.Requests() - before; n != 0 {
		t.Errorf("restart with nothing changed made %d requests, want 0", n)
	}
	if rs.Calls != (state.Calls{}) {
		t.Errorf("restart with nothing changed counted calls %+v, want none", rs.Calls)
	}
	d.Stop()
	return d
}

// TestBadConfigReload: a broken configuration pushed with SIGHUP is refused
// with every problem as file:line, and the daemon keeps running the old one
// (a later address change is still published). A good configuration pushed
// afterwards is applied: its new record appears at the fake.
func TestBadConfigReload(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, QcloudCNS)
	e.AddLink("wan0")
	good := e.Global(3600) + e.ProviderSection("p", Secret) + Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0")
	e.WriteRaw(good)
	d := e.Start()
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")

	bad := good + "config record 'broken'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'AAAA'\n" +
		"\toption ttl 'soon'\n\toption colour 'blue'\n\toption device 'wan0'\n"
	e.WriteRaw(bad)
	d.Signal(syscall.SIGHUP)
	d.WaitLog("new configuration rejected")
	for _, opt := range []string{"option ttl 'soon'", "option colour 'blue'"} {
		line := lineOf(t, bad, opt)
		if !strings.Contains(d.Log(), fmt.Sprintf("%s:%d", e.Config, line)) {
			t.Errorf("the log does not point at %s:%d (%s):\n%s", e.Config, line, opt, d.Log())
		}
	}

	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 0, 7200)
	e.NS.AddrReplace(t, "wan0", "2001:db8:2::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:2::10")

	e.WriteRaw(good + Record("web4", "name", "www", "type", "A", "source", "static", "value", "192.0.2.80"))
	d.Signal(syscall.SIGHUP)
	d.WaitLog("configuration reloaded")
	e.WaitPublished("web4", "www", "A", "192.0.2.80")
	assertValue(t, e, "nas", "AAAA", "2001:db8:2::10")
	if w := e.Fake.Writes(); w != 3 {
		t.Errorf("%d writes, want 3 (create, update, the new record's create)", w)
	}
	assertNoDuplicates(t, e)
	d.Stop()
	assertNoLeak(t, e, d)
}

// lineOf returns the 1-based line of text holding substr.
func lineOf(t *testing.T, text, substr string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			return i + 1
		}
	}
	t.Fatalf("%q not in the config", substr)
	return 0
}

// TestStateFileProblemsAtStart: state.json is corrupt, or names a record id
// the provider no longer has. The daemon sets a corrupt file aside with a
// warning, looks the record up, and converges by updating the one record
// already at the provider: no duplicate.
func TestStateFileProblemsAtStart(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		logs    []string // parts of one log line
		aside   bool     // the file is moved to state.json.bad-*
	}{
		{"corrupt", `{"schema":"eddns-state/1","records":{"p/www.exa`, []string{"level=WARN", "state file", "unusable"}, true},
		{"foreign", `{"hello":"world"}`, []string{"level=WARN", "state file", "unusable"}, true},
		{"stale record id", `{"schema":"eddns-state/1","records":{"p/www.example.com/AAAA":{"record_id":"987654321","value":"2001:db8::1","at":"2024-01-01T00:00:00Z"}}}`,
			[]string{"no longer exists"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const value = "2001:db8::2"
			e := NewEnv(t, AliDNS)
			e.Fake.Put(Zone, providers.Record{Name: "www", Type: "AAAA", Value: "2001:db8::1", TTL: 600})
			if err := os.MkdirAll(e.StateDir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(e.StateDir, state.FileName), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			e.WriteConfig(staticRecord("web", value))
			d := e.Start()
			d.WaitLogLine(tc.logs...)
			e.WaitPublished("web", "www", "AAAA", value)
			assertSettled(t, e, "web", value)
			if n := len(e.Records()); n != 1 {
				t.Errorf("%d records at the fake, want the one updated: %v", n, e.Records())
			}
			if c := e.Fake.Calls(apiAction[AliDNS].Create); c != 0 {
				t.Errorf("%d create calls, want 0: the record existed", c)
			}
			aside, _ := filepath.Glob(filepath.Join(e.StateDir, state.FileName+".bad-*"))
			if tc.aside {
				if len(aside) != 1 {
					t.Fatalf("set-aside files: %v, want one", aside)
				}
				if b, _ := os.ReadFile(aside[0]); string(b) != tc.content {
					t.Errorf("set-aside file holds %q, want the original", b)
				}
			} else if len(aside) != 0 {
				t.Errorf("a usable state file was set aside: %v", aside)
			}
			raw, err := os.ReadFile(filepath.Join(e.StateDir, state.FileName))
			if err != nil {
				t.Fatal(err)
			}
			if recs, err := state.Decode(raw); err != nil || recs["p/www.example.com/AAAA"].Value != value {
				t.Errorf("state.json after convergence = %s (%v)", raw, err)
			}
			d.Stop()
			assertNoLeak(t, e, d)
		})
	}
}

// authCode is each API's code for a request signed with the wrong secret.
var authCode = map[Kind]string{
	AliDNS:       "SignatureDoesNotMatch",
	TencentCloud: "AuthFailure.SignatureFailure",
	QcloudCNS:    "4100/AuthFailure.SignatureFailure", // API 2.0: number and codeDesc
}

// TestWrongCredentialsSlowRetry: a wrong secret is an "auth" failure with
// the provider's code in status.json, and the retry is scheduled about a
// minute away: over a two-second window the daemon sends nothing more.
func TestWrongCredentialsSlowRetry(t *testing.T) {
	const wrong = "e2e-WRONG-5ca1ab1e77"
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			e.WriteRaw(e.Global(3600) + e.ProviderSection("p", wrong) + staticRecord("web", "2001:db8::7"))
			d := e.Start()
			rs := e.WaitStatus("web", "an auth error", func(rs state.RecordStatus) bool { return rs.LastErrorKind != "" })
			if rs.LastErrorKind != "auth" || rs.LastErrorCode != authCode[kind] {
				t.Errorf("last_error_kind %q, code %q; want auth, %s", rs.LastErrorKind, rs.LastErrorCode, authCode[kind])
			}
			if rs.NextRetry == nil || rs.LastErrorAt == nil {
				t.Fatalf("no retry scheduled: %+v", rs)
			}
			if gap := rs.NextRetry.Sub(*rs.LastErrorAt); gap < 45*time.Second {
				t.Errorf("next retry %v after an auth failure, want at least 45s", gap)
			}
			sent := e.Requests()
			if later := observe(2*time.Second, e.Requests); later != sent {
				t.Errorf("%d more requests within 2s of an auth failure: a hot loop", later-sent)
			}
			if rs, _ := e.RecordStatus("web"); rs.Failures != 1 || rs.Calls.Failed != 1 {
				t.Errorf("after the window: failures %d, failed calls %d; want 1 and 1", rs.Failures, rs.Calls.Failed)
			}
			if w := e.Fake.Writes(); w != 0 {
				t.Errorf("%d writes with a wrong secret", w)
			}
			d.Stop()
			assertNoLeak(t, e, d, wrong)
		})
	}
}
