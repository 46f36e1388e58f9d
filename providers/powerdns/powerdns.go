// Package powerdns speaks the PowerDNS Authoritative Server's HTTP API
// (https://doc.powerdns.com/authoritative/http-api/): requests carry the
// X-API-Key header, records are read with GET zone and written with PATCH
// zone, one RRset with changetype REPLACE.
//
// REPLACE "deletes all existing RRs matching name and type, and then creates
// the new records given" (RRSet object, zone.html), so eddns owns the whole
// RRset of its name and type, as with RFC 2136: other values of that name and
// type go, comments on the RRset stay (we send no "comments" member, and the
// docs only touch comments "when comments is present"). A disabled record
// ("disabled": true, Record object) is not served: List reports it as
// Disabled, and every write, Enable included, sends the record enabled.
package powerdns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// Name is the provider name used in errors and configuration.
const Name = "powerdns"

// DefaultServerID is the only server id the Authoritative Server has
// ("localhost", Server object in server.html).
const DefaultServerID = "localhost"

// DefaultTTL is used when a record asks for the provider default: an RRset
// needs an explicit ttl in a REPLACE.
const DefaultTTL = 600

// Provider is a client of one PowerDNS API. It is safe for concurrent use.
type Provider struct {
	apiKey   string
	base     *url.URL // .../api/v1/servers/<server_id>/zones/
	client   *providers.Client
	serverID string
}

var _ providers.Provider = (*Provider)(nil)

// New returns a provider for the API at endpoint (the webserver's base URL,
// e.g. http://ns1.example.net:8081; a trailing /api/v1 is accepted) using
// apiKey. An empty serverID means DefaultServerID.
func New(endpoint, apiKey, serverID string, opts providers.Options) (*Provider, error) {
	if endpoint == "" {
		return nil, errors.New("powerdns: endpoint (the API's base URL) is required")
	}
	if apiKey == "" {
		return nil, errors.New("powerdns: api_key is required")
	}
	u, err := providers.ParseEndpoint(Name, endpoint, "")
	if err != nil {
		return nil, err
	}
	if serverID == "" {
		serverID = DefaultServerID
	}
	if strings.ContainsAny(serverID, "/?#% ") {
		return nil, fmt.Errorf("powerdns: server_id %q is not a server id", serverID)
	}
	base := *u
	base.Path = strings.TrimSuffix(strings.TrimSuffix(base.Path, "/"), "/api/v1") + "/api/v1/servers/" + serverID + "/zones/"
	base.RawPath = ""
	return &Provider{apiKey: apiKey, base: &base, client: providers.NewClient(opts), serverID: serverID}, nil
}

// zoneURL is the zone's URL. The zone id is the canonical name with its
// trailing dot (Zone object: "id ... name with trailing dot"; "/" would be
// "=2F", which a domain name never holds).
func (p *Provider) zoneURL(zone string, query url.Values) string {
	u := *p.base
	u.Path += strings.ToLower(strings.TrimSuffix(zone, ".")) + "."
	u.RawQuery = query.Encode()
	return u.String()
}

type rrset struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	TTL        int      `json:"ttl"`
	ChangeType string   `json:"changetype,omitempty"`
	Records    []record `json:"records"`
}

type record struct {
	Content  string `json:"content"`
	Disabled bool   `json:"disabled"`
}

func canonical(zone, name string) string {
	return strings.ToLower(providers.FQDN(strings.TrimSuffix(zone, "."), name)) + "."
}

// recordID names the RRset we manage: writes address it by name and type.
func recordID(zone, name, typ string) string { return canonical(zone, name) + "/" + typ }

// List reads the RRset of name and type. rrset_name and rrset_type narrow
// the answer on servers that know them (zone.html, GET zone); older ones
// ignore them and send the whole zone, so the answer is filtered here too.
// A narrowed answer leaves disabled records out (seen with PowerDNS 4.7);
// the whole zone has them with "disabled": true, reported as Disabled.
func (p *Provider) List(ctx context.Context, zone, name, typ string) ([]providers.Record, error) {
	what := providers.RecordLabel(zone, name, typ)
	fqdn := canonical(zone, name)
	body, err := p.call(ctx, "list", what, "GET", p.zoneURL(zone, url.Values{"rrset_name": {fqdn}, "rrset_type": {typ}}), nil)
	if err != nil {
		return nil, err
	}
	var z struct {
		RRsets []rrset `json:"rrsets"`
	}
	if err := json.Unmarshal(body, &z); err != nil {
		return nil, &providers.Error{Provider: Name, Op: "list", Record: what, Kind: providers.KindTransient, HTTPStatus: httpc.StatusOK,
			Err: fmt.Errorf("decode zone: %w", err)}
	}
	out := []providers.Record{}
	for _, rs := range z.RRsets {
		if !strings.EqualFold(rs.Name, fqdn) || rs.Type != typ {
			continue
		}
		for _, r := range rs.Records {
			out = append(out, providers.Record{ID: recordID(zone, name, typ), Name: name, Type: typ, Value: r.Content, TTL: rs.TTL, Disabled: r.Disabled})
		}
	}
	return out, nil
}

// Create sets the RRset of rec's name and type to rec's value.
func (p *Provider) Create(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	return p.replace(ctx, "create", zone, rec)
}

// Update sets the RRset of rec's name and type to rec's value; the RRset is
// addressed by name and type, rec.ID is not needed.
func (p *Provider) Update(ctx context.Context, zone string, rec providers.Record) (providers.Record, error) {
	return p.replace(ctx, "update", zone, rec)
}

// Enable resumes a disabled record: the RRset is replaced by rec's value,
// enabled.
func (p *Provider) Enable(ctx context.Context, zone string, rec providers.Record) error {
	_, err := p.replace(ctx, "enable", zone, rec)
	return err
}

var _ providers.Enabler = (*Provider)(nil)

func (p *Provider) replace(ctx context.Context, op, zone string, rec providers.Record) (providers.Record, error) {
	what := providers.RecordLabel(zone, rec.Name, rec.Type)
	addr, err := netip.ParseAddr(rec.Value)
	if err != nil || (rec.Type != "A" && rec.Type != "AAAA") || (rec.Type == "A") != addr.Is4() {
		return rec, &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindPermanent,
			Err: fmt.Errorf("value %q is not an address for a %s record", rec.Value, rec.Type)}
	}
	ttl := rec.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	payload, err := json.Marshal(map[string][]rrset{"rrsets": {{
		Name: canonical(zone, rec.Name), Type: rec.Type, TTL: ttl, ChangeType: "REPLACE",
		Records: []record{{Content: addr.String()}},
	}}})
	if err != nil {
		return rec, &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindPermanent, Err: err}
	}
	if _, err := p.call(ctx, op, what, "PATCH", p.zoneURL(zone, nil), payload); err != nil {
		return rec, err
	}
	rec.ID = recordID(zone, rec.Name, rec.Type)
	rec.Value = addr.String()
	rec.TTL = ttl
	rec.Disabled = false
	return rec, nil
}

// call sends one request and classifies a failure. The API answers errors
// with a JSON {"error": "..."} body (zone.html, "Status Codes"); 401 comes
// from the webserver with a plain text body.
func (p *Provider) call(ctx context.Context, op, what, method, u string, body []byte) ([]byte, error) {
	req, err := httpc.NewRequest(method, u, body)
	if err != nil {
		return nil, &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindPermanent, Err: err}
	}
	req.Header.Set("X-API-Key", p.apiKey)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.client.Do(ctx, req)
	if err != nil {
		return nil, &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.KindTransient, Err: err}
	}
	if resp.Status >= 200 && resp.Status < 300 {
		return resp.Body, nil
	}
	e := &providers.Error{Provider: Name, Op: op, Record: what, Kind: providers.StatusKind(resp.Status), HTTPStatus: resp.Status,
		RetryAfter: providers.RetryAfter(resp.Header, p.client.Clock.Now())}
	if e.Kind == providers.KindUnknown {
		e.Kind = providers.KindPermanent
	}
	var apiErr struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(resp.Body, &apiErr) == nil && apiErr.Error != "" {
		e.Message = strings.ReplaceAll(apiErr.Error, p.apiKey, "[redacted]")
	}
	switch {
	case resp.Status == httpc.StatusUnauthorized:
		e.Message = "the API key was refused (api-key in pdns.conf)"
	case resp.Status == httpc.StatusNotFound && e.Message == "":
		e.Message = fmt.Sprintf("not found: is the zone on server %s?", p.serverID)
	}
	return nil, e
}
