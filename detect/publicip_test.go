package detect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// echo serves a fixed body with a status code on loopback.
func echo(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/ip"
}

func TestFetchPublicIP(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		servers [][2]any // status, body
		want    string   // address, or "" for an error
		errHas  []string
	}{
		{"plain v4 with newline", "A", [][2]any{{200, "203.0.113.7\n"}}, "203.0.113.7", nil},
		{"json v4", "A", [][2]any{{200, `{"ip": " 198.51.100.9 ", "country": "XX"}`}}, "198.51.100.9", nil},
		{"plain v6", "AAAA", [][2]any{{200, "  2001:db8::42\r\n"}}, "2001:db8::42", nil},
		{"mapped v4 counts as v4", "A", [][2]any{{200, "::ffff:203.0.113.8"}}, "203.0.113.8", nil},
		{"first fails, second answers", "A", [][2]any{{500, "oops"}, {200, "203.0.113.7"}}, "203.0.113.7", nil},
		{"private is rejected, next wins", "A", [][2]any{{200, "192.168.1.2"}, {200, "203.0.113.7"}}, "203.0.113.7", nil},
		{"cgnat rejected", "A", [][2]any{{200, "100.64.1.1"}}, "", []string{"not a public address"}},
		{"wrong family for A", "A", [][2]any{{200, "2001:db8::1"}}, "", []string{"not an IPv4"}},
		{"wrong family for AAAA", "AAAA", [][2]any{{200, "203.0.113.7"}}, "", []string{"not an IPv6"}},
		{"ULA rejected", "AAAA", [][2]any{{200, "fd00::1"}}, "", []string{"not a public address"}},
		{"html", "A", [][2]any{{200, "<html>203.0.113.7</html>"}}, "", []string{"not an IP address"}},
		{"json without ip", "A", [][2]any{{200, `{"addr":"203.0.113.7"}`}}, "", []string{"not an IP address"}},
		{"too large", "A", [][2]any{{200, "203.0.113.7" + strings.Repeat(" ", 5000)}}, "", []string{"longer than"}},
		{"every failure listed", "A", [][2]any{{404, ""}, {200, "10.0.0.1"}}, "", []string{"HTTP 404", "10.0.0.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var urls []string
			for _, s := range tc.servers {
				urls = append(urls, echo(t, s[0].(int), s[1].(string)))
			}
			got, err := FetchPublicIP(context.Background(), nil, urls, tc.typ)
			if tc.want != "" {
				if err != nil || got != netip.MustParseAddr(tc.want) {
					t.Fatalf("got %v, %v; want %s", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %v, want an error", got)
			}
			for _, s := range append(tc.errHas, urls...) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestFetchPublicIPRedactsAndTimesOut(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)
	good := echo(t, 200, "203.0.113.7")
	// A slow service is abandoned after the per-URL timeout; the next one answers.
	got, err := fetchPublicIP(context.Background(), nil, []string{slow.URL + "/ip", good}, "A", 100*time.Millisecond)
	if err != nil || got != netip.MustParseAddr("203.0.113.7") {
		t.Fatalf("got %v, %v", got, err)
	}

	// Keys in the query or in userinfo never reach the error text.
	secretURL := strings.Replace(slow.URL, "http://", "http://user:hunter2@", 1) + "/ip?key=SECRET-123"
	_, err = fetchPublicIP(context.Background(), nil, []string{secretURL, "http://127.0.0.1:1/x?token=SECRET-456"}, "A", 100*time.Millisecond)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, s := range []string{"SECRET-123", "SECRET-456", "hunter2", "key=", "token="} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks %q: %v", s, err)
		}
	}
	if !strings.Contains(err.Error(), slow.URL+"/ip") {
		t.Errorf("error does not name the URL: %v", err)
	}
}

func TestFetchPublicIPBadInput(t *testing.T) {
	if _, err := FetchPublicIP(context.Background(), nil, []string{"http://127.0.0.1:1/"}, "MX"); err == nil {
		t.Error("type MX accepted")
	}
	if _, err := FetchPublicIP(context.Background(), nil, nil, "A"); err == nil {
		t.Error("no URLs accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := FetchPublicIP(ctx, nil, []string{echo(t, 200, "203.0.113.7")}, "A"); err == nil {
		t.Error("cancelled context ignored")
	}
}

// FuzzParsePublicIPBody: arbitrary answers from an echo service must never
// panic, and anything accepted must be a valid, zone-free address that
// round-trips through its text form.
func FuzzParsePublicIPBody(f *testing.F) {
	for _, s := range []string{"203.0.113.7\n", `{"ip":"2001:db8::1"}`, "fe80::1%eth0", "", "{", `{"ip":5}`, "::ffff:1.2.3.4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parsePublicIPBody(b)
		if err != nil {
			return
		}
		if !a.IsValid() || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("accepted %v from %q", a, b)
		}
		if back, err := netip.ParseAddr(a.String()); err != nil || back != a {
			t.Fatalf("%v does not round-trip", a)
		}
	})
}
