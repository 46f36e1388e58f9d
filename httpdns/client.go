// Package httpdns is a client for the signed HTTPDNS API of yunaq
// (知道创宇 云安全, entry dns.kangdbao.net/sign_d). eddns uses it to check
// that a record it published is what resolvers are actually handed out.
//
// A query is a GET with host, account_id, t (the signature's expiry),
// sign = md5("host-secret-t") and the optional out, ip, qtype, ttl and
// encrypt parameters. Answers come as JSON or text, optionally encrypted with
// AES-256-ECB under the padded secret and sent as hex. Error answers carry a
// documented code, returned as *Error with a hint a user can act on.
package httpdns

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// DefaultLifetime is how far ahead of now the signature expiry t is put.
//
// The API accepts t up to now+600. Asking for the full 600 s would make any
// router clock that runs even a second fast fail with InvalidParam; half of
// it tolerates a skew of ±300 s in both directions before the Date-header
// correction is needed.
const DefaultLifetime = 300 * time.Second

// MaxLifetime is the largest expiry the API accepts, relative to its clock.
const MaxLifetime = 600 * time.Second

// Client queries one HTTPDNS account. Set the exported fields before the
// first call and do not copy a Client after that.
type Client struct {
	// URL is the full API URL, e.g. http://dns.kangdbao.net/sign_d.
	URL string
	// AccountID is the account's 32-hex-digit id.
	AccountID string
	// Secret signs requests and decrypts encrypted answers. It prints as
	// [redacted] and never appears in errors.
	Secret config.Secret
	// Encrypt asks for AES-256-ECB encrypted answers (encrypt=1).
	Encrypt bool
	// HTTP sends the requests; nil means a client bounded by Timeout.
	HTTP httpc.Doer
	// Clock supplies the time for t and learns this service's clock from
	// its own Date header (see httpc.APIClient.Do). It must be the clock of
	// this URL only, never a DNS provider's: an HTTPDNS answer, often over
	// plain http, must not skew what updates are signed with. Nil means a
	// clock private to this Client, reading Now.
	Clock *httpc.Clock
	// Now is the local time source when Clock is nil; nil means time.Now.
	Now func() time.Time
	// Timeout bounds each request; 0 means providers.DefaultTimeout.
	Timeout time.Duration
	// UserAgent overrides providers.DefaultUserAgent.
	UserAgent string
	// Lifetime puts t this far after now; 0 means DefaultLifetime. Values
	// above MaxLifetime are lowered to it.
	Lifetime time.Duration

	once sync.Once
	hc   *httpc.APIClient
}

// Query is one lookup.
type Query struct {
	// Host is the name to resolve. A trailing dot is dropped and the name
	// is lower-cased, because the signature covers the exact text sent.
	Host string
	// Type is "A" (the default when empty) or "AAAA".
	Type string
	// ClientIP, when valid, is sent as the EDNS client address (ip=) so the
	// answer is the one a resolver near that address would get. Only IPv4
	// is accepted by the API; an IPv6 address is refused before sending.
	ClientIP netip.Addr
	// TTL asks for the record's TTL in the answer (ttl=1).
	TTL bool
	// Text asks for the text output format (out=text) instead of JSON.
	Text bool
}

// Answer is a successful lookup. No result is an Answer with no Addrs.
type Answer struct {
	Host   string        // the host the server answered for (the query's when the format omits it)
	Type   string        // the queried type
	Addrs  []netip.Addr  // addresses in the server's order
	TTL    time.Duration // the TTL, if HasTTL
	HasTTL bool          // whether the answer carried a TTL
}

// Contains reports whether a is among the answer's addresses.
func (a Answer) Contains(addr netip.Addr) bool {
	for _, x := range a.Addrs {
		if x == addr {
			return true
		}
	}
	return false
}

// String formats the answer the way `eddns resolve` prints it: one line per
// address, "HOST<TAB>TYPE<TAB>ADDR" plus "<TAB>ttl=Ns" when known, or
// "HOST<TAB>TYPE<TAB>no result".
func (a Answer) String() string {
	var b strings.Builder
	if len(a.Addrs) == 0 {
		fmt.Fprintf(&b, "%s\t%s\tno result\n", a.Host, a.Type)
		return b.String()
	}
	for _, x := range a.Addrs {
		fmt.Fprintf(&b, "%s\t%s\t%s", a.Host, a.Type, x)
		if a.HasTTL {
			fmt.Fprintf(&b, "\tttl=%ds", int64(a.TTL/time.Second))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func (c *Client) init() {
	c.once.Do(func() {
		c.hc = providers.NewClient(providers.Options{
			Timeout:    c.Timeout,
			HTTPClient: c.HTTP,
			Clock:      cmp.Or(c.Clock, httpc.NewClock(c.Now)),
			UserAgent:  c.UserAgent,
		})
	})
}

// clock is the clock requests are signed with.
func (c *Client) clock() *httpc.Clock {
	c.init()
	return c.hc.Clock
}

// Resolve sends one query and returns the answer.
//
// If the server refuses the expiry (SignatureExpired, or InvalidParam which
// also covers t too far ahead) and its Date header shows that the local
// clock is off, the clock offset is learned and the query is re-signed and
// sent once more. No other retry is made: that is the caller's policy.
func (c *Client) Resolve(ctx context.Context, q Query) (Answer, error) {
	q, err := normalise(q)
	if err != nil {
		return Answer{}, err
	}
	base, err := c.check()
	if err != nil {
		return Answer{}, err
	}
	clock := c.clock()
	for attempt := 0; ; attempt++ {
		before := clock.Offset()
		ans, err := c.resolve(ctx, base, q)
		var e *Error
		if attempt == 0 && errors.As(err, &e) &&
			(e.Code == CodeSignatureExpired || e.Code == CodeInvalidParam) &&
			clock.Offset() != before {
			continue
		}
		return ans, err
	}
}

// normalise validates q and brings it to the form that is signed and sent.
func normalise(q Query) (Query, error) {
	q.Host = strings.ToLower(strings.TrimSuffix(q.Host, "."))
	if err := checkHost(q.Host); err != nil {
		return q, err
	}
	switch strings.ToUpper(q.Type) {
	case "", "A":
		q.Type = "A"
	case "AAAA":
		q.Type = "AAAA"
	default:
		return q, fmt.Errorf("httpdns: %w: type %q: the API resolves only A and AAAA", ErrInvalidQuery, clip(q.Type))
	}
	if q.ClientIP.IsValid() {
		ip := q.ClientIP.Unmap()
		if !ip.Is4() {
			return q, fmt.Errorf("httpdns: %w: client ip %s is IPv6; the API accepts only an IPv4 client address", ErrInvalidQuery, q.ClientIP)
		}
		q.ClientIP = ip
	}
	return q, nil
}

// checkHost refuses names the API cannot answer, so a typo is reported here
// rather than as the server's terse InvalidParam.
func checkHost(h string) error {
	if h == "" {
		return fmt.Errorf("httpdns: %w: empty host", ErrInvalidQuery)
	}
	if len(h) > 253 {
		return fmt.Errorf("httpdns: %w: host is longer than 253 characters", ErrInvalidQuery)
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("httpdns: %w: host %q has an empty or over-long label", ErrInvalidQuery, clip(h))
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
				return fmt.Errorf("httpdns: %w: host %q has character %q", ErrInvalidQuery, clip(h), ch)
			}
		}
	}
	return nil
}

// check validates the client's settings and returns the parsed URL.
func (c *Client) check() (*url.URL, error) {
	u, err := url.Parse(c.URL)
	// The URL is not quoted: a user may have put credentials in it.
	if c.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("httpdns: %w: url must be an http:// or https:// URL such as http://dns.kangdbao.net/sign_d", ErrConfig)
	}
	if c.AccountID == "" {
		return nil, fmt.Errorf("httpdns: %w: account_id is empty", ErrConfig)
	}
	if c.Secret.IsZero() {
		return nil, fmt.Errorf("httpdns: %w: secret is empty", ErrConfig)
	}
	if c.Encrypt {
		if _, err := aesKey(c.Secret.Reveal()); err != nil {
			return nil, fmt.Errorf("httpdns: %w: %v", ErrConfig, err)
		}
	}
	return u, nil
}

// expiry returns t for a request signed now.
func (c *Client) expiry() int64 {
	life := c.Lifetime
	if life <= 0 {
		life = DefaultLifetime
	}
	life = min(life, MaxLifetime)
	return c.clock().Now().Add(life).Unix()
}

// resolve sends q once.
func (c *Client) resolve(ctx context.Context, base *url.URL, q Query) (Answer, error) {
	secret := c.Secret.Reveal()
	t := c.expiry()
	v := base.Query()
	v.Set("host", q.Host)
	v.Set("account_id", c.AccountID)
	v.Set("t", strconv.FormatInt(t, 10))
	v.Set("sign", Sign(q.Host, secret, t))
	v.Set("qtype", q.Type)
	v.Set("out", "json")
	if q.Text {
		v.Set("out", "text")
	}
	v.Set("ttl", boolParam(q.TTL))
	v.Set("encrypt", boolParam(c.Encrypt))
	if q.ClientIP.IsValid() {
		v.Set("ip", q.ClientIP.String())
	}
	u := *base
	u.RawQuery = v.Encode()
	req, err := httpc.NewRequest("GET", u.String(), nil)
	if err != nil {
		return Answer{}, fmt.Errorf("httpdns: resolve %s/%s: build request: %w", q.Host, q.Type, ErrConfig)
	}
	c.init()
	resp, err := c.hc.Do(ctx, req) // transport errors come without the URL
	if err != nil {
		return Answer{}, fmt.Errorf("httpdns: resolve %s/%s: %w", q.Host, q.Type, err)
	}
	if code := errorCode(resp.Body); code != "" || resp.Status != httpc.StatusOK {
		return Answer{}, &Error{Host: q.Host, Type: q.Type, Code: code, HTTPStatus: resp.Status}
	}
	body := resp.Body
	if c.Encrypt {
		if body, err = decrypt(body, secret); err != nil {
			return Answer{}, fmt.Errorf("httpdns: resolve %s/%s: %w: %v", q.Host, q.Type, ErrMalformed, err)
		}
	}
	r, err := parseBody(body, q.Text)
	if err != nil {
		return Answer{}, fmt.Errorf("httpdns: resolve %s/%s: %w", q.Host, q.Type, err)
	}
	if r.Code != "" {
		return Answer{}, &Error{Host: q.Host, Type: q.Type, Code: r.Code, HTTPStatus: resp.Status}
	}
	if r.Host != "" && !strings.EqualFold(strings.TrimSuffix(r.Host, "."), q.Host) {
		return Answer{}, fmt.Errorf("httpdns: resolve %s/%s: %w: answer is for another host %q", q.Host, q.Type, ErrMalformed, clip(r.Host))
	}
	return Answer{Host: q.Host, Type: q.Type, Addrs: r.Addrs, TTL: r.TTL, HasTTL: r.HasTTL}, nil
}

func boolParam(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
