// Package cloudflaretest is a local stand-in for the Cloudflare API v4 DNS
// endpoints eddns uses: zone lookup by name, DNS record list (exact name
// filter, paging), create and PATCH. It checks the Bearer token, keeps
// records with 32-hex ids and their proxied flag, and answers errors in
// the v4 envelope. Every behaviour cites where it is documented or, when
// only observed, says so.
package cloudflaretest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

const (
	// Default and maximum per_page of GET /zones/{id}/dns_records
	// (API reference, "List DNS Records": per_page default 100, max 5000000;
	// we cap lower to keep pages small in tests).
	defaultPerPage = 100
	maxPerPage     = 5000
	// TTL rule of the record schema: "Setting to 1 means 'automatic'.
	// Value must be between 60 and 86400, with the minimum reduced to 30
	// for Enterprise zones."
	minTTL, maxTTL = 60, 86400
	maxBody        = 1 << 20
)

// Fake is an in-memory Cloudflare account reachable with one API token.
type Fake struct {
	providertest.Ledger
	token string

	mu    sync.Mutex
	zones map[string]*zone // by name
}

type zone struct {
	id      string
	name    string
	records []*record
}

type record struct {
	id, typ, name, content string
	ttl                    int
	proxied                bool
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake accepting `Authorization: Bearer token`.
func New(token string) *Fake { return &Fake{token: token, zones: map[string]*zone{}} }

// AddZone makes zone visible to the token.
func (f *Fake) AddZone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zones[name] == nil {
		f.zones[name] = &zone{id: newID(), name: name}
	}
}

// Put stores a record directly.
func (f *Fake) Put(zoneName string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := f.zones[zoneName]
	if z == nil {
		z = &zone{id: newID(), name: zoneName}
		f.zones[zoneName] = z
	}
	r := &record{id: newID(), typ: rec.Type, name: providers.FQDN(zoneName, rec.Name), content: rec.Value, ttl: rec.TTL}
	z.records = append(z.records, r)
	return r.id
}

// SetProxied turns the orange cloud of record id on or off (test setup).
func (f *Fake) SetProxied(id string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, z := range f.zones {
		for _, r := range z.records {
			if r.id == id {
				r.proxied = on
			}
		}
	}
}

// Proxied reports record id's proxied flag.
func (f *Fake) Proxied(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, z := range f.zones {
		for _, r := range z.records {
			if r.id == id {
				return r.proxied
			}
		}
	}
	return false
}

// Records returns the zone's records, names relative to the zone.
func (f *Fake) Records(zoneName string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := f.zones[zoneName]
	if z == nil {
		return nil
	}
	var out []providers.Record
	for _, r := range z.records {
		out = append(out, providers.Record{ID: r.id, Name: rel(z.name, r.name), Type: r.typ, Value: r.content, TTL: r.ttl})
	}
	providertest.SortRecords(out)
	return out
}

func rel(zone, fqdn string) string {
	if fqdn == zone {
		return "@"
	}
	return strings.TrimSuffix(fqdn, "."+zone)
}

// newID makes a 32-hex id like Cloudflare's zone and record ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type apiErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// reply writes the v4 envelope: {"success","errors","messages","result",
// "result_info"} (API reference, "API response format").
func (f *Fake) reply(w http.ResponseWriter, status int, result any, info map[string]int, errs ...apiErr) {
	if errs == nil {
		errs = []apiErr{}
	}
	body := map[string]any{"success": len(errs) == 0, "errors": errs, "messages": []any{}, "result": result}
	if info != nil {
		body["result_info"] = info
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Date", f.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("Cf-Ray", newID()[:16]+"-AMS")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/client/v4")
	action := actionOf(r.Method, path)
	f.Called(action)
	if fault, ok := f.Faults().TakeFor(r, action); ok {
		if providertest.Apply(w, r, fault) {
			return
		}
		status := fault.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		code, _ := strconv.Atoi(fault.Code)
		if fault.Code == "971" && fault.Status == 0 {
			status = http.StatusTooManyRequests // limits page: HTTP 429 with code 971
		}
		f.reply(w, status, nil, nil, apiErr{code, "injected fault"})
		return
	}
	// Authentication (API reference, "Authentication"): an API token is
	// sent as `Authorization: Bearer <token>`. A malformed header is 400
	// code 6003/6111 and a wrong token 403 code 9109 (observed answers).
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{6003, "Invalid request headers"}, apiErr{6111, "Invalid format for Authorization header"})
		return
	}
	if tok != f.token {
		f.reply(w, http.StatusForbidden, nil, nil, apiErr{9109, "Invalid access token"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{1000, "could not read the body"})
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case action == "zones":
		f.listZones(w, r)
	case action == "list":
		f.listRecords(w, r, parts[1])
	case action == "create":
		f.create(w, parts[1], body)
	case action == "patch":
		f.patch(w, parts[1], parts[3], body)
	default:
		// Unknown route: 404 with code 7003 "Could not route to ..." (observed).
		f.reply(w, http.StatusNotFound, nil, nil, apiErr{7003, "Could not route to " + path + ", perhaps your object identifier is invalid?"})
	}
}

func actionOf(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case method == "GET" && len(parts) == 1 && parts[0] == "zones":
		return "zones"
	case len(parts) == 3 && parts[0] == "zones" && parts[2] == "dns_records" && method == "GET":
		return "list"
	case len(parts) == 3 && parts[0] == "zones" && parts[2] == "dns_records" && method == "POST":
		return "create"
	case len(parts) == 4 && parts[0] == "zones" && parts[2] == "dns_records" && method == "PATCH":
		return "patch"
	}
	return method + " " + path
}

// listZones answers GET /zones?name= (API reference, "List Zones": name is
// an exact match; the result is an array).
func (f *Fake) listZones(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	f.mu.Lock()
	var out []map[string]any
	for _, z := range f.zones {
		if name == "" || strings.EqualFold(z.name, name) {
			out = append(out, map[string]any{"id": z.id, "name": z.name, "status": "active"})
		}
	}
	f.mu.Unlock()
	if out == nil {
		out = []map[string]any{}
	}
	f.reply(w, http.StatusOK, out, map[string]int{"page": 1, "per_page": 20, "count": len(out), "total_count": len(out), "total_pages": 1})
}

func (f *Fake) zoneByID(id string) *zone {
	for _, z := range f.zones {
		if z.id == id {
			return z
		}
	}
	return nil
}

// listRecords answers GET /zones/{id}/dns_records with the type and name
// filters (name is an exact, case-insensitive match: "List DNS Records",
// name.exact) and page/per_page paging with result_info.
func (f *Fake) listRecords(w http.ResponseWriter, r *http.Request, zid string) {
	q := r.URL.Query()
	page, perPage := 1, defaultPerPage
	if v := q.Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	if v := q.Get("per_page"); v != "" {
		perPage, _ = strconv.Atoi(v)
	}
	if page < 1 || perPage < 1 || perPage > maxPerPage {
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{1004, "DNS Validation Error: invalid page or per_page"})
		return
	}
	f.mu.Lock()
	z := f.zoneByID(zid)
	if z == nil {
		f.mu.Unlock()
		// An unknown zone id: 404 code 7003 (observed).
		f.reply(w, http.StatusNotFound, nil, nil, apiErr{7003, "Could not route to /zones/" + zid + "/dns_records, perhaps your object identifier is invalid?"})
		return
	}
	var all []map[string]any
	for _, rec := range z.records {
		if t := q.Get("type"); t != "" && !strings.EqualFold(rec.typ, t) {
			continue
		}
		if n := q.Get("name"); n != "" && !strings.EqualFold(rec.name, n) {
			continue
		}
		all = append(all, recordJSON(z, rec))
	}
	f.mu.Unlock()
	total := len(all)
	pages := (total + perPage - 1) / perPage
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	result := all[start:end]
	if result == nil {
		result = []map[string]any{}
	}
	f.reply(w, http.StatusOK, result, map[string]int{"page": page, "per_page": perPage, "count": len(result), "total_count": total, "total_pages": pages})
}

func recordJSON(z *zone, r *record) map[string]any {
	return map[string]any{"id": r.id, "zone_id": z.id, "zone_name": z.name, "type": r.typ, "name": r.name,
		"content": r.content, "ttl": r.ttl, "proxied": r.proxied, "proxiable": true}
}

type recordBody struct {
	Type    *string `json:"type"`
	Name    *string `json:"name"`
	Content *string `json:"content"`
	TTL     *int    `json:"ttl"`
	Proxied *bool   `json:"proxied"`
}

// validate checks the fields the record schema constrains: A content is
// an IPv4 address, AAAA content IPv6, ttl is 1 or 60..86400. Violations
// are 400 code 9005/9006/1004 (observed codes; the rules are documented in
// the record schema).
func validate(typ, content string, ttl int) *apiErr {
	a, err := netip.ParseAddr(content)
	switch {
	case typ != "A" && typ != "AAAA":
		return &apiErr{1004, "DNS Validation Error: eddns fakes only A and AAAA"}
	case err != nil || (typ == "A") != a.Is4():
		return &apiErr{9005, "Content for " + typ + " record is invalid."}
	case ttl != 1 && (ttl < minTTL || ttl > maxTTL):
		return &apiErr{9006, "DNS Validation Error: TTL must be between 60 and 86400 seconds, or 1 for Automatic."}
	}
	return nil
}

// create answers POST /zones/{id}/dns_records. A record with the same type,
// name and content already there is 400 code 81058 "An identical record
// already exists." (observed; listed in the provider reference).
func (f *Fake) create(w http.ResponseWriter, zid string, body []byte) {
	var b recordBody
	if err := json.Unmarshal(body, &b); err != nil || b.Type == nil || b.Name == nil || b.Content == nil {
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{9207, "Request body is invalid."})
		return
	}
	ttl := 1 // ttl defaults to 1 (automatic) in the record schema
	if b.TTL != nil {
		ttl = *b.TTL
	}
	if e := validate(*b.Type, *b.Content, ttl); e != nil {
		f.reply(w, http.StatusBadRequest, nil, nil, *e)
		return
	}
	f.mu.Lock()
	z := f.zoneByID(zid)
	if z == nil {
		f.mu.Unlock()
		f.reply(w, http.StatusNotFound, nil, nil, apiErr{7003, "Could not route to /zones/" + zid + "/dns_records"})
		return
	}
	name := strings.ToLower(strings.TrimSuffix(*b.Name, "."))
	if name != z.name && !strings.HasSuffix(name, "."+z.name) {
		name = name + "." + z.name // a relative name is completed with the zone (API reference, record name)
	}
	for _, r := range z.records {
		if r.typ == *b.Type && r.name == name && r.content == *b.Content {
			f.mu.Unlock()
			f.reply(w, http.StatusBadRequest, nil, nil, apiErr{81058, "An identical record already exists."})
			return
		}
	}
	rec := &record{id: newID(), typ: *b.Type, name: name, content: *b.Content, ttl: ttl}
	if b.Proxied != nil {
		rec.proxied = *b.Proxied
	}
	z.records = append(z.records, rec)
	out := recordJSON(z, rec)
	zname := z.name
	f.mu.Unlock()
	f.Wrote("create", zname, providers.Record{ID: rec.id, Name: rel(zname, name), Type: rec.typ, Value: rec.content, TTL: ttl})
	f.reply(w, http.StatusOK, out, nil)
}

// patch answers PATCH /zones/{id}/dns_records/{id}: only the fields sent
// change ("Update DNS Record": "Update an existing DNS record" with a
// partial body); proxied, comment and tags stay. A missing record is 404
// code 81044 "Record does not exist." (observed).
func (f *Fake) patch(w http.ResponseWriter, zid, rid string, body []byte) {
	var b recordBody
	if err := json.Unmarshal(body, &b); err != nil {
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{9207, "Request body is invalid."})
		return
	}
	f.mu.Lock()
	z := f.zoneByID(zid)
	var rec *record
	if z != nil {
		for _, r := range z.records {
			if r.id == rid {
				rec = r
			}
		}
	}
	if rec == nil {
		f.mu.Unlock()
		f.reply(w, http.StatusNotFound, nil, nil, apiErr{81044, "Record does not exist."})
		return
	}
	next := *rec
	if b.Content != nil {
		next.content = *b.Content
	}
	if b.TTL != nil {
		next.ttl = *b.TTL
	}
	if b.Proxied != nil {
		next.proxied = *b.Proxied
	}
	if next.proxied {
		// "proxied records use automatic TTL" (record schema, ttl).
		next.ttl = 1
	}
	if e := validate(next.typ, next.content, next.ttl); e != nil {
		f.mu.Unlock()
		f.reply(w, http.StatusBadRequest, nil, nil, *e)
		return
	}
	for _, r := range z.records {
		if r != rec && r.typ == next.typ && r.name == next.name && r.content == next.content {
			f.mu.Unlock()
			f.reply(w, http.StatusBadRequest, nil, nil, apiErr{81058, "An identical record already exists."})
			return
		}
	}
	changed := next != *rec
	*rec = next
	out := recordJSON(z, rec)
	zname := z.name
	f.mu.Unlock()
	if changed {
		f.Wrote("update", zname, providers.Record{ID: rec.id, Name: rel(zname, rec.name), Type: rec.typ, Value: rec.content, TTL: rec.ttl})
	}
	f.reply(w, http.StatusOK, out, nil)
}
