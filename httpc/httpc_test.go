package httpc

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted is a loopback TCP server that reads a request head and answers
// with fixed bytes, for responses net/http's server would never send.
func scripted(t *testing.T, reply string) (url string, got func() string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		req strings.Builder
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 8; i++ { // bounded: a test makes at most a few connections
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(c)
			for {
				line, err := br.ReadString('\n')
				mu.Lock()
				req.WriteString(line)
				mu.Unlock()
				if err != nil || line == "\r\n" {
					break
				}
			}
			io.WriteString(c, reply)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return "http://" + ln.Addr().String(), func() string { mu.Lock(); defer mu.Unlock(); return req.String() }
}

func get(t *testing.T, c *Client, url string) (*Response, error) {
	t.Helper()
	req, err := NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Do(ctx, req)
}

func TestPostAgainstNetHTTPServer(t *testing.T) {
	type seen struct {
		method, uri, host, ua, ctype, conn, body string
		length                                   int64
	}
	ch := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- seen{r.Method, r.RequestURI, r.Host, r.UserAgent(), r.Header.Get("Content-Type"), r.Header.Get("Connection"), string(b), r.ContentLength}
		w.Header().Set("X-Request-Id", "abc")
		w.Header().Add("Set-Thing", "1")
		w.Header().Add("Set-Thing", "2")
		w.WriteHeader(201)
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	req, err := NewRequest("POST", srv.URL+"/v1/x?a=1&b=%2F", []byte("k=v&x=y"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("user-agent", "eddns-test")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Connection", "keep-alive") // ours to set: must be ignored
	resp, err := (&Client{Timeout: 5 * time.Second}).Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	s := <-ch
	want := seen{"POST", "/v1/x?a=1&b=%2F", strings.TrimPrefix(srv.URL, "http://"), "eddns-test", "application/x-www-form-urlencoded", "close", "k=v&x=y", 7}
	if s != want {
		t.Errorf("server saw %+v\nwant %+v", s, want)
	}
	if resp.StatusCode != 201 || string(resp.Body) != `{"ok":true}` || resp.Header.Get("x-request-id") != "abc" ||
		strings.Join(resp.Header.Values("SET-THING"), ",") != "1,2" {
		t.Errorf("response %d %q %v", resp.StatusCode, resp.Body, resp.Header)
	}
}

func TestChunkedFromNetHTTPServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "part%d;", i)
			w.(http.Flusher).Flush() // forces chunked framing
		}
	}))
	defer srv.Close()
	resp, err := get(t, &Client{}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "part0;part1;part2;" {
		t.Errorf("body %q", resp.Body)
	}
}

func tlsServer(t *testing.T) (*httptest.Server, *tls.Config) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure "+r.Host)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return tlsServerConfig(srv)
}

// tlsServerConfig trusts srv's certificate only.
func tlsServerConfig(srv *httptest.Server) (*httptest.Server, *tls.Config) {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, &tls.Config{RootCAs: pool}
}

func TestTLSVerified(t *testing.T) {
	srv, cfg := tlsServer(t)
	resp, err := get(t, &Client{TLS: cfg}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(resp.Body), "secure 127.0.0.1:") {
		t.Errorf("body %q", resp.Body)
	}
	// The system roots do not trust the test certificate: refused.
	_, err = get(t, &Client{}, srv.URL)
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) {
		t.Errorf("untrusted certificate: err = %v, want x509.UnknownAuthorityError", err)
	}
	// A name the certificate does not cover: refused.
	cfg2 := cfg.Clone()
	cfg2.ServerName = "not-example.invalid"
	if _, err = get(t, &Client{TLS: cfg2}, srv.URL); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("wrong server name: err = %v", err)
	}
}

func TestRedirects(t *testing.T) {
	var hits int
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { hits++; http.Redirect(w, r, "/b?x=1", 302) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { hits++; io.WriteString(w, "b "+r.URL.RawQuery) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { hits++; http.Redirect(w, r, "/loop", 307) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := get(t, &Client{}, srv.URL+"/a")
	if err != nil || string(resp.Body) != "b x=1" || hits != 2 {
		t.Fatalf("GET /a: %v %q after %d hits", err, body(resp), hits)
	}
	hits = 0
	if _, err := get(t, &Client{}, srv.URL+"/loop"); err == nil || !strings.Contains(err.Error(), "redirects") || hits != maxRedirects+1 {
		t.Errorf("loop: err %v after %d hits", err, hits)
	}
	// POST is never redirected: a signed API call must not be replayed elsewhere.
	hits = 0
	req, _ := NewRequest("POST", srv.URL+"/a", []byte("x"))
	resp, err = (&Client{}).Do(context.Background(), req)
	if err != nil || resp.StatusCode != 302 || hits != 1 {
		t.Errorf("POST /a: %v status %v after %d hits", err, resp, hits)
	}
}

func body(r *Response) string {
	if r == nil {
		return "<nil>"
	}
	return string(r.Body)
}

func TestScriptedResponses(t *testing.T) {
	cases := []struct {
		name, reply, body string
		status            int
		err               error // nil: success
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA", "hello", 200, nil},
		{"http/1.0 until close", "HTTP/1.0 200 OK\r\n\r\nto the end", "to the end", 200, nil},
		{"no reason phrase", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", "", 404, nil},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "ok", 200, nil},
		{"100 continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz", "z", 200, nil},
		{"chunked with ext and trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n", "abc0123456789", 200, nil},
		{"agreeing content-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok", "ok", 200, nil},
		{"204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", "", 204, nil},
		{"garbage", "<html>hello</html>", "", 0, ErrMalformed},
		{"http/2 preface", "HTTP/2 200\r\n\r\n", "", 0, ErrMalformed},
		{"bad code", "HTTP/1.1 2x0 OK\r\n\r\n", "", 0, ErrMalformed},
		{"folded header", "HTTP/1.1 200 OK\r\nX-A: 1\r\n continued\r\n\r\n", "", 0, ErrMalformed},
		{"header without colon", "HTTP/1.1 200 OK\r\nnonsense\r\n\r\n", "", 0, ErrMalformed},
		{"space in header name", "HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", "", 0, ErrMalformed},
		{"conflicting content-length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", "", 0, ErrMalformed},
		{"negative content-length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "", 0, ErrMalformed},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "", 0, io.ErrUnexpectedEOF},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "", 0, ErrMalformed},
		{"chunk overrun", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "", 0, ErrMalformed},
		{"chunked cut short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "", 0, io.ErrUnexpectedEOF},
		{"gzip under chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "", 0, ErrMalformed},
		{"closed in header", "HTTP/1.1 200 OK\r\nX-A: 1\r\n", "", 0, ErrMalformed},
		{"empty reply", "", "", 0, io.ErrUnexpectedEOF},
		{"NUL in head", "HTTP/1.1 200 OK\r\nX-A: \x00\r\n\r\n", "", 0, ErrMalformed},
		{"switching protocols", "HTTP/1.1 101 Switching\r\n\r\n", "", 0, ErrMalformed},
		{"endless 1xx", strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 20), "", 0, ErrMalformed},
		{"huge header line", "HTTP/1.1 200 OK\r\nX-A: " + strings.Repeat("a", 9000) + "\r\n\r\n", "", 0, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := scripted(t, tc.reply)
			resp, err := get(t, &Client{}, url)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || string(resp.Body) != tc.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.body)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	big := strings.Repeat("x", 100)
	for name, reply := range map[string]string{
		"content-length": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + big,
		"chunked":        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + big[:64] + "\r\n24\r\n" + big[:36] + "\r\n0\r\n\r\n",
		"until close":    "HTTP/1.0 200 OK\r\n\r\n" + big,
	} {
		t.Run(name, func(t *testing.T) {
			url, _ := scripted(t, reply)
			if _, err := get(t, &Client{MaxBody: 99}, url); !errors.Is(err, ErrTooLarge) {
				t.Errorf("limit 99: err = %v, want ErrTooLarge", err)
			}
			url, _ = scripted(t, reply)
			if resp, err := get(t, &Client{MaxBody: 100}, url); err != nil || len(resp.Body) != 100 {
				t.Errorf("limit 100: %v", err)
			}
		})
	}
}

func TestRequestHead(t *testing.T) {
	url, got := scripted(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	req, _ := NewRequest("GET", url+"/d?host=nas.example.com&sign=abc", nil)
	req.Header.Set("x-tc-action", "DescribeRecordList")
	req.Header.Set("Host", "evil.example") // ours to set: ignored
	if _, err := (&Client{}).Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	head := got()
	want := "GET /d?host=nas.example.com&sign=abc HTTP/1.1\r\nHost: " + strings.TrimPrefix(url, "http://") +
		"\r\nX-Tc-Action: DescribeRecordList\r\nConnection: close\r\n\r\n"
	if head != want {
		t.Errorf("request head\n%q\nwant\n%q", head, want)
	}
}

func TestRefusesHeaderInjection(t *testing.T) {
	url, got := scripted(t, "HTTP/1.1 200 OK\r\n\r\n")
	for _, mod := range []func(*Request){
		func(r *Request) { r.Header.Set("X-A", "1\r\nX-Injected: 2") },
		func(r *Request) { r.Header["bad name"] = []string{"1"} },
		func(r *Request) { r.Method = "GET /x" },
	} {
		req, _ := NewRequest("GET", url, nil)
		mod(req)
		if _, err := (&Client{}).Do(context.Background(), req); err == nil {
			t.Errorf("request %+v sent", req)
		}
	}
	if got() != "" {
		t.Errorf("server received %q", got())
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() { // accepts and never answers
		for i := 0; i < 4; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	url := "http://" + ln.Addr().String() + "/?signature=SECRETSIG"

	req, _ := NewRequest("GET", url, nil)
	_, err = (&Client{Timeout: 100 * time.Millisecond}).Do(context.Background(), req)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("Timeout: err = %v, want a timeout wrapping context.DeadlineExceeded", err)
	}
	if strings.Contains(err.Error(), "SECRETSIG") {
		t.Errorf("error quotes the URL: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = (&Client{}).Do(ctx, req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: err = %v, want context.Canceled", err)
	}
}

func TestDialErrorHidesURL(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	req, _ := NewRequest("GET", "http://"+addr+"/?AccessKeyId=LTAIkey&Signature=sig", nil)
	_, err := (&Client{Timeout: time.Second}).Do(context.Background(), req)
	if err == nil || strings.Contains(err.Error(), "LTAIkey") || strings.Contains(err.Error(), "sig") || !strings.Contains(err.Error(), "dial") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewRequest("GET", "http://[::1/?Signature=sig", nil); err == nil || strings.Contains(err.Error(), "sig") {
		t.Errorf("NewRequest err = %v", err)
	}
	if _, err := NewRequest("GET", "ftp://example.com/", nil); err == nil {
		t.Error("ftp URL accepted")
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	for _, s := range []string{"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Error("ParseTime accepted garbage")
	}
}

func TestHeader(t *testing.T) {
	h := Header{}
	h.Set("Content-Type", "a")
	h.Add("content-type", "b")
	if h.Get("CONTENT-TYPE") != "a" || len(h.Values("Content-Type")) != 2 {
		t.Errorf("%v", h)
	}
	h.Del("Content-type")
	if h.Get("content-type") != "" {
		t.Errorf("Del left %v", h)
	}
	if got := canonicalKey("x-tc-timestamp"); got != "X-Tc-Timestamp" {
		t.Errorf("canonicalKey = %q", got)
	}
}
