package httpc

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/certtest"
)

// BenchmarkTLSRequest measures one https request on a fresh connection
// (TCP, a full TLS 1.3 handshake with an ECDSA P-256 chain, the request
// and its response): what every provider call costs. The server side runs
// in the same process, so the figure includes its share of the handshake.
// Build with the release flags (target.GoFlags) to see what inlining in
// the crypto packages is worth; see README "Benchmarks".
func BenchmarkTLSRequest(b *testing.B) {
	now := time.Now()
	pki := certtest.Issue(b, certtest.Valid(now.Add(-time.Hour), now.Add(time.Hour)), certtest.Valid(now.Add(-time.Hour), now.Add(time.Hour)))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Cert}}
	srv.StartTLS()
	b.Cleanup(srv.Close)
	c := &Client{TLS: &tls.Config{RootCAs: pki.Pool}, Timeout: 10 * time.Second}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, err := NewRequest("GET", srv.URL, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := c.Do(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if string(resp.Body) != "ok" {
			b.Fatalf("body %q", resp.Body)
		}
	}
}
