package providers

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/eddns/eddns/httpc"
)

// Client is httpc.APIClient: the shared request rules (deadline,
// User-Agent, bounded body, the endpoint's clock).
type Client = httpc.APIClient

// Response is what came back from a provider, body already read.
type Response = httpc.APIResponse

// NewClient builds a Client from opts.
func NewClient(opts Options) *Client {
	c := &Client{HTTP: opts.HTTPClient, Clock: opts.Clock, UserAgent: opts.UserAgent, Timeout: opts.Timeout, MaxBody: MaxResponseBytes}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Clock == nil {
		c.Clock = NewClock(nil)
	}
	if c.HTTP == nil {
		c.HTTP = &httpc.Client{MaxBody: MaxResponseBytes}
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	return c
}

// ErrTooLarge is returned when a response body exceeds MaxResponseBytes.
var ErrTooLarge = httpc.ErrTooLarge

// RetryAfter parses a Retry-After header (seconds or HTTP date) relative to
// now; it returns 0 when absent or unparsable.
func RetryAfter(h httpc.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := httpc.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// StatusKind is the fallback classification of an HTTP status when the body
// carries no provider code we recognise.
func StatusKind(status int) Kind {
	switch {
	case status == httpc.StatusTooManyRequests:
		return KindThrottled
	case status == httpc.StatusUnauthorized || status == httpc.StatusForbidden:
		return KindAuth
	case status == httpc.StatusNotFound:
		return KindNotFound
	case status == httpc.StatusConflict:
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
