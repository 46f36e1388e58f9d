// Package httpc is the small HTTP/1.1 client eddns speaks to DNS APIs,
// HTTPDNS and public-IP echo services with.
//
// It exists for size: net/http's client drags in its server, MIME,
// multipart and cookie code, about 0.85 MB of a mipsle router binary (a
// DESIGN.md target). The APIs we call need far less: one request per
// connection ("Connection: close"), a whole body read into memory under a
// size limit, Content-Length or chunked framing, TLS always verified, and
// redirects followed only for GET. No proxies, no cookies, no compression,
// no keep-alive; a DDNS update is one or two requests after an event.
package httpc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Status codes eddns looks at.
const (
	StatusOK                 = 200
	StatusBadRequest         = 400
	StatusUnauthorized       = 401
	StatusForbidden          = 403
	StatusNotFound           = 404
	StatusMethodNotAllowed   = 405
	StatusConflict           = 409
	StatusTooManyRequests    = 429
	StatusInternalServerErr  = 500
	StatusServiceUnavailable = 503
)

// DefaultMaxBody bounds a response body when Client.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// maxRedirects is how many redirects a GET follows before giving up.
const maxRedirects = 5

// ErrTooLarge is returned when a response body exceeds the client's limit.
var ErrTooLarge = errors.New("response body too large")

// ErrMalformed wraps every error about a response that is not HTTP/1.x.
var ErrMalformed = errors.New("malformed HTTP response")

// Doer sends one request. *Client is the real one; tests wrap it to tamper
// with requests or responses.
type Doer interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

// Request is an outgoing request. Body is sent with a Content-Length.
type Request struct {
	Method string
	URL    *url.URL
	Header Header
	Body   []byte
}

// NewRequest parses rawURL, which must be http or https with a host.
func NewRequest(method, rawURL string, body []byte) (*Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the URL, which for some APIs holds a signature.
		return nil, errors.New("httpc: unparsable URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("httpc: URL must be http(s) with a host")
	}
	return &Request{Method: method, URL: u, Header: Header{}, Body: body}, nil
}

// Response is a received response, its body read whole.
type Response struct {
	StatusCode int
	Header     Header
	Body       []byte
}

// Client sends requests. The zero value is usable: system CA roots, no
// overall timeout beyond the context's, DefaultMaxBody.
type Client struct {
	// Timeout bounds a whole exchange (dial, TLS, request, response); 0
	// leaves it to the context.
	Timeout time.Duration
	// MaxBody bounds a response body; 0 means DefaultMaxBody.
	MaxBody int64
	// TLS is cloned for each https connection with ServerName set; nil means
	// the system roots. httpc verifies the server itself (see verifyServer);
	// InsecureSkipVerify and the verification callbacks are overridden.
	TLS *tls.Config
	// Dial opens the TCP connection; nil means a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Do sends req and returns the response, following up to five redirects
// when the method is GET. Errors never quote the URL: some APIs carry the
// access key id and signature in the query.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	for hops := 0; ; hops++ {
		resp, err := c.roundTrip(ctx, req)
		if err != nil {
			return nil, err
		}
		loc := resp.Header.Get("Location")
		if req.Method != "GET" || loc == "" || !isRedirect(resp.StatusCode) {
			return resp, nil
		}
		if hops == maxRedirects {
			return nil, fmt.Errorf("httpc: stopped after %d redirects", maxRedirects)
		}
		next, err := req.URL.Parse(loc)
		if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "" {
			return nil, errors.New("httpc: redirect to an unusable location")
		}
		req = &Request{Method: "GET", URL: next, Header: req.Header}
	}
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

func (c *Client) roundTrip(ctx context.Context, req *Request) (*Response, error) {
	msg, err := encodeRequest(req)
	if err != nil {
		return nil, err
	}
	host := req.URL.Hostname()
	port := req.URL.Port()
	if port == "" {
		port = "80"
		if req.URL.Scheme == "https" {
			port = "443"
		}
	}
	dial := c.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, wrapNetErr(ctx, "dial", explainUnreachable(ctx, host, err, nil))
	}
	defer conn.Close()
	// One deadline for the exchange, and cancellation that interrupts a
	// blocked read or write at once.
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if req.URL.Scheme == "https" {
		cfg := &tls.Config{}
		if c.TLS != nil {
			cfg = c.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		// crypto/tls checks the chain only against the local clock;
		// verifyServer does the same checks and may retry at the
		// certificates' start. The local clock, not a corrected one: an
		// offset learned before NTP stepped the clock would make every
		// certificate look expired, and no response could correct it.
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = nil
		roots, name := cfg.RootCAs, cfg.ServerName
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return verifyServer(cs.PeerCertificates, roots, name, time.Now())
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, wrapNetErr(ctx, "tls handshake", err)
		}
		conn = tc
	}
	if _, err := conn.Write(msg); err != nil {
		return nil, wrapNetErr(ctx, "write request", err)
	}
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	resp, err := ReadResponse(bufio.NewReader(conn), req.Method, limit)
	if err != nil {
		return nil, wrapNetErr(ctx, "read response", err)
	}
	return resp, nil
}

// wrapNetErr names the step that failed and, when the context ended,
// reports that instead of the deadline the context set on the connection.
func wrapNetErr(ctx context.Context, op string, err error) error {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrMalformed) {
		return fmt.Errorf("httpc: %s: %w", op, err)
	}
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			return fmt.Errorf("httpc: %s: timeout: %w", op, cerr)
		}
		return fmt.Errorf("httpc: %s: %w", op, cerr)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("httpc: %s: timeout: %w", op, context.DeadlineExceeded)
	}
	return fmt.Errorf("httpc: %s: %w", op, err)
}

// encodeRequest writes the request head and body, refusing header values
// that would split it.
func encodeRequest(req *Request) ([]byte, error) {
	if !validToken(req.Method) {
		return nil, errors.New("httpc: invalid method")
	}
	target := req.URL.EscapedPath()
	if target == "" {
		target = "/"
	}
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	if strings.ContainsAny(target, " \r\n") {
		return nil, errors.New("httpc: invalid request target")
	}
	var b bytes.Buffer
	b.Grow(256 + len(req.Body))
	b.WriteString(req.Method + " " + target + " HTTP/1.1\r\nHost: " + req.URL.Host + "\r\n")
	for _, name := range slices.Sorted(maps.Keys(req.Header)) {
		values := req.Header[name]
		if !validToken(name) {
			return nil, fmt.Errorf("httpc: invalid header name %q", name)
		}
		switch strings.ToLower(name) {
		case "host", "content-length", "connection", "transfer-encoding":
			continue // ours to set
		}
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, fmt.Errorf("httpc: header %s holds a line break", name)
			}
			b.WriteString(canonicalKey(name) + ": " + v + "\r\n")
		}
	}
	if len(req.Body) > 0 || req.Method == "POST" || req.Method == "PUT" {
		b.WriteString("Content-Length: " + strconv.Itoa(len(req.Body)) + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.Write(req.Body)
	return b.Bytes(), nil
}

// validToken reports whether s is an RFC 9110 token.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// DoerFunc adapts a function to Doer, for wrapping a Client.
type DoerFunc func(ctx context.Context, req *Request) (*Response, error)

// Do calls f.
func (f DoerFunc) Do(ctx context.Context, req *Request) (*Response, error) { return f(ctx, req) }
