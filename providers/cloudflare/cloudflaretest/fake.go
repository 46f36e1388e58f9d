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
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

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
// Records live in the shared providertest.Store; the fake adds what only
// Cloudflare has: zone ids, 32-hex record ids and the proxied flag.
type Fake struct {
	providertest.Ledger
	token string

	mu      sync.Mutex
	store   *providertest.Store
	zoneIDs map[string]string // zone name -> zone id
	proxied map[uint64]bool

	// The global rate limit (API reference, "Rate limits",
	// developers.cloudflare.com/fundamentals/api/reference/limits): 1200
	// requests per five minutes per user/token; past it every call is
	// refused with HTTP 429 for the next five minutes.
	limit        int
	window       time.Duration
	seen         []time.Time // accepted requests inside the window
	blockedUntil time.Time
}

const (
	defaultLimit  = 1200
	defaultWindow = 5 * time.Minute
)

// SetRateLimit changes the limit (tests use a small one).
func (f *Fake) SetRateLimit(n int, window time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit, f.window, f.seen, f.blockedUntil = n, window, nil, time.Time{}
}

// throttled counts a request against the limit and reports how long the
// caller stays blocked (0: go ahead).
func (f *Fake) throttled() time.Duration {
	now := f.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Before(f.blockedUntil) {
		return f.blockedUntil.Sub(now)
	}
	kept := f.seen[:0]
	for _, t := range f.seen {
		if now.Sub(t) < f.window {
			kept = append(kept, t)
		}
	}
	f.seen = kept
	if len(f.seen) >= f.limit {
		f.blockedUntil = now.Add(f.window)
		return f.window
	}
	f.seen = append(f.seen, now)
	return 0
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake accepting `Authorization: Bearer token`.
func New(token string) *Fake {
	return &Fake{token: token, store: providertest.NewStore(0x5f3e00), zoneIDs: map[string]string{}, proxied: map[uint64]bool{},
		limit: defaultLimit, window: defaultWindow}
}

// recordID spells a store id the way Cloudflare spells ids: 32 hex digits.
func recordID(id uint64) string { return fmt.Sprintf("%032x", id) }

func storeID(id string) (uint64, bool) {
	if len(id) != 32 {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimLeft(id, "0"), 16, 64)
	return n, err == nil
}

// AddZone makes zone visible to the token.
func (f *Fake) AddZone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addZoneLocked(name)
}

func (f *Fake) addZoneLocked(name string) {
	name = providertest.CanonZone(name)
	f.store.AddZone(name)
	if f.zoneIDs[name] == "" {
		f.zoneIDs[name] = newID()
	}
}

// Put stores a record directly.
func (f *Fake) Put(zoneName string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addZoneLocked(zoneName)
	r := f.store.Add(providertest.StoredRecord{Zone: zoneName, Name: rec.Name, Type: rec.Type, Value: rec.Value, TTL: rec.TTL})
	return recordID(r.ID)
}

// SetProxied turns the orange cloud of record id on or off (test setup).
func (f *Fake) SetProxied(id string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n, ok := storeID(id); ok {
		f.proxied[n] = on
	}
}

// Proxied reports record id's proxied flag.
func (f *Fake) Proxied(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, _ := storeID(id)
	return f.proxied[n]
}

// Records returns the zone's records, ids as the API spells them.
func (f *Fake) Records(zoneName string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []providers.Record
	for _, r := range f.store.Find(zoneName, nil) {
		p := r.Public()
		p.ID = recordID(r.ID)
		out = append(out, p)
	}
	providertest.SortRecords(out)
	return out
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
	if d := f.throttled(); d > 0 {
		// HTTP 429 with code 971 (limits page); Retry-After carries the
		// rest of the block in seconds (observed header).
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		f.reply(w, http.StatusTooManyRequests, nil, nil, apiErr{971, "Please wait and consider throttling your request speed"})
		return
	}
	// Authentication (API reference, "Authentication"): an API token is
	// sent as `Authorization: Bearer <token>`. A malformed header is 400
	// code 6003 with 6111 in its chain (observed: favonia/cloudflare-ddns
	// #1053, NewFuture/DDNS #152); a token that is wrong or lacks the
	// permission is 403 code 10000 "Authentication error" (observed:
	// cloudflare/terraform-provider-cloudflare #913, favonia/cloudflare-ddns
	// #897).
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{6003, "Invalid request headers"}, apiErr{6111, "Invalid format for Authorization header"})
		return
	}
	if tok != f.token {
		f.reply(w, http.StatusForbidden, nil, nil, apiErr{10000, "Authentication error"})
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
	out := []map[string]any{}
	for _, z := range f.store.Zones() {
		if name == "" || strings.EqualFold(z, name) {
			out = append(out, map[string]any{"id": f.zoneIDs[z], "name": z, "status": "active"})
		}
	}
	f.mu.Unlock()
	f.reply(w, http.StatusOK, out, map[string]int{"page": 1, "per_page": 20, "count": len(out), "total_count": len(out), "total_pages": 1})
}

// zoneName returns the zone with id, "" if none (the caller holds f.mu).
func (f *Fake) zoneName(id string) string {
	for z, zid := range f.zoneIDs {
		if zid == id {
			return z
		}
	}
	return ""
}

// fqdn is the record name as the API shows it: the full name.
func fqdn(r *providertest.StoredRecord) string {
	return providers.FQDN(r.Zone, strings.TrimSuffix(r.Name, "@"))
}

func (f *Fake) recordJSON(r *providertest.StoredRecord) map[string]any {
	return map[string]any{"id": recordID(r.ID), "zone_id": f.zoneIDs[r.Zone], "zone_name": r.Zone, "type": r.Type, "name": fqdn(r),
		"content": r.Value, "ttl": r.TTL, "proxied": f.proxied[r.ID], "proxiable": true}
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
	zone := f.zoneName(zid)
	if zone == "" {
		f.mu.Unlock()
		// An unknown zone id: 404 code 7003 (observed).
		f.reply(w, http.StatusNotFound, nil, nil, apiErr{7003, "Could not route to /zones/" + zid + "/dns_records, perhaps your object identifier is invalid?"})
		return
	}
	recs := f.store.Find(zone, func(rec *providertest.StoredRecord) bool {
		return (q.Get("type") == "" || strings.EqualFold(rec.Type, q.Get("type"))) &&
			(q.Get("name") == "" || strings.EqualFold(fqdn(rec), strings.TrimSuffix(q.Get("name"), ".")))
	})
	pageRecs, total := providertest.Page(recs, (page-1)*perPage, perPage)
	result := []map[string]any{}
	for _, rec := range pageRecs {
		result = append(result, f.recordJSON(rec))
	}
	f.mu.Unlock()
	pages := (total + perPage - 1) / perPage
	f.reply(w, http.StatusOK, result, map[string]int{"page": page, "per_page": perPage, "count": len(result), "total_count": total, "total_pages": pages})
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
	zone := f.zoneName(zid)
	if zone == "" {
		f.mu.Unlock()
		f.reply(w, http.StatusNotFound, nil, nil, apiErr{7003, "Could not route to /zones/" + zid + "/dns_records"})
		return
	}
	// The name may be given in full or relative to the zone (API
	// reference, record name: "DNS record name (or @ for the zone apex)").
	name := strings.ToLower(strings.TrimSuffix(*b.Name, "."))
	switch {
	case name == zone || name == "@":
		name = "@"
	case strings.HasSuffix(name, "."+zone):
		name = strings.TrimSuffix(name, "."+zone)
	}
	rec := providertest.StoredRecord{Zone: zone, Name: name, Type: *b.Type, Value: *b.Content, TTL: ttl}
	if f.store.Duplicate(rec, 0) != nil {
		f.mu.Unlock()
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{81058, "An identical record already exists."})
		return
	}
	stored := f.store.Add(rec)
	if b.Proxied != nil {
		f.proxied[stored.ID] = *b.Proxied
	}
	out := f.recordJSON(stored)
	pub := stored.Public()
	f.mu.Unlock()
	pub.ID = recordID(stored.ID)
	f.Wrote("create", zone, pub)
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
	zone := f.zoneName(zid)
	var rec *providertest.StoredRecord
	if n, ok := storeID(rid); ok && zone != "" {
		if r := f.store.Get(n); r != nil && r.Zone == zone {
			rec = r
		}
	}
	if rec == nil {
		f.mu.Unlock()
		f.reply(w, http.StatusNotFound, nil, nil, apiErr{81044, "Record does not exist."})
		return
	}
	next, proxied := *rec, f.proxied[rec.ID]
	if b.Content != nil {
		next.Value = *b.Content
	}
	if b.TTL != nil {
		next.TTL = *b.TTL
	}
	if b.Proxied != nil {
		proxied = *b.Proxied
	}
	if proxied {
		// "proxied records use automatic TTL" (record schema, ttl).
		next.TTL = 1
	}
	if e := validate(next.Type, next.Value, next.TTL); e != nil {
		f.mu.Unlock()
		f.reply(w, http.StatusBadRequest, nil, nil, *e)
		return
	}
	if f.store.Duplicate(next, rec.ID) != nil {
		f.mu.Unlock()
		f.reply(w, http.StatusBadRequest, nil, nil, apiErr{81058, "An identical record already exists."})
		return
	}
	changed := next != *rec || proxied != f.proxied[rec.ID]
	*rec = next
	f.proxied[rec.ID] = proxied
	out := f.recordJSON(rec)
	pub := rec.Public()
	f.mu.Unlock()
	pub.ID = recordID(rec.ID)
	if changed {
		f.Wrote("update", zone, pub)
	}
	f.reply(w, http.StatusOK, out, nil)
}
