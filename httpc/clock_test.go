package httpc

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestClockLearnsFromDate(t *testing.T) {
	local := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) // a router a year behind
	var logs bytes.Buffer
	c := NewClock(func() time.Time { return local })
	c.Endpoint, c.Log = "https://api.example", slog.New(slog.NewTextHandler(&logs, nil))
	h := Header{}
	h.Set("Date", local.Add(365*24*time.Hour).Format(TimeFormat))
	if !c.Observe(h) || c.Now().Sub(local) != 365*24*time.Hour {
		t.Fatalf("offset %v", c.Offset())
	}
	if !strings.Contains(logs.String(), "clock offset learned") || !strings.Contains(logs.String(), "8760h0m0s") {
		t.Errorf("a year's change was not logged:\n%s", logs.String())
	}
	// Small changes are noise and not logged.
	logs.Reset()
	h.Set("Date", local.Add(365*24*time.Hour+20*time.Second).Format(TimeFormat))
	c.Observe(h)
	if logs.Len() != 0 {
		t.Errorf("a 20 s change was logged:\n%s", logs.String())
	}
	h.Set("Date", local.Add(5*time.Second).Format(TimeFormat))
	c.Observe(h)
	if c.Offset() != 0 {
		t.Fatalf("5 s difference applied: %v", c.Offset())
	}
	// Beyond MaxOffset the server is broken, not a clock to follow.
	for _, far := range []time.Duration{MaxOffset + time.Hour, -MaxOffset - time.Hour, 30 * 365 * 24 * time.Hour} {
		h.Set("Date", local.Add(far).Format(TimeFormat))
		if c.Observe(h) || c.Offset() != 0 {
			t.Errorf("offset %v learned from a Date %v away", c.Offset(), far)
		}
	}
	h.Set("Date", local.Add(time.Hour).Format(TimeFormat))
	c.Observe(h)
	c.Reset()
	if c.Offset() != 0 {
		t.Fatal("Reset kept the offset")
	}
}

// TestAPIClientLearnsOnlyFromItsEndpoint: the offset comes from the
// endpoint's own responses (verified TLS, or the plain-http endpoint the
// client was configured with), never from a response another host gave,
// one that was not verified, or one for a different endpoint's clock.
func TestAPIClientLearnsOnlyFromItsEndpoint(t *testing.T) {
	ahead := time.Now().Add(200 * 24 * time.Hour).UTC().Format(http.TimeFormat)
	dated := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", ahead)
		w.Write([]byte("{}"))
	}
	plain := httptest.NewServer(http.HandlerFunc(dated))
	defer plain.Close()
	secure := httptest.NewUnstartedServer(http.HandlerFunc(dated))
	secure.StartTLS()
	defer secure.Close()
	_, cfg := tlsServerConfig(secure)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/x", http.StatusFound)
	}))
	defer redirector.Close()

	real := &Client{TLS: cfg}
	unverified := DoerFunc(func(ctx context.Context, req *Request) (*Response, error) {
		h := Header{}
		h.Set("Date", ahead)
		u := *req.URL
		return &Response{StatusCode: 200, Header: h, URL: &u}, nil // https, but no verified handshake
	})
	cases := []struct {
		name     string
		doer     Doer
		url      string
		endpoint string // the clock's; "" any
		learn    bool
	}{
		{"verified https", real, secure.URL + "/api", "", true},
		{"verified https, its endpoint", real, secure.URL + "/api", secure.URL, true},
		{"plain http endpoint", real, plain.URL + "/api", "", true},
		{"another endpoint's clock", real, plain.URL + "/api", secure.URL, false},
		{"redirected to another host", real, redirector.URL + "/ip", "", false},
		{"https not verified", unverified, "https://api.example/", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewClock(nil)
			if tc.endpoint != "" {
				clock = (&Clocks{}).For(tc.endpoint)
			}
			c := &APIClient{HTTP: tc.doer, Clock: clock, Timeout: 5 * time.Second}
			req, _ := NewRequest("GET", tc.url, nil)
			if _, err := c.Do(t.Context(), req); err != nil {
				t.Fatal(err)
			}
			if learned := clock.Offset() > 100*24*time.Hour; learned != tc.learn {
				t.Errorf("offset %v, want learned=%v", clock.Offset(), tc.learn)
			}
		})
	}
}

func TestClocksOnePerEndpoint(t *testing.T) {
	var cs Clocks
	a, a2 := cs.For("https://dnspod.tencentcloudapi.com"), cs.For("https://DNSPOD.tencentcloudapi.com/")
	b := cs.For("https://alidns.aliyuncs.com/")
	if a != a2 || a == b {
		t.Fatalf("clocks: a=%p a2=%p b=%p", a, a2, b)
	}
	h := Header{}
	h.Set("Date", time.Now().Add(-2*time.Hour).UTC().Format(TimeFormat))
	a.Observe(h)
	if b.Offset() != 0 || cs.Largest() > -time.Hour {
		t.Errorf("b %v, largest %v", b.Offset(), cs.Largest())
	}
	cs.Reset()
	if a.Offset() != 0 {
		t.Error("Reset kept an offset")
	}
}
