package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Client sends provider requests with the shared rules: a deadline on every
// request, a User-Agent, a bounded response body and clock learning.
type Client struct {
	HTTP      *http.Client
	Clock     *Clock
	UserAgent string
	Timeout   time.Duration
}

// NewClient builds a Client from opts.
func NewClient(opts Options) *Client {
	c := &Client{HTTP: opts.HTTPClient, Clock: opts.Clock, UserAgent: opts.UserAgent, Timeout: opts.Timeout}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: c.Timeout}
	}
	if c.Clock == nil {
		c.Clock = NewClock(nil)
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	return c
}

// Response is what came back from a provider, body already read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ErrTooLarge is returned when a response body exceeds MaxResponseBytes.
var ErrTooLarge = errors.New("response body too large")

// Do sends req and reads at most MaxResponseBytes of the body. Transport
// errors are returned without the request URL (which for some APIs carries
// the access key id and signature) and classified as transient.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	req = req.WithContext(ctx)
	req.Header.Set("User-Agent", c.UserAgent)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, stripURL(err)
	}
	defer resp.Body.Close()
	c.Clock.Observe(resp)
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", stripURL(err))
	}
	if len(body) > MaxResponseBytes {
		return nil, ErrTooLarge
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// stripURL removes the *url.Error wrapper, whose message quotes the URL.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("%s: timeout: %w", ue.Op, context.DeadlineExceeded)
		}
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// RetryAfter parses a Retry-After header (seconds or HTTP date) relative to
// now; it returns 0 when absent or unparsable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// StatusKind is the fallback classification of an HTTP status when the body
// carries no provider code we recognise.
func StatusKind(status int) Kind {
	switch {
	case status == http.StatusTooManyRequests:
		return KindThrottled
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return KindAuth
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusConflict:
		return KindConflict
	case status >= 500:
		return KindTransient
	case status >= 400:
		return KindPermanent
	}
	return KindUnknown
}

// ParseEndpoint checks an API endpoint: http or https, a host, no user
// info, query or fragment (they would be silently dropped or leak into
// logs). An empty raw means def, the provider's official endpoint.
func ParseEndpoint(provider, raw, def string) (*url.URL, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s: endpoint must be an http(s) URL without user info, query or fragment", provider)
	}
	return u, nil
}

// FQDN joins a name relative to zone with the zone; "@" or "" is the apex.
func FQDN(zone, name string) string {
	if name == "@" || name == "" {
		return zone
	}
	return name + "." + zone
}

// RecordLabel names a record in errors: "nas.example.com/AAAA".
func RecordLabel(zone, name, typ string) string { return FQDN(zone, name) + "/" + typ }
