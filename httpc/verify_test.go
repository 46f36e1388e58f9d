package httpc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/certtest"
)

const day = 24 * time.Hour

func TestVerifyServerClockBehind(t *testing.T) {
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) // the router's clock
	real := now.Add(365 * day)                         // the world's
	long := certtest.Valid(real.Add(-5*365*day), real.Add(5*365*day))
	cases := []struct {
		name      string
		ca        certtest.Window
		leaf      certtest.Window
		dnsName   string
		untrusted bool // verify against an empty pool
		ok        bool
	}{
		{"valid now", long, certtest.Valid(now.Add(-day), now.Add(day)), "127.0.0.1", false, true},
		{"leaf issued after our clock: checked as of its start", long, certtest.Valid(real.Add(-30*day), real.Add(60*day)), "127.0.0.1", false, true},
		{"CA too starts after our clock", certtest.Valid(real.Add(-60*day), real.Add(365*day)), certtest.Valid(real.Add(-30*day), real.Add(60*day)), "127.0.0.1", false, true},
		{"expired is never accepted", long, certtest.Valid(now.Add(-60*day), now.Add(-day)), "127.0.0.1", false, false},
		{"early and wrong name", long, certtest.Valid(real.Add(-30*day), real.Add(60*day)), "192.0.2.1", false, false},
		{"early and untrusted", long, certtest.Valid(real.Add(-30*day), real.Add(60*day)), "127.0.0.1", true, false},
		{"early leaf under an expired CA", certtest.Valid(now.Add(-10*365*day), now.Add(-day)), certtest.Valid(real.Add(-30*day), real.Add(60*day)), "127.0.0.1", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := certtest.Issue(t, tc.ca, tc.leaf)
			roots := p.Pool
			if tc.untrusted {
				roots = x509.NewCertPool()
			}
			err := verifyServer([]*x509.Certificate{p.Leaf}, roots, tc.dnsName, now)
			if (err == nil) != tc.ok {
				t.Errorf("verifyServer = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	if err := verifyServer(nil, nil, "x", now); err == nil {
		t.Error("no certificate accepted")
	}
}

// TestHandshakeWithClockBehind: a real handshake against a server whose
// certificate starts a year after the client's clock succeeds, and one
// whose certificate has expired fails.
func TestHandshakeWithClockBehind(t *testing.T) {
	now := time.Now()
	serve := func(p certtest.PKI) string {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ok")
		}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.Cert}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	long := certtest.Valid(now.Add(-365*day), now.Add(3*365*day))

	future := certtest.Issue(t, long, certtest.Valid(now.Add(300*day), now.Add(400*day)))
	resp, err := get(t, &Client{TLS: &tls.Config{RootCAs: future.Pool}}, serve(future))
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("certificate starting after our clock: %v", err)
	}

	expired := certtest.Issue(t, long, certtest.Valid(now.Add(-300*day), now.Add(-day)))
	_, err = get(t, &Client{TLS: &tls.Config{RootCAs: expired.Pool}}, serve(expired))
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("expired certificate: err = %v, want x509 Expired", err)
	}
}
