package httpc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// pki is a test CA and a leaf for 127.0.0.1 it issued.
type pki struct {
	ca, leaf *x509.Certificate
	leafKey  *ecdsa.PrivateKey
	pool     *x509.CertPool
}

type window struct{ from, to time.Time }

func issue(t *testing.T, caWin, leafWin window) pki {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "httpc test CA"},
		NotBefore: caWin.from, NotAfter: caWin.to,
		KeyUsage: x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: leafWin.from, NotAfter: leafWin.to,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pki{ca: ca, leaf: leaf, leafKey: leafKey, pool: pool}
}

const day = 24 * time.Hour

func TestVerifyServerClockBehind(t *testing.T) {
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) // the router's clock
	real := now.Add(365 * day)                         // the world's
	long := window{real.Add(-5 * 365 * day), real.Add(5 * 365 * day)}
	cases := []struct {
		name    string
		ca      window
		leaf    window
		dnsName string
		roots   func(p pki) *x509.CertPool
		ok      bool
	}{
		{"valid now", long, window{now.Add(-day), now.Add(day)}, "127.0.0.1", nil, true},
		{"leaf issued after our clock: checked as of its start", long, window{real.Add(-30 * day), real.Add(60 * day)}, "127.0.0.1", nil, true},
		{"CA too starts after our clock", window{real.Add(-60 * day), real.Add(365 * day)}, window{real.Add(-30 * day), real.Add(60 * day)}, "127.0.0.1", nil, true},
		{"expired is never accepted", long, window{now.Add(-60 * day), now.Add(-day)}, "127.0.0.1", nil, false},
		{"early and wrong name", long, window{real.Add(-30 * day), real.Add(60 * day)}, "192.0.2.1", nil, false},
		{"early and untrusted", long, window{real.Add(-30 * day), real.Add(60 * day)}, "127.0.0.1",
			func(pki) *x509.CertPool { return x509.NewCertPool() }, false},
		{"early leaf under an expired CA", window{now.Add(-10 * 365 * day), now.Add(-day)}, window{real.Add(-30 * day), real.Add(60 * day)}, "127.0.0.1", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := issue(t, tc.ca, tc.leaf)
			roots := p.pool
			if tc.roots != nil {
				roots = tc.roots(p)
			}
			err := verifyServer([]*x509.Certificate{p.leaf}, roots, tc.dnsName, now)
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
	serve := func(p pki) string {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ok")
		}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{p.leaf.Raw}, PrivateKey: p.leafKey}}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	long := window{now.Add(-365 * day), now.Add(3 * 365 * day)}

	future := issue(t, long, window{now.Add(300 * day), now.Add(400 * day)})
	resp, err := get(t, &Client{TLS: &tls.Config{RootCAs: future.pool}}, serve(future))
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("certificate starting after our clock: %v", err)
	}

	expired := issue(t, long, window{now.Add(-300 * day), now.Add(-day)})
	_, err = get(t, &Client{TLS: &tls.Config{RootCAs: expired.pool}}, serve(expired))
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("expired certificate: err = %v, want x509 Expired", err)
	}
}
