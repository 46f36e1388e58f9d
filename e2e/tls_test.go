package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			_, otherCA := selfSigned(t)
			otherFile := filepath.Join(e.Dir, "other.pem")
			if err := os.WriteFile(otherFile, otherCA, 0o644); err != nil {
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
