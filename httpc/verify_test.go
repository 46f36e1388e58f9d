package httpc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/certtest"
)

const day = 24 * time.Hour

// TestVerifyServerAtTrustedTime: the chain is checked at the given time and
// nothing else; a certificate that is not valid then is refused whatever
// the reason, and "not yet valid" is told apart only in the message.
func TestVerifyServerAtTrustedTime(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) // the trusted time
	long := certtest.Valid(at.Add(-5*365*day), at.Add(5*365*day))
	future := certtest.Valid(at.Add(30*day), at.Add(120*day))
	cases := []struct {
		name      string
		ca        certtest.Window
		leaf      certtest.Window
		dnsName   string
		untrusted bool // verify against an empty pool
		ok        bool
		clock     bool // the refusal wraps ErrClockNotSet
	}{
		{"valid", long, certtest.Valid(at.Add(-day), at.Add(day)), "127.0.0.1", false, true, false},
		// The old fallback accepted these two, checked as of their start.
		{"not yet valid leaf", long, future, "127.0.0.1", false, false, true},
		{"not yet valid CA and leaf", certtest.Valid(at.Add(10*day), at.Add(365*day)), future, "127.0.0.1", false, false, true},
		{"expired", long, certtest.Valid(at.Add(-60*day), at.Add(-day)), "127.0.0.1", false, false, false},
		{"not yet valid and wrong name", long, future, "192.0.2.1", false, false, false},
		{"not yet valid and untrusted", long, future, "127.0.0.1", true, false, false},
		{"not yet valid under an expired CA", certtest.Valid(at.Add(-10*365*day), at.Add(-day)), future, "127.0.0.1", false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := certtest.Issue(t, tc.ca, tc.leaf)
			roots := p.Pool
			if tc.untrusted {
				roots = x509.NewCertPool()
			}
			err := verifyServer([]*x509.Certificate{p.Leaf}, roots, tc.dnsName, at)
			if (err == nil) != tc.ok {
				t.Fatalf("verifyServer = %v, want ok=%v", err, tc.ok)
			}
			if errors.Is(err, ErrClockNotSet) != tc.clock {
				t.Errorf("verifyServer = %v, want ErrClockNotSet=%v", err, tc.clock)
			}
		})
	}
	if err := verifyServer(nil, nil, "x", at); err == nil {
		t.Error("no certificate accepted")
	}
}

// TestVerifyServerAppendedCertificate: an unrelated certificate appended
// to the chain, starting later, used to move the time the chain was
// checked at; it changes nothing now.
func TestVerifyServerAppendedCertificate(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	long := certtest.Valid(at.Add(-5*365*day), at.Add(5*365*day))
	expired := certtest.Issue(t, long, certtest.Valid(at.Add(-60*day), at.Add(-day)))
	later := certtest.Issue(t, long, certtest.Valid(at.Add(10*day), at.Add(100*day)))
	err := verifyServer([]*x509.Certificate{expired.Leaf, later.Leaf, later.CA}, expired.Pool, "127.0.0.1", at)
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired || errors.Is(err, ErrClockNotSet) {
		t.Errorf("expired leaf with a later certificate appended: %v, want x509 Expired", err)
	}
}

func TestTrustedTime(t *testing.T) {
	sys := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // a router clock reset to its firmware date
	build := sys.Add(30 * day)
	lastGood := sys.Add(200 * day)
	var saved []time.Time
	tt := NewTrustedTime(build, lastGood)
	tt.Now = func() time.Time { return sys }
	tt.SetSave(func(at time.Time) error { saved = append(saved, at); return nil })
	if got := tt.Time(); !got.Equal(lastGood) {
		t.Fatalf("Time = %v, want the last known good time %v", got, lastGood)
	}
	// NTP set the clock: the system clock wins and is saved, at most hourly.
	sys = lastGood.Add(10 * day)
	for i := 0; i < 120; i++ { // two hours of verified responses a minute apart
		tt.good(tt.Time())
		sys = sys.Add(time.Minute)
	}
	if len(saved) != 2 || !saved[0].Equal(lastGood.Add(10*day)) || saved[1].Sub(saved[0]) != time.Hour {
		t.Errorf("saved %v: want the first verified time and one an hour later", saved)
	}
	// The clock going back later does not take the trusted time with it.
	before := tt.Floor()
	sys = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := tt.Time(); !got.Equal(before) {
		t.Errorf("after the clock went back: %v, want %v", got, before)
	}
}

func TestBuildTime(t *testing.T) {
	old := buildEpoch
	defer func() { buildEpoch = old }()
	buildEpoch = "1700000000"
	if got := BuildTime(); !got.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("BuildTime = %v", got)
	}
	for _, bad := range []string{"", "0", "x", "-5"} {
		buildEpoch = bad
		if got := BuildTime(); !got.IsZero() {
			t.Errorf("BuildTime with %q = %v, want zero", bad, got)
		}
	}
}

// TestHandshakeAtTrustedTime: real handshakes. A certificate valid only in
// the future and one that has expired are refused before the request is
// written, with the system clock right and with it behind the last known
// good time; a valid one is accepted and marks the response verified.
func TestHandshakeAtTrustedTime(t *testing.T) {
	now := time.Now()
	var hits atomic.Int32
	serve := func(p certtest.PKI) string {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			io.WriteString(w, "ok")
		}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.Cert}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	long := certtest.Valid(now.Add(-3*365*day), now.Add(3*365*day))
	future := certtest.Issue(t, long, certtest.Valid(now.Add(30*day), now.Add(400*day)))
	expired := certtest.Issue(t, long, certtest.Valid(now.Add(-300*day), now.Add(-day)))
	// Valid on a clock 100 days behind, expired at the last known good time.
	staleAtTrue := certtest.Issue(t, long, certtest.Valid(now.Add(-200*day), now.Add(-50*day)))
	valid := certtest.Issue(t, long, certtest.Valid(now.Add(-day), now.Add(90*day)))

	right := NewTrustedTime(time.Time{})
	behind := NewTrustedTime(time.Time{}, now) // last good: now; the system clock lags
	behind.Now = func() time.Time { return time.Now().Add(-100 * day) }
	cases := []struct {
		name  string
		tt    *TrustedTime
		p     certtest.PKI
		clock bool // refused with ErrClockNotSet, else as expired
	}{
		{"future, clock right", right, future, true},
		{"expired, clock right", right, expired, false},
		{"future, clock behind", behind, future, true},
		{"expired, clock behind", behind, expired, false},
		{"expired in truth but not on the clock behind", behind, staleAtTrue, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			_, err := get(t, &Client{Time: tc.tt, TLS: &tls.Config{RootCAs: tc.p.Pool}}, serve(tc.p))
			var invalid x509.CertificateInvalidError
			if !errors.As(err, &invalid) || invalid.Reason != x509.Expired || errors.Is(err, ErrClockNotSet) != tc.clock {
				t.Errorf("err = %v, want x509 Expired with ErrClockNotSet=%v", err, tc.clock)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("%d requests reached the server", n)
			}
		})
	}
	resp, err := get(t, &Client{Time: right, TLS: &tls.Config{RootCAs: valid.Pool}}, serve(valid))
	if err != nil || string(resp.Body) != "ok" || !resp.Verified {
		t.Fatalf("valid certificate: %v (verified=%v)", err, resp != nil && resp.Verified)
	}
	if right.Floor().Before(now) {
		t.Errorf("a verified response did not raise the floor: %v", right.Floor())
	}
}
