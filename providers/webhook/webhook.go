// Package webhook publishes an address by sending a user-defined HTTP
// request: for DNS services eddns does not speak and for notifications.
//
// The URL and the body are templates: {name} {zone} {fqdn} {type} {value}
// and {ttl} are replaced by the record's values (URL-escaped in the URL,
// as they are in the body). Any other text, braces included, is sent as
// written, so a JSON body needs no escaping. Each `list header 'Name:
// value'` is added to the request; header values are treated as secrets
// (they usually carry a token) and, like the URL and the body, never
// appear in errors or logs. `option token` is a secret that the URL, the
// body and the header values use as {token}, so that it can sit in a
// masked field in LuCI (a list of headers cannot be masked there), like
// the [PASSWORD] of ddns-scripts' update_url.
//
// A webhook cannot be read back, so List cannot ask the far end what it
// holds. The provider answers List with the value it last delivered
// successfully in this process, and it is providers.Blind: the reconciler
// then trusts its state cache (state_dir, which survives restarts and
// reloads) even on a full check. The request is therefore sent once per
// change of address: a periodic resync, a reload or a restart does not
// repeat an unchanged value, but after the state cache is lost (a reboot,
// with state_dir on tmpfs) the current value is sent once more. A request
// that timed out may still have arrived and is sent again, so the
// receiving end should treat a repeated value as a no-op.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// Name is the provider type in configuration and errors.
const Name = "webhook"

// Methods are the HTTP methods a webhook may use.
var Methods = []string{"POST", "PUT", "PATCH", "GET"}

// Spec declares the webhook provider type.
var Spec = &providers.Spec{
	Type:  Name,
	Title: "Webhook (custom HTTP request)",
	Options: []providers.Option{
		{Name: "url", Kind: providers.OptURL, Required: true, Label: "URL",
			Help: "Address of the request; may hold the placeholders {name} {zone} {fqdn} {type} {value} {ttl}."},
		{Name: "method", Kind: providers.OptEnum, Values: Methods, Default: "POST", Label: "Method", Help: "HTTP method of the request."},
		{Name: "header", Kind: providers.OptList, Item: providers.OptString, Format: "http_header", Secret: true, Label: "Headers",
			Help: "Request headers, one 'Name: value' each; their values are treated as secrets."},
		{Name: "body", Kind: providers.OptString, Label: "Body",
			Help: "Request body with the same placeholders; sent as JSON when it starts with { or [, else as plain text."},
		{Name: "token", Kind: providers.OptSecret, Label: "Token",
			Help: "A secret the URL, the headers and the body can use as {token}, e.g. 'Authorization: Bearer {token}'."},
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(Config{URL: s.Get("url"), Method: s.Get("method"), Headers: s.List("header"), Body: s.Get("body"), Token: s.Get("token")}, opts)
	},
}

// Config is what a webhook sends.
type Config struct {
	URL     string   // template
	Method  string   // "" means POST
	Headers []string // "Name: value"
	Body    string   // template
	Token   string   // {token} in URL, headers and body
}

// Provider sends the webhook. It is safe for concurrent use.
type Provider struct {
	cfg     Config
	headers [][2]string
	client  *providers.Client

	mu   sync.Mutex
	sent map[string]providers.Record // fqdn/type -> last delivered
}

var _ providers.Provider = (*Provider)(nil)

// New checks cfg and returns a provider.
func New(cfg Config, opts providers.Options) (*Provider, error) {
	if cfg.Method == "" {
		cfg.Method = "POST"
	}
	ok := false
	for _, m := range Methods {
		ok = ok || m == cfg.Method
	}
	if !ok {
		return nil, fmt.Errorf("webhook: method must be one of %s", strings.Join(Methods, ", "))
	}
	// The URL is checked with neutral values in place of the placeholders;
	// it is never quoted back, since it may carry a token.
	probe := expand(cfg.URL, providers.Record{Name: "n", Type: "A", Value: "192.0.2.1"}, "example.com", "t", url.QueryEscape)
	if u, err := url.Parse(probe); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, errors.New("webhook: url must be an http(s) URL without user info")
	}
	p := &Provider{cfg: cfg, client: providers.NewClient(opts), sent: map[string]providers.Record{}}
	for i, h := range cfg.Headers {
		name, val, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(val, "\r\n") {
			return nil, fmt.Errorf("webhook: header %d is not 'Name: value'", i+1)
		}
		val = strings.ReplaceAll(strings.TrimSpace(val), "{token}", cfg.Token)
		if strings.ContainsAny(val, "\r\n") {
			return nil, fmt.Errorf("webhook: header %d: the token holds a line break", i+1)
		}
		p.headers = append(p.headers, [2]string{name, val})
	}
	return p, nil
}

// Blind: List only echoes what this process delivered, so the reconciler
// trusts its state cache on a full check instead of sending again.
func (p *Provider) Blind() bool { return true }

func key(zone, name, typ string) string { return providers.FQDN(zone, name) + "/" + typ }

// List returns the record this process last delivered for the name, if
// any (see the package comment: a webhook cannot be read back).
func (p *Provider) List(_ context.Context, zone, name, typ string) ([]providers.Record, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.sent[key(zone, name, typ)]; ok {
		return []providers.Record{r}, nil
	}
	return []providers.Record{}, nil
}

// Create sends the webhook.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	return p.send(ctx, "create", zone, rec)
}

// Update sends the webhook.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	return p.send(ctx, "update", zone, rec)
}

func (p *Provider) send(ctx context.Context, op, zone string, rec providers.Record) (providers.Record, error) {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	fail := func(kind providers.Kind, err error) error {
		return &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, Err: err}
	}
	target := expand(p.cfg.URL, rec, zone, p.cfg.Token, url.QueryEscape)
	var body []byte
	if p.cfg.Method != "GET" && p.cfg.Body != "" {
		body = []byte(expand(p.cfg.Body, rec, zone, p.cfg.Token, nil))
	}
	req, err := httpc.NewRequest(p.cfg.Method, target, body)
	if err != nil {
		// Not wrapped: the error would quote the URL.
		return providers.Record{}, fail(providers.KindPermanent, errors.New("the expanded url is not a valid URL"))
	}
	if body != nil {
		ct := "text/plain; charset=utf-8"
		if t := strings.TrimSpace(p.cfg.Body); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	for _, h := range p.headers {
		req.Header.Add(h[0], h[1])
	}
	resp, err := p.client.Do(ctx, req)
	if err != nil {
		return providers.Record{}, fail(providers.KindTransient, err)
	}
	if resp.Status < 200 || resp.Status > 299 {
		kind := providers.StatusKind(resp.Status)
		if kind == providers.KindUnknown || kind == providers.KindNotFound || kind == providers.KindConflict {
			// A 3xx (redirects are not followed), or a 404/409 from a
			// service that has no notion of our record ids.
			kind = providers.KindPermanent
		}
		// The response body is not quoted: a receiver may echo the
		// request, headers included.
		return providers.Record{}, &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind,
			Code: strconv.Itoa(resp.Status), HTTPStatus: resp.Status,
			RetryAfter: providers.RetryAfter(resp.Header, p.client.Clock.Now())}
	}
	rec.ID = Name + ":" + key(zone, rec.Name, rec.Type)
	p.mu.Lock()
	p.sent[key(zone, rec.Name, rec.Type)] = rec
	p.mu.Unlock()
	return rec, nil
}

// expand replaces the placeholders in tmpl; esc (if not nil) escapes each
// value.
func expand(tmpl string, rec providers.Record, zone, token string, esc func(string) string) string {
	name := rec.Name
	if name == "" {
		name = "@"
	}
	vals := map[string]string{
		"{name}": name, "{zone}": zone, "{fqdn}": providers.FQDN(zone, rec.Name),
		"{type}": rec.Type, "{value}": rec.Value, "{ttl}": strconv.Itoa(rec.TTL), "{token}": token,
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		if tmpl[i] == '{' {
			if end := strings.IndexByte(tmpl[i:], '}'); end > 0 {
				if v, ok := vals[tmpl[i:i+end+1]]; ok {
					if esc != nil {
						v = esc(v)
					}
					b.WriteString(v)
					i += end + 1
					continue
				}
			}
		}
		b.WriteByte(tmpl[i])
		i++
	}
	return b.String()
}
