// Package qcloudcns speaks Tencent's legacy CNS API (API 2.0,
// https://cns.api.qcloud.com/v2/index.php) signed with HmacSHA256.
//
// Tencent shut this API down in 2023 (new users from 2023-01-01, existing
// users by 2023-03-31); it is kept for endpoints that still speak it. New
// configurations should use the tencentcloud provider (DNSPod API 3.0).
package qcloudcns

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// Name is the provider name used in errors and configuration.
const Name = "qcloud_cns"

// DefaultEndpoint is the (retired) official CNS endpoint.
const DefaultEndpoint = "https://cns.api.qcloud.com/v2/index.php"

const (
	// defaultPath is used when an endpoint gives only scheme and host.
	defaultPath = "/v2/index.php"
	defaultLine = "默认"
	// pageSize is the API's maximum "length"; maxPages bounds List.
	pageSize = 100
	maxPages = 30
)

// Provider is a CNS API 2.0 client for one account. It is safe for
// concurrent use.
type Provider struct {
	secretID  string
	secretKey string
	endpoint  *url.URL
	client    *providers.Client
}

var _ providers.Provider = (*Provider)(nil)

// New returns a provider signing with secretID/secretKey. opts.Endpoint
// overrides DefaultEndpoint; an endpoint without a path gets /v2/index.php.
func New(secretID, secretKey string, opts providers.Options) (*Provider, error) {
	if secretID == "" || secretKey == "" {
		return nil, errors.New("qcloud_cns: secret_id and secret_key are required")
	}
	u, err := providers.ParseEndpoint("qcloud_cns", opts.Endpoint, DefaultEndpoint)
	if err != nil {
		return nil, err
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = defaultPath
	}
	return &Provider{secretID: secretID, secretKey: secretKey, endpoint: u, client: providers.NewClient(opts)}, nil
}

var (
	_ providers.LineProvider = (*Provider)(nil)
	_ providers.Enabler      = (*Provider)(nil)
)

// DefaultLine reports the name of the default line. CNS writes take line
// names (recordLine), so lines are named here, not numbered.
func (p *Provider) DefaultLine() string { return defaultLine }

// List returns the records of zone named name ("@" for the apex) of type
// typ on every line, with the line's name in Line and paused records marked
// Disabled.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	return p.list(ctx, zone, name, typ, false)
}

// ListZone returns every record of type typ in zone: RecordList without
// subDomain (https://cloud.tencent.com/document/product/302/8517), all
// pages, so a full check of many records costs one paged call.
func (p *Provider) ListZone(ctx context.Context, zone, typ string) ([]providers.Record, error) {
	return p.list(ctx, zone, "", typ, true)
}

func (p *Provider) list(ctx context.Context, zone, name, typ string, zoneWide bool) ([]providers.Record, error) {
	if !zoneWide {
		name = relName(name)
	}
	what := providers.RecordLabel(zone, name, typ)
	all, err := providers.ListPages(maxPages, pageSize, func(page int) ([]providers.Record, int64, error) {
		params := map[string]string{
			"domain":     zone,
			"subDomain":  name,
			"recordType": typ,
			"offset":     strconv.Itoa(page * pageSize),
			"length":     strconv.Itoa(pageSize),
		}
		if zoneWide {
			delete(params, "subDomain")
		}
		body, err := p.call(ctx, "list", what, "RecordList", params)
		if err != nil {
			return nil, 0, err
		}
		recs, total, apiErr, derr := decodeList(body)
		if derr != nil {
			return nil, 0, decodeFailure("list", what, derr)
		}
		if apiErr != nil {
			return nil, 0, p.apiError("list", what, apiErr, 0)
		}
		return recs, total, nil
	})
	if errors.Is(err, providers.ErrTooManyRecords) {
		return nil, &providers.Error{Provider: Name, Op: "list", Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("more than %d records", pageSize*maxPages)}
	}
	if err != nil {
		return nil, err
	}
	if zoneWide {
		return providers.KeepType(all, typ), nil
	}
	return providers.KeepExact(all, name, typ), nil
}

func lineOf(rec providers.Record) string {
	if rec.Line == "" {
		return defaultLine
	}
	return rec.Line
}

// Create adds rec to zone on rec's line and returns it with its id.
// A record that already exists is a conflict error (the caller re-lists).
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	rec.Name = relName(rec.Name)
	rec.Line = lineOf(rec)
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	params := map[string]string{
		"domain":     zone,
		"subDomain":  rec.Name,
		"recordType": rec.Type,
		"recordLine": rec.Line,
		"value":      rec.Value,
	}
	if rec.TTL > 0 {
		params["ttl"] = strconv.Itoa(rec.TTL)
	}
	body, err := p.call(ctx, "create", what, "RecordCreate", params)
	if err != nil {
		return providers.Record{}, err
	}
	id, apiErr, derr := decodeRecordID(body)
	if derr != nil {
		return providers.Record{}, decodeFailure("create", what, derr)
	}
	if apiErr != nil {
		return providers.Record{}, p.apiError("create", what, apiErr, rec.TTL)
	}
	rec.ID = id
	return rec, nil
}

// Update sets record rec.ID of zone to rec, on rec's line. RecordModify
// leaves a paused record paused (the result keeps Disabled; Enable resumes
// it).
//
// The API is gone and its answer to an unchanged RecordModify was never
// documented. CNS fronted DNSPod's older API, which refused an unchanged
// modify with module code 104 ("记录已经存在"), so a conflict answer is
// checked with one RecordList: if record rec.ID already holds rec.Value
// on rec's line the update is a success.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	rec.Name = relName(rec.Name)
	rec.Line = lineOf(rec)
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	if id, err := strconv.ParseUint(rec.ID, 10, 63); err != nil || id == 0 {
		return providers.Record{}, &providers.Error{Provider: Name, Op: "update", Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("record id %q is not a CNS record id", rec.ID)}
	}
	params := map[string]string{
		"domain":     zone,
		"recordId":   rec.ID,
		"subDomain":  rec.Name,
		"recordType": rec.Type,
		"recordLine": rec.Line,
		"value":      rec.Value,
	}
	if rec.TTL > 0 {
		params["ttl"] = strconv.Itoa(rec.TTL)
	}
	body, err := p.call(ctx, "update", what, "RecordModify", params)
	if err != nil {
		return providers.Record{}, err
	}
	_, apiErr, derr := decodeRecordID(body)
	if derr != nil {
		return providers.Record{}, decodeFailure("update", what, derr)
	}
	if apiErr == nil {
		return rec, nil
	}
	ue := p.apiError("update", what, apiErr, rec.TTL)
	if ue.Kind != providers.KindConflict {
		return providers.Record{}, ue
	}
	recs, lerr := p.List(ctx, zone, rec.Name, rec.Type)
	if lerr != nil {
		return providers.Record{}, lerr
	}
	for _, r := range recs {
		if r.ID == rec.ID && r.Value == canonicalValue(rec.Value) && r.Line == rec.Line {
			rec.Disabled = r.Disabled
			return rec, nil
		}
	}
	return providers.Record{}, ue
}

// Enable resumes the paused record rec.ID with RecordStatus
// (https://cloud.tencent.com/document/product/302/8519).
func (p *Provider) Enable(ctx context.Context, zone string, rec providers.Record) error {
	what := providers.RecordLabel(zone, relName(rec.Name), rec.Type)
	body, err := p.call(ctx, "enable", what, "RecordStatus", map[string]string{"domain": zone, "recordId": rec.ID, "status": "enable"})
	if err != nil {
		return err
	}
	apiErr, derr := decode(body, nil)
	if derr != nil {
		return decodeFailure("enable", what, derr)
	}
	if apiErr != nil {
		return p.apiError("enable", what, apiErr, 0)
	}
	return nil
}

// call sends one signed POST and returns the body of an HTTP 200 answer.
// POST keeps the signature and SecretId out of URLs (and so out of proxy
// and server logs).
func (p *Provider) call(ctx context.Context, op, what, action string, params map[string]string) ([]byte, error) {
	fail := func(kind providers.Kind, err error) error {
		return &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, Err: err}
	}
	all := make(map[string]string, len(params)+6)
	for k, v := range params {
		all[k] = v
	}
	all["Action"] = action
	all["SecretId"] = p.secretID
	all["SignatureMethod"] = methodSHA256
	all["Timestamp"] = strconv.FormatInt(p.client.Clock.Now().Unix(), 10)
	// The server refuses a Nonce it has seen before (code 4500); 31 random
	// bits make a repeat within its two-hour window vanishingly unlikely.
	all["Nonce"] = strconv.FormatUint(uint64(rand.Uint32()>>1)+1, 10)
	sig, err := hmacBase64(methodSHA256, p.secretKey,
		stringToSign("POST", p.endpoint.Host+p.endpoint.Path, all))
	if err != nil {
		return nil, fail(providers.KindPermanent, err)
	}
	form := url.Values{}
	for k, v := range all {
		form.Set(k, v)
	}
	form.Set("Signature", sig)

	req, err := httpc.NewRequest("POST", p.endpoint.String(), []byte(form.Encode()))
	if err != nil {
		return nil, fail(providers.KindPermanent, fmt.Errorf("build %s request: %w", action, err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(ctx, req)
	if err != nil {
		return nil, fail(providers.KindTransient, fmt.Errorf("%s: %w", action, err))
	}
	if resp.Status != httpc.StatusOK {
		kind := providers.StatusKind(resp.Status)
		if kind == providers.KindUnknown {
			kind = providers.KindPermanent
		}
		e := &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, HTTPStatus: resp.Status,
			RetryAfter: providers.RetryAfter(resp.Header, p.client.Clock.Now())}
		if apiErr, derr := decode(resp.Body, nil); derr == nil && apiErr != nil {
			e.Code, e.Message = errorCode(apiErr), apiErr.Message
		}
		return nil, e
	}
	return resp.Body, nil
}

func decodeFailure(op, what string, err error) error {
	return &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindTransient, HTTPStatus: httpc.StatusOK, Err: err}
}

func (p *Provider) apiError(op, what string, ae *apiError, ttl int) *providers.Error {
	e := &providers.Error{Provider: Name, Op: op, Record: what, Kind: Classify(ae.Code, ae.CodeDesc, ae.Message),
		Code: errorCode(ae), Message: ae.Message, HTTPStatus: httpc.StatusOK}
	if e.Kind == providers.KindConfig {
		e.Hint = providers.TTLHint(ttl, providers.DNSPodMaxTTL)
		if m, _ := moduleCode(ae.Message); m == "26" {
			e.Hint = providers.LineHint
		}
	}
	return e
}

// errorCode renders the numeric code and codeDesc as one string: "4100" or
// "4000/InvalidParameter".
func errorCode(ae *apiError) string {
	c := strconv.FormatInt(ae.Code, 10)
	if ae.CodeDesc != "" {
		c += "/" + ae.CodeDesc
	}
	return c
}

// moduleCode returns the "104" of a message starting with "(104)": the
// module's own error code (for CNS, DNSPod's legacy API codes). Parsed by
// hand because regexp alone would add 120 kB to a router binary.
func moduleCode(message string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimLeft(message, " \t\r\n"), "(")
	if !ok {
		return "", false
	}
	code, _, ok := strings.Cut(rest, ")")
	digits := strings.TrimPrefix(code, "-")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return code, true
}

// Classify maps an API 2.0 answer to a Kind.
//
// The common codes are documented (Tencent Cloud API 2.0 "错误码"):
// 4000 bad parameter, 4100-4110 authentication and authorisation, 4200
// request expired, 4300 access denied, 4400 quota exceeded, 4500 replay
// (Nonce reused, or Timestamp more than 2 hours off), 4600 protocol, 5000
// resource missing, 5100 resource operation failed, 6000 internal error,
// 6100 not supported, 6200 temporarily unavailable. Within 4000 the
// message's module code and the codeDesc refine the answer: DNSPod's 104
// ("记录已经存在") is a conflict and 8 ("记录编号错误") a stale record id.
func Classify(code int64, codeDesc, message string) providers.Kind {
	switch code {
	case 0:
		return providers.KindUnknown
	case 4100, 4101, 4102, 4103, 4104, 4110, 4300:
		return providers.KindAuth
	case 4200:
		return providers.KindClockSkew
	case 4400:
		return providers.KindThrottled
	case 4500:
		lm := strings.ToLower(message)
		if strings.Contains(lm, "timestamp") || strings.Contains(message, "时间") {
			return providers.KindClockSkew
		}
		// A reused Nonce: the retry draws a new one.
		return providers.KindTransient
	case 5000:
		return providers.KindNotFound
	case 6000, 6200:
		return providers.KindTransient
	case 4600, 5200, 5300, 5400, 5500, 6100:
		return providers.KindPermanent
	}
	if m, ok := moduleCode(message); ok {
		switch m {
		case "104":
			return providers.KindConflict
		case "8":
			return providers.KindNotFound
		case "32", "26":
			// "TTL 超出限制": below the plan's minimum; "记录线路错误":
			// a line the domain does not offer.
			return providers.KindConfig
		}
	}
	if k := classifyDesc(codeDesc); k != providers.KindUnknown {
		return k
	}
	switch code {
	case 4000:
		return providers.KindPermanent
	case 5100:
		// "Resource operation failed ... please try again later".
		return providers.KindTransient
	}
	return providers.KindUnknown
}

// classifyDesc reads codeDesc, which uses API 3.0-style names.
func classifyDesc(d string) providers.Kind {
	family := func(f string) bool { return d == f || strings.HasPrefix(d, f+".") }
	switch {
	case d == "":
		return providers.KindUnknown
	case strings.Contains(d, "RecordExist"):
		return providers.KindConflict
	case strings.Contains(d, "NotExist"), family("ResourceNotFound"):
		return providers.KindNotFound
	case family("AuthFailure"), family("UnauthorizedOperation"), family("OperationDenied"):
		return providers.KindAuth
	case d == "LimitExceeded.RecordTtlLimit":
		return providers.KindConfig
	case d == "LimitExceeded.FailedLoginLimitExceeded":
		return providers.KindAuth
	case family("RequestLimitExceeded"), strings.Contains(d, "TooFrequent"), d == "FailedOperation.FrequencyLimit":
		return providers.KindThrottled
	case family("InternalError"):
		return providers.KindTransient
	case family("InvalidParameter"), family("InvalidParameterValue"), family("MissingParameter"), family("LimitExceeded"):
		return providers.KindPermanent
	}
	return providers.KindUnknown
}

func relName(name string) string {
	if name == "" {
		return "@"
	}
	return name
}
