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

// List returns the enabled records of zone named name with type typ, all
// pages of them. Disabled records are left out: they do not resolve, so a
// disabled record holding the right address must not count as published.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	zone, name = normZone(zone), normName(name)
	op := p.op("list", zone, name, typ)
	var out []providers.Record
	var seen int64
	for page := 1; page <= maxPages; page++ {
		params := map[string]string{
			"Action":     "DescribeSubDomainRecords",
			"DomainName": zone,
			"SubDomain":  providers.FQDN(zone, name),
			"Type":       typ,
			"PageNumber": strconv.Itoa(page),
			"PageSize":   strconv.Itoa(pageSize),
		}
		var resp listResponse
		if err := p.call(ctx, params, &resp, op); err != nil {
			return nil, err
		}
		recs := resp.DomainRecords.Record
		for _, r := range recs {
			// The API matches for us; checking again costs nothing and
			// keeps a record of another name from ever being updated.
			if !strings.EqualFold(normName(r.RR), name) || !strings.EqualFold(r.Type, typ) ||
				strings.EqualFold(r.Status, "DISABLE") {
				continue
			}
			out = append(out, providers.Record{ID: string(r.RecordID), Name: normName(r.RR), Type: strings.ToUpper(r.Type), Value: canonValue(r.Value), TTL: r.TTL})
		}
		seen += int64(len(recs))
		if len(recs) == 0 || seen >= resp.TotalCount {
			return out, nil
		}
	}
	e := op()
	e.Kind, e.Err = providers.KindPermanent, fmt.Errorf("more than %d records", maxPages*pageSize)
	return nil, e
}

// Create adds rec to zone with AddDomainRecord and returns it with its id.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	zone, rec.Name = normZone(zone), normName(rec.Name)
	params := map[string]string{
		"Action":     "AddDomainRecord",
		"DomainName": zone,
		"RR":         rec.Name,
		"Type":       rec.Type,
		"Value":      rec.Value,
	}
	if rec.TTL > 0 {
		params["TTL"] = strconv.Itoa(rec.TTL)
	}
	var resp writeResponse
	if err := p.call(ctx, params, &resp, p.op("create", zone, rec.Name, rec.Type)); err != nil {
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

// Update sets record rec.ID to rec with UpdateDomainRecord. The API refuses
// an update that changes nothing with DomainRecordDuplicate; that means the
// record already holds rec, so it is success.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	zone, rec.Name = normZone(zone), normName(rec.Name)
	op := p.op("update", zone, rec.Name, rec.Type)
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
	}
	if rec.TTL > 0 {
		params["TTL"] = strconv.Itoa(rec.TTL)
	}
	var resp writeResponse
	err := p.call(ctx, params, &resp, op)
	if pe := providers.AsError(err); pe != nil && pe.Code == "DomainRecordDuplicate" {
		return rec, nil
	}
	if err != nil {
		return providers.Record{}, err
	}
	return rec, nil
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
