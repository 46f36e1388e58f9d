// Package cloudflare speaks the Cloudflare API v4 with a scoped API token
// (Authorization: Bearer). Docs: https://developers.cloudflare.com/api/
// (resources/dns/subresources/records), cloudflare-go v6 dns/record.go.
//
// The zone id is looked up by zone name once (GET /zones?name=) and cached
// for the provider's lifetime. Records are listed with an exact name filter
// and paged. Updates PATCH only content and ttl, so a record's proxied flag
// (the orange cloud) and comment stay as the user set them; new records are
// created unproxied. TTL 0 ("provider default") is sent as 1, Cloudflare's
// "automatic".
package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// Name is the provider type in configuration and errors.
const Name = "cloudflare"

// DefaultEndpoint is the official API base.
const DefaultEndpoint = "https://api.cloudflare.com/client/v4"

const (
	// pageSize asks for 100 records a page (the API's default per_page
	// for DNS records is 100); maxPages bounds List.
	pageSize = 100
	maxPages = 50
	// autoTTL is Cloudflare's "automatic" TTL.
	autoTTL = 1
)

// Error codes of the v4 envelope ({"errors":[{"code":...}]}). Only 971
// (rate limit) is documented; the others are observed answers listed in
// the provider reference (cloudflare-go issues and community threads).
const (
	codeThrottled      = 971   // "Please wait and consider throttling your request speed" (HTTP 429)
	codeInvalidToken   = 9109  // "Invalid access token" / unauthorized to access resource (HTTP 403)
	codeAuthError      = 10000 // "Authentication error" (HTTP 401/403)
	codeBadHeaders     = 6003  // "Invalid request headers" (malformed Authorization)
	codeBadAuthFormat  = 6111  // "Invalid format for Authorization header"
	codeRecordMissing  = 81044 // "Record does not exist."
	codeConflict       = 81053 // an A, AAAA or CNAME record with that host already exists
	codeRecordExists   = 81057 // "Record already exists." (older message)
	codeIdenticalExist = 81058 // "An identical record already exists."
)

// Spec declares the cloudflare provider type.
var Spec = &providers.Spec{
	Type:  Name,
	Title: "Cloudflare",
	Options: []providers.Option{
		{Name: "api_token", Kind: providers.OptSecret, Required: true, Label: "API token",
			Help: "Cloudflare API token with Zone:Read and DNS:Edit permissions for the zone."},
		providers.EndpointOption,
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(s.Get("api_token"), opts)
	},
}

// Provider is a Cloudflare API client for one token. It is safe for
// concurrent use.
type Provider struct {
	token  string
	base   *url.URL
	client *providers.Client

	zones providers.ZoneCache
}

var _ providers.Provider = (*Provider)(nil)

// New returns a provider authenticating with token. opts.Endpoint
// overrides DefaultEndpoint (its path is the API base, e.g. /client/v4).
func New(token string, opts providers.Options) (*Provider, error) {
	if token == "" {
		return nil, errors.New("cloudflare: api_token is required")
	}
	u, err := providers.ParseEndpoint(Name, opts.Endpoint, DefaultEndpoint)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Provider{token: token, base: u, client: providers.NewClient(opts)}, nil
}

// dnsRecord is a record as the API returns it (dns/record.go RecordResponse).
type dnsRecord struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Content string `json:"content"`
	TTL     int    `json:"ttl"`
	Proxied bool   `json:"proxied"`
}

// envelope is the v4 response wrapper.
type envelope struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *struct {
		TotalCount int64 `json:"total_count"`
	} `json:"result_info"`
}

// List returns the A or AAAA records of zone named name.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	what := providers.RecordLabel(zone, name, typ)
	zid, err := p.zoneID(ctx, "list", what, zone)
	if err != nil {
		return nil, err
	}
	fqdn := providers.FQDN(zone, name)
	recs, err := providers.ListPages(maxPages, pageSize, func(page int) ([]providers.Record, int64, error) {
		q := url.Values{"type": {typ}, "name": {fqdn}, "page": {strconv.Itoa(page + 1)}, "per_page": {strconv.Itoa(pageSize)}}
		env, err := p.call(ctx, "list", what, "GET", "/zones/"+url.PathEscape(zid)+"/dns_records?"+q.Encode(), nil)
		if err != nil {
			return nil, 0, err
		}
		var raw []dnsRecord
		if err := json.Unmarshal(env.Result, &raw); err != nil {
			return nil, 0, decodeFailure("list", what, err)
		}
		out := make([]providers.Record, len(raw))
		for i, r := range raw {
			out[i] = providers.Record{ID: r.ID, Name: relName(zone, r.Name), Type: r.Type, Value: r.Content, TTL: r.TTL}
		}
		total := int64(len(raw)) // no result_info: this page is all
		if env.ResultInfo != nil {
			total = env.ResultInfo.TotalCount
		}
		return out, total, nil
	})
	if errors.Is(err, providers.ErrTooManyRecords) {
		return nil, &providers.Error{Provider: Name, Op: "list", Record: what, Kind: providers.KindPermanent, Err: err}
	}
	if err != nil {
		return nil, err
	}
	return providers.KeepExact(recs, relName(zone, fqdn), typ), nil
}

// Create adds rec, unproxied. An identical record that already exists
// (81058) is success: it is looked up and returned.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	zid, err := p.zoneID(ctx, "create", what, zone)
	if err != nil {
		return providers.Record{}, err
	}
	body, _ := json.Marshal(map[string]any{
		"type": rec.Type, "name": providers.FQDN(zone, rec.Name), "content": rec.Value,
		"ttl": ttl(rec.TTL), "proxied": false,
	})
	env, err := p.call(ctx, "create", what, "POST", "/zones/"+url.PathEscape(zid)+"/dns_records", body)
	if pe := providers.AsError(err); pe != nil && pe.Code == strconv.Itoa(codeIdenticalExist) {
		recs, lerr := p.List(ctx, zone, rec.Name, rec.Type)
		if lerr != nil {
			return providers.Record{}, lerr
		}
		for _, r := range recs {
			if r.Value == rec.Value {
				rec.ID = r.ID
				return rec, nil
			}
		}
		return providers.Record{}, err
	}
	if err != nil {
		return providers.Record{}, err
	}
	var created dnsRecord
	if err := json.Unmarshal(env.Result, &created); err != nil || created.ID == "" {
		return providers.Record{}, decodeFailure("create", what, fmt.Errorf("no record id in the answer: %v", err))
	}
	rec.ID = created.ID
	return rec, nil
}

// Update changes the content (and ttl) of record rec.ID with PATCH, which
// leaves proxied, comment and tags as they are. An answer that an
// identical record exists (81058) means the value is already published.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	if rec.ID == "" || strings.ContainsAny(rec.ID, "/?#") {
		return providers.Record{}, &providers.Error{Provider: Name, Op: "update", Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("record id %q is not a Cloudflare record id", rec.ID)}
	}
	zid, err := p.zoneID(ctx, "update", what, zone)
	if err != nil {
		return providers.Record{}, err
	}
	body, _ := json.Marshal(map[string]any{"content": rec.Value, "ttl": ttl(rec.TTL)})
	_, err = p.call(ctx, "update", what, "PATCH", "/zones/"+url.PathEscape(zid)+"/dns_records/"+url.PathEscape(rec.ID), body)
	if pe := providers.AsError(err); pe != nil && pe.Code == strconv.Itoa(codeIdenticalExist) {
		return rec, nil
	}
	if err != nil {
		return providers.Record{}, err
	}
	return rec, nil
}

// zoneID looks the zone up by name once; later calls use the cache.
func (p *Provider) zoneID(ctx context.Context, op, what, zone string) (string, error) {
	return p.zones.ID(zone, func() (string, error) { return p.lookupZone(ctx, op, what, zone) })
}

// lookupZone asks the API for the id of zone.
func (p *Provider) lookupZone(ctx context.Context, op, what, zone string) (string, error) {
	q := url.Values{"name": {zone}}
	env, err := p.call(ctx, op, what, "GET", "/zones?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	var zs []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(env.Result, &zs); err != nil {
		return "", decodeFailure(op, what, err)
	}
	for _, z := range zs {
		if strings.EqualFold(z.Name, zone) && z.ID != "" {
			return z.ID, nil
		}
	}
	// A token without Zone:Read on the zone sees an empty list, not an error.
	return "", &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindNotFound,
		Message: "zone " + zone + " not found; does the token have Zone:Read permission for it?"}
}

// call sends one request and returns the decoded envelope of a successful
// answer.
func (p *Provider) call(ctx context.Context, op, what, method, path string, body []byte) (*envelope, error) {
	fail := func(kind providers.Kind, err error) error {
		return &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, Err: err}
	}
	req, err := httpc.NewRequest(method, p.base.String()+path, body)
	if err != nil {
		return nil, fail(providers.KindPermanent, fmt.Errorf("build request: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.client.Do(ctx, req)
	if err != nil {
		return nil, fail(providers.KindTransient, err)
	}
	var env envelope
	derr := json.Unmarshal(resp.Body, &env)
	if resp.Status == httpc.StatusOK && derr == nil && env.Success {
		return &env, nil
	}
	e := &providers.Error{Provider: Name, Op: op, Record: what, HTTPStatus: resp.Status, RequestID: resp.Header.Get("Cf-Ray"),
		RetryAfter: providers.RetryAfter(resp.Header, p.client.Clock.Now())}
	var codes []int
	if derr == nil {
		for _, ce := range env.Errors {
			codes = append(codes, ce.Code)
		}
		if len(env.Errors) > 0 {
			e.Code, e.Message = strconv.Itoa(env.Errors[0].Code), env.Errors[0].Message
		}
	}
	e.Kind = Classify(resp.Status, codes)
	if resp.Status == httpc.StatusOK && e.Kind == providers.KindUnknown {
		// 200 with a body we cannot read, or success:false without a code.
		e.Kind = providers.KindTransient
		if derr != nil {
			e.Err = derr
		}
	}
	return nil, e
}

// Classify maps an answer's HTTP status and error codes to a Kind.
func Classify(status int, codes []int) providers.Kind {
	for _, c := range codes {
		switch c {
		case codeThrottled:
			return providers.KindThrottled
		case codeInvalidToken, codeAuthError, codeBadHeaders, codeBadAuthFormat:
			return providers.KindAuth
		case codeRecordMissing:
			return providers.KindNotFound
		case codeConflict, codeRecordExists, codeIdenticalExist:
			return providers.KindConflict
		}
	}
	k := providers.StatusKind(status)
	if k == providers.KindUnknown && status != httpc.StatusOK {
		return providers.KindPermanent
	}
	return k
}

func decodeFailure(op, what string, err error) error {
	return &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindTransient, HTTPStatus: httpc.StatusOK, Err: err}
}

func ttl(t int) int {
	if t <= 0 {
		return autoTTL
	}
	return t
}

// relName turns the API's FQDN into a name relative to zone ("@" at the
// apex).
func relName(zone, fqdn string) string {
	fqdn = strings.TrimSuffix(fqdn, ".")
	if strings.EqualFold(fqdn, zone) {
		return "@"
	}
	if n := len(fqdn) - len(zone) - 1; n > 0 && strings.EqualFold(fqdn[n+1:], zone) && fqdn[n] == '.' {
		return fqdn[:n]
	}
	return fqdn
}
