// Package huaweicloud speaks Huawei Cloud DNS (API v2) signed with AK/SK
// ("SDK-HMAC-SHA256", see signer.go).
//
// Huawei keeps record sets: one name and type hold a list of values. eddns
// manages one value, so List reports one Record per value (its ID is
// "<recordset id>/<value>") and Update replaces only that value in the set,
// leaving the others; Create makes a new set holding our value. The zone
// id is looked up by name once and cached.
//
// API: https://support.huaweicloud.com/api-dns/ (ListPublicZones,
// ListRecordSetsByZone, CreateRecordSet, ShowRecordSet, UpdateRecordSet);
// field names from huaweicloud-sdk-go-v3 services/dns/v2/model.
package huaweicloud

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
const Name = "huaweicloud"

// DefaultRegion picks the endpoint when no region is configured. Public
// zones are global; any region's endpoint manages them.
const DefaultRegion = "cn-north-4"

const (
	// pageSize is ListRecordSetsByZone's maximum limit (0~500);
	// maxPages bounds List.
	pageSize = 500
	maxPages = 20
)

// Spec declares the huaweicloud provider type.
var Spec = &providers.Spec{
	Type:  Name,
	Title: "Huawei Cloud DNS",
	Options: []providers.Option{
		{Name: "access_key_id", Kind: providers.OptString, Required: true, Label: "AccessKey ID", Help: "Huawei Cloud Access Key ID (AK)."},
		{Name: "access_key_secret", Kind: providers.OptSecret, Required: true, Label: "AccessKey secret", Help: "Huawei Cloud Secret Access Key (SK)."},
		{Name: "region", Kind: providers.OptString, Format: "label", Default: DefaultRegion, Label: "Region",
			Help: "Huawei Cloud region whose DNS endpoint is used (dns.REGION.myhuaweicloud.com); public zones are global."},
		providers.EndpointOption,
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(s.Get("access_key_id"), s.Get("access_key_secret"), s.Get("region"), opts)
	},
}

// Provider is a Huawei Cloud DNS client for one AK/SK. It is safe for
// concurrent use.
type Provider struct {
	ak, sk string
	base   *url.URL
	client *providers.Client

	zones providers.ZoneCache
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Enabler  = (*Provider)(nil)
)

// New returns a provider signing with ak/sk against the region's endpoint
// (opts.Endpoint overrides it).
func New(ak, sk, region string, opts providers.Options) (*Provider, error) {
	if ak == "" || sk == "" {
		return nil, errors.New("huaweicloud: access_key_id and access_key_secret are required")
	}
	if region == "" {
		region = DefaultRegion
	}
	u, err := providers.ParseEndpoint(Name, opts.Endpoint, "https://dns."+region+".myhuaweicloud.com")
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Provider{ak: ak, sk: sk, base: u, client: providers.NewClient(opts)}, nil
}

// recordSet is a record set as the API returns it.
type recordSet struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	TTL     int      `json:"ttl"`
	Records []string `json:"records"`
	Status  string   `json:"status"`
}

// List returns one Record per value of the record sets named name of type
// typ.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	what := providers.RecordLabel(zone, name, typ)
	zid, err := p.zoneID(ctx, "list", what, zone)
	if err != nil {
		return nil, err
	}
	fqdn := providers.FQDN(zone, name) + "."
	out := []providers.Record{}
	for page := 0; page < maxPages; page++ {
		q := url.Values{"type": {typ}, "name": {fqdn}, "search_mode": {"equal"},
			"limit": {strconv.Itoa(pageSize)}, "offset": {strconv.Itoa(page * pageSize)}}
		var resp struct {
			RecordSets []recordSet `json:"recordsets"`
			Metadata   struct {
				TotalCount int `json:"total_count"`
			} `json:"metadata"`
		}
		if err := p.call(ctx, "list", what, "GET", "/v2/zones/"+url.PathEscape(zid)+"/recordsets", q, nil, &resp); err != nil {
			return nil, err
		}
		for _, rs := range resp.RecordSets {
			if !strings.EqualFold(rs.Name, fqdn) || !strings.EqualFold(rs.Type, typ) {
				continue
			}
			for _, v := range rs.Records {
				// A record set paused in the console has status DISABLE
				// (ListRecordSetsByZoneRequest.Status: ACTIVE, ERROR,
				// DISABLE, FREEZE, PENDING_*).
				out = append(out, providers.Record{ID: rs.ID + "/" + v, Name: relName(name), Type: rs.Type, Value: v, TTL: rs.TTL,
					Disabled: rs.Status == "DISABLE"})
			}
		}
		if len(resp.RecordSets) < pageSize || (page+1)*pageSize >= resp.Metadata.TotalCount {
			return out, nil
		}
	}
	return nil, &providers.Error{Provider: Name, Op: "list", Record: what, Kind: providers.KindPermanent,
		Err: fmt.Errorf("more than %d record sets", pageSize*maxPages)}
}

// Create adds a record set holding rec.Value.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	zid, err := p.zoneID(ctx, "create", what, zone)
	if err != nil {
		return providers.Record{}, err
	}
	body := map[string]any{"name": providers.FQDN(zone, rec.Name) + ".", "type": rec.Type, "records": []string{rec.Value}}
	if rec.TTL > 0 {
		body["ttl"] = rec.TTL
	}
	var created recordSet
	if err := p.call(ctx, "create", what, "POST", "/v2/zones/"+url.PathEscape(zid)+"/recordsets", nil, body, &created); err != nil {
		return providers.Record{}, err
	}
	if created.ID == "" {
		return providers.Record{}, decodeFailure("create", what, errors.New("no record set id in the answer"))
	}
	rec.ID = created.ID + "/" + rec.Value
	return rec, nil
}

// Update replaces the value named by rec.ID in its record set with
// rec.Value, keeping the set's other values. When the set already holds
// rec.Value nothing is written. When the old value is gone (changed by
// hand) the record is reported not found, so the caller lists again.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	rsid, old, ok := strings.Cut(rec.ID, "/")
	if !ok || rsid == "" || strings.ContainsAny(rsid, "?#") {
		return providers.Record{}, &providers.Error{Provider: Name, Op: "update", Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("record id %q is not <record set id>/<value>", rec.ID)}
	}
	zid, err := p.zoneID(ctx, "update", what, zone)
	if err != nil {
		return providers.Record{}, err
	}
	path := "/v2/zones/" + url.PathEscape(zid) + "/recordsets/" + url.PathEscape(rsid)
	var rs recordSet
	if err := p.call(ctx, "update", what, "GET", path, nil, nil, &rs); err != nil {
		return providers.Record{}, err
	}
	rec.ID = rsid + "/" + rec.Value
	var values []string
	found := false
	for _, v := range rs.Records {
		switch {
		case v == rec.Value && old != rec.Value:
			// Already there: replacing old would duplicate it, so old
			// just goes.
		case v == old:
			found = true
			values = append(values, rec.Value)
		default:
			values = append(values, v)
		}
	}
	if !found {
		for _, v := range rs.Records {
			if v == rec.Value {
				return rec, nil // someone (or an earlier try) already wrote it
			}
		}
		return providers.Record{}, &providers.Error{Provider: Name, Op: "update", Record: what, Kind: providers.KindNotFound,
			Message: "record set " + rsid + " no longer holds " + old}
	}
	// A paused set stays paused through PUT: say so, so that the caller
	// resumes it with Enable.
	rec.Disabled = rs.Status == "DISABLE"
	if old == rec.Value && (rec.TTL <= 0 || rec.TTL == rs.TTL) {
		return rec, nil
	}
	body := map[string]any{"name": rs.Name, "type": rs.Type, "records": values}
	if rec.TTL > 0 {
		body["ttl"] = rec.TTL
	}
	if err := p.call(ctx, "update", what, "PUT", path, nil, body, nil); err != nil {
		return providers.Record{}, err
	}
	return rec, nil
}

// Enable resumes the paused record set holding rec (SetRecordSetsStatus:
// PUT /v2.1/recordsets/{recordset_id}/statuses/set {"status":"ENABLE"}).
// The status belongs to the set, so its other values resume too. Update
// leaves a paused set paused and says so in the returned record.
func (p *Provider) Enable(ctx context.Context, zone string, rec providers.Record) error {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	rsid, _, ok := strings.Cut(rec.ID, "/")
	if !ok || rsid == "" {
		return &providers.Error{Provider: Name, Op: "enable", Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("record id %q is not <record set id>/<value>", rec.ID)}
	}
	return p.call(ctx, "enable", what, "PUT", "/v2.1/recordsets/"+url.PathEscape(rsid)+"/statuses/set", nil,
		map[string]string{"status": "ENABLE"}, nil)
}

// zoneID looks the public zone up by name once; later calls use the cache.
func (p *Provider) zoneID(ctx context.Context, op, what, zone string) (string, error) {
	return p.zones.ID(zone, func() (string, error) { return p.lookupZone(ctx, op, what, zone) })
}

// lookupZone asks the API for the id of zone.
func (p *Provider) lookupZone(ctx context.Context, op, what, zone string) (string, error) {
	var resp struct {
		Zones []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"zones"`
	}
	q := url.Values{"type": {"public"}, "name": {zone + "."}, "search_mode": {"equal"}}
	if err := p.call(ctx, op, what, "GET", "/v2/zones", q, nil, &resp); err != nil {
		return "", err
	}
	for _, z := range resp.Zones {
		if strings.EqualFold(strings.TrimSuffix(z.Name, "."), zone) && z.ID != "" {
			return z.ID, nil
		}
	}
	return "", &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindNotFound,
		Message: "public zone " + zone + " not found in this account"}
}

// call sends one signed request; a 2xx answer's body is decoded into out.
func (p *Provider) call(ctx context.Context, op, what, method, path string, q url.Values, body, out any) error {
	fail := func(kind providers.Kind, err error) error {
		return &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, Err: err}
	}
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fail(providers.KindPermanent, err)
		}
	}
	full := p.base.Path + path
	target := p.base.Scheme + "://" + p.base.Host + full
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := httpc.NewRequest(method, target, raw)
	if err != nil {
		return fail(providers.KindPermanent, fmt.Errorf("build request: %w", err))
	}
	date := p.client.Clock.Now().UTC().Format(DateFormat)
	signed := map[string]string{"Host": p.base.Host, HeaderDate: date}
	req.Header.Set(HeaderDate, date)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	req.Header.Set("Authorization", Sign(method, full, q, signed, raw, p.ak, p.sk))
	resp, err := p.client.Do(ctx, req)
	if err != nil {
		return fail(providers.KindTransient, err)
	}
	if resp.Status >= 200 && resp.Status < 300 {
		if out != nil {
			if err := json.Unmarshal(resp.Body, out); err != nil {
				return decodeFailure(op, what, err)
			}
		}
		return nil
	}
	// DNS errors are {"code":"DNS.xxxx","message":...}; the API gateway's
	// own (authentication, throttling) {"error_code":"APIG.xxxx",
	// "error_msg":...,"request_id":...}.
	var eb struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
	}
	_ = json.Unmarshal(resp.Body, &eb)
	e := &providers.Error{Provider: Name, Op: op, Record: what, HTTPStatus: resp.Status, Code: eb.Code, Message: eb.Message,
		RequestID:  resp.Header.Get("X-Request-Id"),
		RetryAfter: providers.RetryAfter(resp.Header, p.client.Clock.Now())}
	if eb.ErrorCode != "" {
		e.Code, e.Message = eb.ErrorCode, eb.ErrorMsg
	}
	e.Kind = Classify(resp.Status, e.Code, e.Message)
	return e
}

// Classify maps an error answer to a Kind. The gateway answers a bad or
// unknown AK/SK with 401 APIG.0301 "Incorrect IAM authentication
// information: verify aksk signature fail" and a X-Sdk-Date more than 15
// minutes off with the same code and "signature expired"
// (support.huaweicloud.com apig-faq-0009, ocr_01_0063); throttling is 429
// APIG.0308 "The request is throttled" (APIG error codes).
func Classify(status int, code, message string) providers.Kind {
	lm := strings.ToLower(message)
	switch {
	case strings.HasPrefix(code, "APIG") && strings.Contains(lm, "expired"):
		return providers.KindClockSkew
	case code == "APIG.0308" || code == "APIGW.0308" || status == httpc.StatusTooManyRequests:
		return providers.KindThrottled
	case strings.HasPrefix(code, "APIG") && (status == httpc.StatusUnauthorized || status == httpc.StatusForbidden):
		return providers.KindAuth
	}
	k := providers.StatusKind(status)
	if k == providers.KindPermanent && strings.Contains(lm, "exist") && !strings.Contains(lm, "not exist") {
		return providers.KindConflict
	}
	if k == providers.KindUnknown {
		return providers.KindPermanent
	}
	return k
}

func decodeFailure(op, what string, err error) error {
	return &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindTransient, Err: err}
}

func relName(name string) string {
	if name == "" {
		return "@"
	}
	return name
}
