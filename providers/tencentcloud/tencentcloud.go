// Package tencentcloud speaks Tencent Cloud's DNSPod API 3.0 (version
// 2021-03-23): signed POST JSON requests with TC3-HMAC-SHA256.
//
// Reference: https://cloud.tencent.com/document/api/1427 (DNSPod) and
// https://cloud.tencent.com/document/api/213/30654 (signature v3).
package tencentcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// Name is the provider name used in errors and configuration.
const Name = "tencentcloud"

// DefaultEndpoint is the official DNSPod API 3.0 endpoint.
const DefaultEndpoint = "https://dnspod.tencentcloudapi.com/"

// Version is the DNSPod API version spoken here (X-TC-Version).
const Version = "2021-03-23"

const (
	service = "dnspod"
	// contentType is sent and signed byte for byte; a transport adding a
	// charset of its own would break the signature.
	contentType = "application/json; charset=utf-8"
	// defaultLine is the "default" resolution line; DNSPod names lines in
	// Chinese. RecordLine is a required parameter of writes, but
	// RecordLineId takes priority over it.
	defaultLine = "默认"
	// DefaultLineID is the RecordLineId of the default line. It is "0" on
	// every account, Chinese or international, so eddns addresses lines by
	// id.
	DefaultLineID = "0"
	// pageSize and maxPages bound List: 3000 records of one name and type
	// is far beyond anything a DDNS client meets.
	pageSize = 100
	maxPages = 30
	// tooFrequentDelay is what InvalidParameter.OperationIsTooFrequent
	// asks for ("请 1 分钟后重试").
	tooFrequentDelay = time.Minute
)

// Provider is a DNSPod API 3.0 client for one account. It is safe for
// concurrent use.
type Provider struct {
	secretID  string
	secretKey string
	endpoint  *url.URL
	client    *providers.Client
}

var _ providers.Provider = (*Provider)(nil)

// New returns a provider signing with secretID/secretKey. opts.Endpoint
// overrides DefaultEndpoint.
func New(secretID, secretKey string, opts providers.Options) (*Provider, error) {
	if secretID == "" || secretKey == "" {
		return nil, errors.New("tencentcloud: secret_id and secret_key are required")
	}
	u, err := providers.ParseEndpoint("tencentcloud", opts.Endpoint, DefaultEndpoint)
	if err != nil {
		return nil, err
	}
	return &Provider{secretID: secretID, secretKey: secretKey, endpoint: u, client: providers.NewClient(opts)}, nil
}

var (
	_ providers.LineProvider = (*Provider)(nil)
	_ providers.Enabler      = (*Provider)(nil)
)

// DefaultLine reports the line id of the default line.
func (p *Provider) DefaultLine() string { return DefaultLineID }

// List returns the records of zone named name ("@" for the apex) of type
// typ on every line, with the line's id in Line and paused records marked
// Disabled.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	return p.list(ctx, zone, name, typ, false)
}

// ListZone returns every record of type typ in zone: DescribeRecordList
// without Subdomain (https://cloud.tencent.com/document/api/1427/56166),
// all pages, so a full check of many records costs one paged call.
func (p *Provider) ListZone(ctx context.Context, zone, typ string) ([]providers.Record, error) {
	return p.list(ctx, zone, "", typ, true)
}

func (p *Provider) list(ctx context.Context, zone, name, typ string, zoneWide bool) ([]providers.Record, error) {
	if !zoneWide {
		name = relName(name)
	}
	what := providers.RecordLabel(zone, name, typ)
	all, err := providers.ListPages(maxPages, pageSize, func(page int) ([]providers.Record, int64, error) {
		// Subdomain is the parameter DescribeRecordList has always
		// documented; SubDomain exists only in recent revisions.
		params := map[string]any{
			"Domain":     zone,
			"Subdomain":  name,
			"RecordType": typ,
			"Limit":      pageSize,
			"Offset":     page * pageSize,
		}
		if zoneWide {
			delete(params, "Subdomain")
		}
		body, perr := p.call(ctx, "list", what, "DescribeRecordList", params)
		if perr != nil {
			return nil, 0, perr
		}
		recs, total, reqID, apiErr, err := decodeList(body)
		if err != nil {
			return nil, 0, &providers.Error{Provider: Name, Op: "list", Record: what, Kind: providers.KindTransient, RequestID: reqID, HTTPStatus: httpc.StatusOK, Err: err}
		}
		if apiErr != nil {
			// With ErrorOnEmpty left at its default the API reports an empty
			// result as an error; for us it is just an empty list.
			if apiErr.Code == "ResourceNotFound.NoDataOfRecord" {
				return nil, 0, nil
			}
			return nil, 0, p.apiError("list", what, reqID, apiErr, 0)
		}
		return recs, int64(min(total, 1<<62)), nil
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

// lineParams sets the line of a write: RecordLineId, which the API prefers
// over the required RecordLine; RecordLine is sent too, as the default
// line's name, because the API requires it.
func lineParams(params map[string]any, line string) string {
	if line == "" {
		line = DefaultLineID
	}
	params["RecordLine"] = defaultLine
	params["RecordLineId"] = line
	return line
}

// Create adds rec to zone on rec's line (the default line when empty) and
// returns it with its id.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	rec.Name = relName(rec.Name)
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	params := map[string]any{
		"Domain":     zone,
		"SubDomain":  rec.Name,
		"RecordType": rec.Type,
		"Value":      rec.Value,
	}
	rec.Line = lineParams(params, rec.Line)
	if rec.TTL > 0 {
		params["TTL"] = rec.TTL
	}
	body, perr := p.call(ctx, "create", what, "CreateRecord", params)
	if perr != nil {
		return providers.Record{}, perr
	}
	id, reqID, apiErr, err := decodeID(body)
	if err != nil {
		return providers.Record{}, &providers.Error{Provider: Name, Op: "create", Record: what, Kind: providers.KindTransient, RequestID: reqID, HTTPStatus: httpc.StatusOK, Err: err}
	}
	if apiErr != nil {
		// InvalidParameter.DomainRecordExist comes back as a conflict:
		// the caller re-lists to learn the existing record's id.
		return providers.Record{}, p.apiError("create", what, reqID, apiErr, rec.TTL)
	}
	rec.ID = id
	return rec, nil
}

// Update sets record rec.ID of zone to rec, on rec's line. ModifyRecord's
// Status defaults to ENABLE, so the update also resumes a paused record
// (the result has Disabled false).
//
// What ModifyRecord does when nothing changes is not documented. The SDK
// lists InvalidParameter.DomainRecordExist among ModifyRecord's errors and
// the older DNSPod API answered an unchanged Record.Modify with code 104
// ("记录已经存在"), so we assume the refusal: on DomainRecordExist we
// re-list the name and report success when record rec.ID already holds
// rec.Value on rec's line. If another record holds the value instead, the
// conflict error stands. A plain success answer is, of course, success too.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	rec.Name = relName(rec.Name)
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	id, err := strconv.ParseUint(rec.ID, 10, 64)
	if err != nil || id == 0 {
		return providers.Record{}, &providers.Error{Provider: Name, Op: "update", Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("record id %q is not a DNSPod record id", rec.ID)}
	}
	params := map[string]any{
		"Domain":     zone,
		"SubDomain":  rec.Name,
		"RecordType": rec.Type,
		"Value":      rec.Value,
		"RecordId":   id,
	}
	rec.Line = lineParams(params, rec.Line)
	if rec.TTL > 0 {
		params["TTL"] = rec.TTL
	}
	body, perr := p.call(ctx, "update", what, "ModifyRecord", params)
	if perr != nil {
		return providers.Record{}, perr
	}
	_, reqID, apiErr, derr := decodeID(body)
	if derr != nil {
		return providers.Record{}, &providers.Error{Provider: Name, Op: "update", Record: what, Kind: providers.KindTransient, RequestID: reqID, HTTPStatus: httpc.StatusOK, Err: derr}
	}
	if apiErr == nil {
		rec.Disabled = false
		return rec, nil
	}
	ue := p.apiError("update", what, reqID, apiErr, rec.TTL)
	if apiErr.Code != "InvalidParameter.DomainRecordExist" {
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

// Enable resumes the paused record rec.ID with ModifyRecordStatus
// (tencentcloud-sdk-go dnspod/v20210323 models.go, ModifyRecordStatusRequestParams).
func (p *Provider) Enable(ctx context.Context, zone string, rec providers.Record) error {
	what := providers.RecordLabel(zone, relName(rec.Name), rec.Type)
	id, err := strconv.ParseUint(rec.ID, 10, 64)
	if err != nil || id == 0 {
		return &providers.Error{Provider: Name, Op: "enable", Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("record id %q is not a DNSPod record id", rec.ID)}
	}
	body, perr := p.call(ctx, "enable", what, "ModifyRecordStatus", map[string]any{"Domain": zone, "RecordId": id, "Status": "ENABLE"})
	if perr != nil {
		return perr
	}
	_, reqID, apiErr, derr := decodeID(body)
	if derr != nil {
		return &providers.Error{Provider: Name, Op: "enable", Record: what, Kind: providers.KindTransient, RequestID: reqID, HTTPStatus: httpc.StatusOK, Err: derr}
	}
	if apiErr != nil {
		return p.apiError("enable", what, reqID, apiErr, 0)
	}
	return nil
}

// call sends one signed API request and returns the body of an HTTP 200
// answer. Failures before a body could be read are *providers.Error.
func (p *Provider) call(ctx context.Context, op, what, action string, params any) ([]byte, error) {
	fail := func(kind providers.Kind, err error) error {
		return &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, Err: err}
	}
	payload, err := json.Marshal(params)
	if err != nil {
		return nil, fail(providers.KindPermanent, fmt.Errorf("encode %s: %w", action, err))
	}
	ts := p.client.Clock.Now().Unix()
	s := sign(signInput{
		SecretID: p.secretID, SecretKey: p.secretKey, Service: service, Host: p.endpoint.Host,
		Method: "POST", ContentType: contentType, Action: action, Timestamp: ts,
		Payload: payload, SignAction: true,
	})
	req, err := httpc.NewRequest("POST", p.endpoint.String(), payload)
	if err != nil {
		return nil, fail(providers.KindPermanent, fmt.Errorf("build %s request: %w", action, err))
	}
	// Assigned directly so the value stays byte-identical to the signed one.
	req.Header["Content-Type"] = []string{contentType}
	req.Header.Set("Authorization", s.Authorization)
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-TC-Version", Version)

	resp, err := p.client.Do(ctx, req)
	if err != nil {
		return nil, fail(providers.KindTransient, fmt.Errorf("%s: %w", action, err))
	}
	if resp.Status != httpc.StatusOK {
		// API 3.0 answers errors with 200; anything else came from a proxy,
		// gateway or load balancer in front of it.
		kind := providers.StatusKind(resp.Status)
		if kind == providers.KindUnknown {
			kind = providers.KindPermanent
		}
		e := &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, HTTPStatus: resp.Status,
			RetryAfter: providers.RetryAfter(resp.Header, p.client.Clock.Now())}
		if reqID, apiErr, derr := decode(resp.Body, nil); derr == nil && apiErr != nil {
			e.Code, e.Message, e.RequestID = apiErr.Code, apiErr.Message, reqID
		}
		return nil, e
	}
	return resp.Body, nil
}

// apiError turns an API error object into a classified *providers.Error;
// ttl is the TTL the request asked for, named in the hint of a TTL the
// plan refuses.
func (p *Provider) apiError(op, what, requestID string, ae *apiError, ttl int) *providers.Error {
	kind := Classify(ae.Code)
	var retry time.Duration
	if kind == providers.KindThrottled && (ae.Code == "InvalidParameter.OperationIsTooFrequent" || ae.Code == "FailedOperation.FrequencyLimit") {
		retry = tooFrequentDelay
	}
	e := &providers.Error{Provider: Name, Op: op, Record: what, Kind: kind, Code: ae.Code,
		Message: ae.Message, RequestID: requestID, HTTPStatus: httpc.StatusOK, RetryAfter: retry}
	switch {
	case ae.Code == "InvalidParameter.RecordLineInvalid":
		e.Hint = providers.LineHint
	case kind == providers.KindConfig:
		e.Hint = providers.TTLHint(ttl, providers.DNSPodMaxTTL)
	}
	return e
}

// Classify maps an API 3.0 error code to a Kind.
func Classify(code string) providers.Kind {
	switch code {
	case "AuthFailure.SignatureExpire":
		return providers.KindClockSkew
	case "InvalidParameter.OperationIsTooFrequent",
		// "操作频繁，请稍后重试" (SDK errors.go): back off, not give up.
		"FailedOperation.FrequencyLimit":
		return providers.KindThrottled
	case "LimitExceeded.FailedLoginLimitExceeded":
		// Too many failed logins; the account is locked for a while.
		return providers.KindAuth
	case "LimitExceeded.RecordTtlLimit",
		// The TTL is below the plan's minimum (600 on the free plan).
		"InvalidParameter.RecordLineInvalid":
		// option line names a line the domain does not offer.
		return providers.KindConfig
	case "InvalidParameter.DomainRecordExist":
		return providers.KindConflict
	case "ResourceNotFound.NoDataOfDomain", "InvalidParameterValue.DomainNotExists",
		"ResourceNotFound.NoDataOfRecord":
		return providers.KindNotFound
	case "InvalidParameter.RecordIdInvalid":
		// The ids we send all came from the API, so a refused one was
		// deleted behind our back: not-found tells the caller to re-list
		// rather than give up.
		return providers.KindNotFound
	case "FailedOperation.UnknowError": // sic, the SDK's spelling
		return providers.KindTransient
	}
	switch {
	case hasPrefix(code, "AuthFailure"), hasPrefix(code, "OperationDenied"),
		hasPrefix(code, "UnauthorizedOperation"):
		return providers.KindAuth
	case hasPrefix(code, "RequestLimitExceeded"):
		return providers.KindThrottled
	case hasPrefix(code, "InternalError"), hasPrefix(code, "ResourceUnavailable"),
		hasPrefix(code, "ServiceUnavailable"):
		return providers.KindTransient
	case hasPrefix(code, "LimitExceeded"), hasPrefix(code, "InvalidParameter"),
		hasPrefix(code, "InvalidParameterValue"), hasPrefix(code, "MissingParameter"),
		hasPrefix(code, "UnknownParameter"), hasPrefix(code, "InvalidAction"),
		hasPrefix(code, "UnsupportedOperation"), hasPrefix(code, "UnsupportedProtocol"),
		hasPrefix(code, "FailedOperation"):
		return providers.KindPermanent
	case hasPrefix(code, "ResourceNotFound"):
		return providers.KindNotFound
	}
	return providers.KindUnknown
}

// hasPrefix matches a dotted error code family: "AuthFailure" matches
// "AuthFailure" and "AuthFailure.X", not "AuthFailureX".
func hasPrefix(code, family string) bool {
	return code == family || strings.HasPrefix(code, family+".")
}

func relName(name string) string {
	if name == "" {
		return "@"
	}
	return name
}
