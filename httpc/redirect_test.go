package httpc

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRedirectNeverDowngrades: an https server redirecting to plain http
// is refused, and the http server never sees the request.
func TestRedirectNeverDowngrades(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		io.WriteString(w, "plain")
	}))
	defer plain.Close()
	secure := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/ip", http.StatusFound)
	}))
	secure.StartTLS()
	defer secure.Close()
	_, cfg := tlsServerConfig(secure)
	_, err := get(t, &Client{TLS: cfg}, secure.URL+"/ip")
	if err == nil || !strings.Contains(err.Error(), "https to plain http") {
		t.Errorf("https -> http redirect: err = %v", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain-http server got %d requests", n)
	}
}

// TestRedirectDropsCredentialsAcrossHosts: credentials go to the host they
// were meant for, never to the one a redirect names, while harmless headers
// follow; a redirect on the same host keeps them.
func TestRedirectDropsCredentialsAcrossHosts(t *testing.T) {
	creds := []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Auth-Token", "X-Auth-Key", "X-TC-Signature", "X-Api-Key"}
	seen := make(chan http.Header, 2)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
		io.WriteString(w, "other")
	}))
	defer other.Close()
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusTemporaryRedirect)
		case "/here":
			http.Redirect(w, r, "/final", http.StatusFound)
		default:
			seen <- r.Header.Clone()
			io.WriteString(w, "same")
		}
	}))
	defer first.Close()
	send := func(path string) http.Header {
		req, _ := NewRequest("GET", first.URL+path, nil)
		for _, h := range creds {
			req.Header.Set(h, "secret-"+h)
		}
		req.Header.Set("Accept", "application/json")
		if _, err := (&Client{}).Do(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		return <-seen
	}
	h := send("/away")
	for _, c := range creds {
		if v := h.Get(c); v != "" {
			t.Errorf("%s = %q reached the other host", c, v)
		}
	}
	if h.Get("Accept") != "application/json" {
		t.Errorf("Accept dropped: %v", h)
	}
	h = send("/here")
	for _, c := range creds {
		if v := h.Get(c); v != "secret-"+c {
			t.Errorf("same host: %s = %q, want it kept", c, v)
		}
	}
}
