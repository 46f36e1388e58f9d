// Package alidns speaks the Alibaba Cloud DNS API (alidns, version
// 2015-01-09) with RPC signature 1.0 (HMAC-SHA1).
//
// Requests are sent as POST with a form body, so neither the AccessKeyId nor
// the signature appears in a URL that a proxy or an error message could log.
package alidns

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// DefaultEndpoint is the official API endpoint.
const DefaultEndpoint = "https://alidns.aliyuncs.com/"

// APIVersion is the alidns API version this package speaks.
const APIVersion = "2015-01-09"

// pageSize is the largest page the current documentation allows.
const pageSize = 100

// maxPages bounds List: 20 pages of 100 records of one name and type is far
// beyond any real zone, and a bound keeps a misbehaving server from holding
// us in a loop.
const maxPages = 20

// timestampLayout is ISO 8601 in UTC as the API wants it.
const timestampLayout = "2006-01-02T15:04:05Z"

// Provider is an alidns client for one AccessKey. It is safe for concurrent
// use.
type Provider struct {
	keyID    string
	secret   string
	endpoint string
	client   *providers.Client
}

var _ providers.Provider = (*Provider)(nil)

// New returns a Provider signing with the AccessKey keyID/secret. The
// endpoint is opts.Endpoint, or DefaultEndpoint when empty.
func New(keyID, secret string, opts providers.Options) (*Provider, error) {
	if keyID == "" || secret == "" {
		return nil, errors.New("alidns: access key id and secret are required")
	}
	u, err := providers.ParseEndpoint("alidns", opts.Endpoint, DefaultEndpoint)
	if err != nil {
		return nil, err
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return &Provider{keyID: keyID, secret: secret, endpoint: u.String(), client: providers.NewClient(opts)}, nil
}

// DefaultLine is the code of the default resolution line
// (https://help.aliyun.com/document_detail/29807.html).
const DefaultLine = "default"

var (
	_ providers.LineProvider = (*Provider)(nil)
	_ providers.Enabler      = (*Provider)(nil)
)

// DefaultLine reports the line code List gives records on the default line.
func (p *Provider) DefaultLine() string { return DefaultLine }

// List returns the records of zone named name with type typ on every line,
// all pages of them, with their Line code. Paused records are listed with
// Disabled set: they are still ours to update and enable.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	return p.list(ctx, zone, name, typ, false)
}

// ListZone returns every record of type typ in zone, all pages of them
// (DescribeDomainRecords: the zone's records, optionally of one Type,
// https://help.aliyun.com/document_detail/29776.html), so that a full check
// of many records costs one paged call instead of one per record.
func (p *Provider) ListZone(ctx context.Context, zone, typ string) ([]providers.Record, error) {
	return p.list(ctx, zone, "", typ, true)
}

func (p *Provider) list(ctx context.Context, zone, name, typ string, zoneWide bool) ([]providers.Record, error) {
	zone, name = normZone(zone), normName(name)
	op := p.op("list", zone, name, typ)
	all, err := providers.ListPages(maxPages, pageSize, func(page int) ([]providers.Record, int64, error) {
		params := map[string]string{
			"Action":     "DescribeSubDomainRecords",
			"DomainName": zone,
			"SubDomain":  providers.FQDN(zone, name),
			"Type":       typ,
			"PageNumber": strconv.Itoa(page + 1),
			"PageSize":   strconv.Itoa(pageSize),
		}
		if zoneWide {
			params["Action"] = "DescribeDomainRecords"
			delete(params, "SubDomain")
		}
		var resp listResponse
		if err := p.call(ctx, params, &resp, op); err != nil {
			return nil, 0, err
		}
		recs := make([]providers.Record, len(resp.DomainRecords.Record))
		for i, r := range resp.DomainRecords.Record {
			line := r.Line
			if line == "" {
				line = DefaultLine
			}
			recs[i] = providers.Record{ID: string(r.RecordID), Name: normName(r.RR), Type: strings.ToUpper(r.Type),
				Value: canonValue(r.Value), TTL: r.TTL, Line: line, Disabled: strings.EqualFold(r.Status, "DISABLE")}
		}
		return recs, resp.TotalCount, nil
	})
	if errors.Is(err, providers.ErrTooManyRecords) {
		e := op()
		e.Kind, e.Err = providers.KindPermanent, fmt.Errorf("more than %d records", maxPages*pageSize)
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	if zoneWide {
		return providers.KeepType(all, typ), nil
	}
	return providers.KeepExact(all, name, typ), nil
}

// lineOf is the Line sent on writes: the record's own, else the default.
// UpdateDomainRecord without Line moves a record onto the default line, so
// it is sent on every write.
func lineOf(rec providers.Record) string {
	if rec.Line == "" {
		return DefaultLine
	}
	return rec.Line
}

// Create adds rec to zone with AddDomainRecord and returns it with its id.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	zone, rec.Name = normZone(zone), normName(rec.Name)
	rec.Line = lineOf(rec)
	params := map[string]string{
		"Action":     "AddDomainRecord",
		"DomainName": zone,
		"RR":         rec.Name,
		"Type":       rec.Type,
		"Value":      rec.Value,
		"Line":       rec.Line,
	}
	if rec.TTL > 0 {
		params["TTL"] = strconv.Itoa(rec.TTL)
	}
	var resp writeResponse
	if err := p.call(ctx, params, &resp, p.writeOp("create", zone, rec)); err != nil {
		return providers.Record{}, err
	}
	if resp.RecordID == "" {
		e := p.op("create", zone, rec.Name, rec.Type)()
		e.Kind, e.Err, e.RequestID = providers.KindTransient, fmt.Errorf("%w: no RecordId", errMalformed), resp.RequestID
		return providers.Record{}, e
	}
	rec.ID = string(resp.RecordID)
	return rec, nil
}

// Update sets record rec.ID to rec (value, TTL and line) with
// UpdateDomainRecord. The record keeps its status: a paused record stays
// paused (the result has Disabled as rec had it) until Enable.
//
// The API refuses an update with DomainRecordDuplicate both when the record
// already holds rec and when another record of the same name, type and line
// holds the value. Only the first is success, so the name is listed again:
// when record rec.ID holds the value Update succeeds, otherwise the conflict
// error is returned for the caller to settle.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	zone, rec.Name = normZone(zone), normName(rec.Name)
	rec.Line = lineOf(rec)
	op := p.writeOp("update", zone, rec)
	if rec.ID == "" {
		e := op()
		e.Kind, e.Err = providers.KindPermanent, errors.New("record has no id")
		return providers.Record{}, e
	}
	params := map[string]string{
		"Action":   "UpdateDomainRecord",
		"RecordId": rec.ID,
		"RR":       rec.Name,
		"Type":     rec.Type,
		"Value":    rec.Value,
		"Line":     rec.Line,
	}
	if rec.TTL > 0 {
		params["TTL"] = strconv.Itoa(rec.TTL)
	}
	var resp writeResponse
	err := p.call(ctx, params, &resp, op)
	if pe := providers.AsError(err); pe != nil && pe.Code == "DomainRecordDuplicate" {
		recs, lerr := p.List(ctx, zone, rec.Name, rec.Type)
		if lerr != nil {
			return providers.Record{}, lerr
		}
		for _, r := range recs {
			if r.ID == rec.ID && r.Value == canonValue(rec.Value) && r.Line == rec.Line {
				rec.Disabled = r.Disabled
				return rec, nil
			}
		}
		return providers.Record{}, err
	}
	if err != nil {
		return providers.Record{}, err
	}
	return rec, nil
}

// Enable resumes the paused record rec.ID with SetDomainRecordStatus
// (https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-setdomainrecordstatus).
func (p *Provider) Enable(ctx context.Context, zone string, rec providers.Record) error {
	zone, rec.Name = normZone(zone), normName(rec.Name)
	params := map[string]string{"Action": "SetDomainRecordStatus", "RecordId": rec.ID, "Status": "Enable"}
	var resp writeResponse
	return p.call(ctx, params, &resp, p.op("enable", zone, rec.Name, rec.Type))
}

// writeOp is op for a write of rec; a TTL refused by the plan gets a hint
// naming the option.
func (p *Provider) writeOp(op, zone string, rec providers.Record) func() *providers.Error {
	base := p.op(op, zone, rec.Name, rec.Type)
	return func() *providers.Error {
		e := base()
		e.Hint = providers.TTLHint(rec.TTL, providers.AlidnsMaxTTL)
		return e
	}
}

// op returns a constructor of errors for one operation on one record.
func (p *Provider) op(op, zone, name, typ string) func() *providers.Error {
	return func() *providers.Error {
		return &providers.Error{Provider: "alidns", Op: op, Record: providers.RecordLabel(zone, name, typ)}
	}
}

// call signs params, sends them and decodes the answer into out.
func (p *Provider) call(ctx context.Context, params map[string]string, out any, op func() *providers.Error) error {
	params["Format"] = "JSON"
	params["Version"] = APIVersion
	params["AccessKeyId"] = p.keyID
	params["SignatureMethod"] = "HMAC-SHA1"
	params["SignatureVersion"] = "1.0"
	// A fresh nonce for every attempt: the API refuses a replayed one.
	params["SignatureNonce"] = rand.Text()
	params["Timestamp"] = p.client.Clock.Now().UTC().Format(timestampLayout)
	sig := Sign("POST", params, p.secret)
	body := CanonicalQuery(params) + "&Signature=" + PercentEncode(sig)

	req, err := httpc.NewRequest("POST", p.endpoint, []byte(body))
	if err != nil {
		e := op()
		e.Kind, e.Err = providers.KindPermanent, err
		return e
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(ctx, req)
	if err != nil {
		e := op()
		e.Kind, e.Err = providers.KindTransient, err
		return e
	}
	if de := decode(resp.Status, resp.Header, resp.Body, p.client.Clock.Now(), out); de != nil {
		e := op()
		e.Kind, e.Code, e.Message, e.RequestID = de.Kind, de.Code, redact(de.Message, p.secret), de.RequestID
		e.HTTPStatus, e.RetryAfter, e.Err = de.HTTPStatus, de.RetryAfter, de.Err
		if e.Kind != providers.KindConfig {
			e.Hint = ""
		}
		return e
	}
	return nil
}

// redact removes the secret from text the server sent; no known answer
// echoes it, but the message reaches logs.
func redact(s, secret string) string {
	if secret == "" || !strings.Contains(s, secret) {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

func normZone(zone string) string {
	return strings.ToLower(strings.TrimSuffix(zone, "."))
}

func normName(name string) string {
	if name == "" {
		return "@"
	}
	return strings.ToLower(name)
}

// canonValue returns an address in its canonical text form so that values
// compare as strings; anything else is returned unchanged.
func canonValue(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.String()
	}
	return v
}
