package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/certtest"
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
// happens with a real API: the provider's clock is a year ahead and so is
// its certificate, issued a month ago in its world, which on the router's
// clock is not yet valid. The first update still succeeds: the handshake
// is checked as of the certificate's start, the refused timestamp teaches
// the offset, and the re-signed request goes through.
func TestClockSkewFirstUpdateOverTLS(t *testing.T) {
	const value = "2001:db8::443"
	year := 365 * 24 * time.Hour
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e, ca := NewTLSEnvValid(t, kind, time.Now().Add(year-30*24*time.Hour), time.Now().Add(year+60*24*time.Hour))
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
