package e2e

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/certtest"
	"github.com/eddns/eddns/state"
)

// TestTLSToProvider runs `eddns once` against each fake served over HTTPS,
// as the real APIs are: trusted through SSL_CERT_FILE it publishes; with a
// CA that did not sign the fake's certificate nothing reaches the fake,
// the exit status is 1 and the error says why.
func TestTLSToProvider(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e, ca := NewTLSEnv(t, kind)
			if !strings.HasPrefix(e.Endpoint, "https://127.0.0.1:") {
				t.Fatalf("endpoint %s", e.Endpoint)
			}
			e.WriteConfig(Record("web", "name", "www", "type", "A", "source", "static", "value", "192.0.2.80"))

			// Trusted by nobody: the test CA is not in SSL_CERT_FILE.
			hour := certtest.Valid(time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
			other := certtest.Issue(t, hour, hour)
			otherFile := filepath.Join(e.Dir, "other.pem")
			if err := os.WriteFile(otherFile, other.CAPEM, 0o644); err != nil {
				t.Fatal(err)
			}
			e.Environ = []string{"SSL_CERT_FILE=" + otherFile}
			r := e.Exec("once")
			if r.Code != 1 {
				t.Errorf("untrusted certificate: exit %d, want 1", r.Code)
			}
			if out := r.Stdout + r.Stderr; !strings.Contains(out, "certificate signed by unknown authority") {
				t.Errorf("the output does not say the certificate is untrusted:\n%s", out)
			}
			if n := e.Requests(); n != 0 {
				t.Errorf("%d requests reached the fake through an untrusted TLS connection", n)
			}

			e.Environ = []string{"SSL_CERT_FILE=" + ca}
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("trusted certificate: exit %d, want 0", r.Code)
			}
			assertValue(t, e, "www", "A", "192.0.2.80")
		})
	}
}

// TestClockSkewFirstUpdateOverTLS is TestClockSkewFirstUpdate as it
// happens with a real API: the provider's clock is a year ahead of the
// router's, and its certificate is valid on both. The first update still
// succeeds: the refused timestamp comes back over verified TLS from the
// provider's own endpoint, teaches the offset, and the re-signed request
// goes through.
func TestClockSkewFirstUpdateOverTLS(t *testing.T) {
	const value = "2001:db8::443"
	year := 365 * 24 * time.Hour
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e, ca := NewTLSEnvValid(t, kind, time.Now().Add(-30*24*time.Hour), time.Now().Add(year+60*24*time.Hour))
			e.Environ = []string{"SSL_CERT_FILE=" + ca}
			e.Fake.SetNow(func() time.Time { return time.Now().Add(year) })
			e.WriteConfig(staticRecord("web", value))
			d := e.Start()
			e.WaitPublished("web", "www", "AAAA", value)
			rs := assertSettled(t, e, "web", value)
			if rs.Calls.Create != 1 || rs.Calls.Failed != 0 || rs.LastErrorAt != nil {
				t.Errorf("calls = %+v, last error %v: want one create and no failure", rs.Calls, rs.LastError)
			}
			assertNoDuplicates(t, e)
			d.Stop()
			assertNoLeak(t, e, d)
		})
	}
}

// TestTLSRefusedAtTrustedTime: a certificate valid only in the future and
// one that has expired are both refused before any request reaches the
// fake, with the router's clock right and with it a year behind the world
// (the router rebooted without NTP; before that it saved the last time a
// certificate verified, an hour before the reboot). The expired one of the
// second case is valid on the router's clock: only the saved time exposes
// it. A certificate that is not yet valid says "waiting for NTP".
func TestTLSRefusedAtTrustedTime(t *testing.T) {
	day, year := 24*time.Hour, 365*24*time.Hour
	now := time.Now()
	cases := []struct {
		name     string
		behind   time.Duration // how far the router's clock is behind the world
		from, to time.Time
		clock    bool // the refusal says "waiting for NTP"
	}{
		{"future, clock right", 0, now.Add(30 * day), now.Add(400 * day), true},
		{"expired, clock right", 0, now.Add(-300 * day), now.Add(-day), false},
		{"future, clock behind", year, now.Add(year + 30*day), now.Add(year + 400*day), true},
		{"expired, clock behind", year, now.Add(-10 * day), now.Add(100 * day), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := NewTLSEnvValid(t, TencentCloud, tc.from, tc.to)
			e.Environ = []string{"SSL_CERT_FILE=" + ca}
			if tc.behind > 0 {
				world := func() time.Time { return time.Now().Add(tc.behind) }
				e.Fake.SetNow(world)
				saveLastGood(t, e, world().Add(-time.Hour))
			}
			e.WriteConfig(staticRecord("web", "2001:db8::1"))
			r := e.Exec("once")
			out := r.Stdout + r.Stderr
			if r.Code != 1 {
				t.Errorf("exit %d, want 1", r.Code)
			}
			if !strings.Contains(out, "certificate has expired or is not yet valid") {
				t.Errorf("the output does not name the certificate's validity:\n%s", out)
			}
			if got := strings.Contains(out, "system clock not set (waiting for NTP)"); got != tc.clock {
				t.Errorf("says waiting for NTP = %v, want %v:\n%s", got, tc.clock, out)
			}
			if n := e.Requests(); n != 0 {
				t.Errorf("%d requests reached the fake", n)
			}
			if rs, ok := e.RecordStatus("web"); !ok || (rs.LastErrorKind == "waiting for clock") != tc.clock {
				t.Errorf("status: %+v", rs)
			}
		})
	}
}

// saveLastGood writes the state directory's last known good time as the
// daemon does (state.SaveTrustedTime: Unix seconds).
func saveLastGood(t *testing.T, e *Env, at time.Time) {
	t.Helper()
	if err := os.MkdirAll(e.StateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.StateDir, "last-good-time"), []byte(strconv.FormatInt(at.Unix(), 10)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTLSWaitingForClockThenNTP: the daemon shows a record held back by a
// certificate that starts in the future as "waiting for clock" (status.json
// and `eddns status`), sends nothing, and when NTP's hotplug sends SIGUSR2
// it retries at once instead of at the next backoff. NTP setting the clock
// is played by the provider switching to a certificate valid now.
func TestTLSWaitingForClockThenNTP(t *testing.T) {
	day := 24 * time.Hour
	ca := certtest.Valid(time.Now().Add(-365*day), time.Now().Add(365*day))
	early := certtest.Issue(t, ca, certtest.Valid(time.Now().Add(30*day), time.Now().Add(300*day)))
	good := early.Reissue(t, certtest.Valid(time.Now().Add(-day), time.Now().Add(30*day)))
	var serving atomic.Pointer[tls.Certificate]
	serving.Store(&early.Cert)
	e := newEnv(t, TencentCloud, func(ln net.Listener, h http.Handler) string {
		// GetConfigForClient, not GetCertificate: without SNI (an IP
		// address) crypto/tls would serve httptest's own certificate.
		srv := &httptest.Server{Listener: ln, TLS: &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return &tls.Config{Certificates: []tls.Certificate{*serving.Load()}}, nil
		}}, Config: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	})
	caFile := filepath.Join(e.Dir, "ca.pem")
	if err := os.WriteFile(caFile, early.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	e.Environ = []string{"SSL_CERT_FILE=" + caFile}
	e.WriteConfig(staticRecord("web", "2001:db8::7"))
	d := e.Start()
	// Three failures: the next retry is at least 6.4 s away (2, 4, 8 s ±20 %).
	rs := e.WaitStatus("web", "waiting for clock, third failure", func(rs state.RecordStatus) bool {
		return rs.LastErrorKind == "waiting for clock" && rs.Failures >= 3 && rs.NextRetry != nil
	})
	if n := e.Requests(); n != 0 {
		t.Fatalf("%d requests reached the fake", n)
	}
	if out := e.Exec("status").Stdout; !strings.Contains(out, "waiting for clock") {
		t.Errorf("eddns status does not say waiting for clock:\n%s", out)
	}
	serving.Store(&good.Cert)
	d.Signal(syscall.SIGUSR2)
	e.WaitPublished("web", "www", "AAAA", "2001:db8::7")
	done, _ := e.RecordStatus("web")
	if done.LastSuccess == nil || !done.LastSuccess.Before(*rs.NextRetry) {
		t.Errorf("published at %v, not before the scheduled retry %v: SIGUSR2 did not retry at once", done.LastSuccess, rs.NextRetry)
	}
	d.Stop()
	assertNoLeak(t, e, d)
}

// TestClockOffsetAfterNTPStep: the offset learned at boot must not outlive
// the clock being fixed. Here the daemon learns that the provider is a year
// ahead; then the two agree again (seen from the daemon, as when NTP steps
// the router's clock without the ntp hotplug telling eddns). The provider's
// certificate is valid now but not a year from now, so checking it against
// the stale corrected clock would fail every handshake forever; checked
// against the local clock, the next request is refused for its timestamp,
// the Date header resets the offset, and the update goes through.
func TestClockOffsetAfterNTPStep(t *testing.T) {
	year := 365 * 24 * time.Hour
	e, ca := NewTLSEnvValid(t, TencentCloud, time.Now().Add(-24*time.Hour), time.Now().Add(300*24*time.Hour))
	e.Environ = []string{"SSL_CERT_FILE=" + ca}
	e.Fake.SetNow(func() time.Time { return time.Now().Add(year) })
	e.WriteConfig(staticRecord("web", "2001:db8::1"))
	d := e.Start()
	e.WaitPublished("web", "www", "AAAA", "2001:db8::1")

	e.Fake.SetNow(time.Now)
	e.WriteConfig(staticRecord("web", "2001:db8::2"))
	d.Signal(syscall.SIGHUP)
	e.WaitPublished("web", "www", "AAAA", "2001:db8::2")
	st, _ := e.Status()
	if off, err := time.ParseDuration(st.ClockOffset); st.ClockOffset != "" && (err != nil || off > time.Minute || off < -time.Minute) {
		t.Errorf("status clock_offset = %q after the clocks agreed again, want 0", st.ClockOffset)
	}
	assertNoDuplicates(t, e)
	d.Stop()
	assertNoLeak(t, e, d)
}
