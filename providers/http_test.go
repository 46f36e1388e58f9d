package providers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/httpc"
)

func TestParseEndpoint(t *testing.T) {
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"", "https://api.example/", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{"https://dns.example/v2/index.php", "https://dns.example/v2/index.php", true},
		{"ftp://dns.example/", "", false},
		{"https://user:pw@dns.example/", "", false},
		{"https://dns.example/?x=1", "", false},
		{"https://dns.example/#frag", "", false},
		{"dns.example", "", false},
		{"https://", "", false},
	}
	for _, c := range cases {
		u, err := ParseEndpoint("p", c.raw, "https://api.example/")
		if (err == nil) != c.ok || (c.ok && u.String() != c.want) {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %q ok=%v", c.raw, u, err, c.want, c.ok)
		}
		if err != nil && c.raw != "" && strings.Contains(err.Error(), "pw") {
			t.Errorf("error quotes user info: %v", err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := httpc.Header{}
	if RetryAfter(h, now) != 0 {
		t.Fatal("absent header")
	}
	h.Set("Retry-After", "7")
	if got := RetryAfter(h, now); got != 7*time.Second {
		t.Fatalf("seconds: %v", got)
	}
	h.Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
	if got := RetryAfter(h, now); got != 90*time.Second {
		t.Fatalf("date: %v", got)
	}
	h.Set("Retry-After", "soon")
	if RetryAfter(h, now) != 0 {
		t.Fatal("garbage accepted")
	}
}
