package e2e

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/netnstest"
	"github.com/eddns/eddns/state"
)

// Helpers shared by the fault, secret, privilege and verification scenarios.

// apiAction names each API's list, create and update calls, for faults aimed
// at one of them and for counting them at the fake.
var apiAction = map[Kind]struct{ List, Create, Update string }{
	AliDNS:       {"DescribeSubDomainRecords", "AddDomainRecord", "UpdateDomainRecord"},
	TencentCloud: {"DescribeRecordList", "CreateRecord", "ModifyRecord"},
	QcloudCNS:    {"RecordList", "RecordCreate", "RecordModify"},
}

// configWithTimeout returns the global section, provider 'p' with a request
// timeout of timeoutSec seconds, and records.
func configWithTimeout(e *Env, timeoutSec string, records string) string {
	prov := strings.Replace(e.ProviderSection("p", Secret), "option timeout '5'", "option timeout '"+timeoutSec+"'", 1)
	if !strings.Contains(prov, "option timeout '"+timeoutSec+"'") {
		e.T.Fatalf("provider section has no timeout option to replace:\n%s", prov)
	}
	return e.Global(3600) + prov + records
}

// staticRecord is an AAAA record "www" with a fixed value: it needs no
// address events, so a scenario controls exactly when it is written.
func staticRecord(section, value string) string {
	return Record(section, "name", "www", "type", "AAAA", "source", "static", "value", value)
}

// serveInNS serves h on 127.0.0.1 inside ns until the test ends and returns
// its base URL.
func serveInNS(t testing.TB, ns *netnstest.NS, h http.Handler) string {
	t.Helper()
	var ln net.Listener
	if err := ns.Do(t, func() (err error) {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", ns.Name(), err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	return "http://" + ln.Addr().String()
}

// assertNoDuplicates fails if two records of one name and type exist at the
// fake: eddns must never leave a duplicate behind.
func assertNoDuplicates(t *testing.T, e *Env) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range e.Records() {
		k := strings.ToLower(r.Name) + "/" + r.Type
		if seen[k] {
			t.Errorf("duplicate record %s at the fake: %v", k, e.Records())
		}
		seen[k] = true
	}
}

// assertNoSecret fails if any of secrets appears in text.
func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("secret %q appears in %s:\n%s", s, where, text)
		}
	}
}

// assertNoLeak checks the daemon's log, status.json and every file in the
// state directory for the fake account's secret (and any others given).
func assertNoLeak(t *testing.T, e *Env, d *Daemon, more ...string) {
	t.Helper()
	secrets := append([]string{Secret}, more...)
	if d != nil {
		assertNoSecret(t, "the daemon's log", d.Log(), secrets...)
	}
	assertNoSecret(t, "status.json", e.StatusJSON(), secrets...)
	assertNoSecret(t, "the state directory", e.StateFiles(), secrets...)
}

// assertSettled checks the status of a record that converged: published
// equals desired, no error left, no retry pending.
func assertSettled(t *testing.T, e *Env, section, value string) state.RecordStatus {
	t.Helper()
	rs := e.WaitStatus(section, "settled on "+value+" without error", func(rs state.RecordStatus) bool {
		return rs.Published == value && rs.Desired == value && rs.LastError == "" && rs.NextRetry == nil
	})
	if rs.Failures != 0 || rs.LastErrorKind != "" || rs.LastErrorCode != "" {
		t.Errorf("settled status still carries an error: %+v", rs)
	}
	return rs
}

// observe waits for window and then returns f's result: a bounded
// observation that something does NOT happen (no hot loop), not a
// measurement of how fast anything is.
func observe[T any](window time.Duration, f func() T) T {
	time.Sleep(window)
	return f()
}
