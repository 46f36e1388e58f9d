// Package huaweicloudtest is a local stand-in for Huawei Cloud DNS API v2
// behind the API gateway: it verifies SDK-HMAC-SHA256 signatures with its
// own implementation of the published algorithm, keeps public zones and
// record sets (one name and type hold several values), pages lists with
// limit/offset, and answers errors in the gateway's and the DNS service's
// shapes.
package huaweicloudtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

const (
	// maxSkew: the gateway refuses an X-Sdk-Date more than 15 minutes from
	// its clock ("客户端签名时间戳x-sdk-date与APIGW服务器时间相差超过15min",
	// support.huaweicloud.com apig-faq-0009).
	maxSkew = 15 * time.Minute
	// ListRecordSetsByZone limit: 0~500, default 500
	// (services/dns/v2/model/model_list_record_sets_by_zone_request.go).
	defaultLimit, maxLimit = 500, 500
	// ttl: 1~2147483647, default 300 (model_create_record_set_request_body.go).
	defaultTTL = 300
	maxBody    = 1 << 20
)

// Fake is an in-memory Huawei Cloud DNS account for one AK/SK.
type Fake struct {
	providertest.Ledger
	ak, sk string

	mu    sync.Mutex
	zones map[string]*zone // by name without the trailing dot
}

type zone struct {
	id   string
	name string
	sets []*recordSet
}

type recordSet struct {
	id, name, typ string // name is an FQDN with the trailing dot
	ttl           int
	records       []string
	status        string
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake accepting requests signed with ak/sk.
func New(ak, sk string) *Fake { return &Fake{ak: ak, sk: sk, zones: map[string]*zone{}} }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AddZone makes a public zone known to the account.
func (f *Fake) AddZone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.zoneLocked(name)
}

func (f *Fake) zoneLocked(name string) *zone {
	z := f.zones[name]
	if z == nil {
		z = &zone{id: newID(), name: name}
		f.zones[name] = z
	}
	return z
}

// Put adds a value directly: to the existing record set of that name and
// type, or to a new one. It returns the value's id as the provider names
// it ("<set id>/<value>").
func (f *Fake) Put(zoneName string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := f.zoneLocked(zoneName)
	fqdn := providers.FQDN(zoneName, rec.Name) + "."
	for _, s := range z.sets {
		if s.name == fqdn && s.typ == rec.Type {
			s.records = append(s.records, rec.Value)
			return s.id + "/" + rec.Value
		}
	}
	ttl := rec.TTL
	if ttl == 0 {
		ttl = defaultTTL
	}
	s := &recordSet{id: newID(), name: fqdn, typ: rec.Type, ttl: ttl, records: []string{rec.Value}, status: "ACTIVE"}
	if rec.Disabled {
		// A paused record set (SetRecordSetsStatus with DISABLE).
		s.status = "DISABLE"
	}
	z.sets = append(z.sets, s)
	return s.id + "/" + rec.Value
}

// Records returns one record per value of every set of the zone.
func (f *Fake) Records(zoneName string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := f.zones[zoneName]
	if z == nil {
		return nil
	}
	var out []providers.Record
	for _, s := range z.sets {
		for _, v := range s.records {
			out = append(out, providers.Record{ID: s.id + "/" + v, Name: rel(z.name, s.name), Type: s.typ, Value: v, TTL: s.ttl,
				Disabled: s.status == "DISABLE"})
		}
	}
	providertest.SortRecords(out)
	return out
}

// SetCount returns how many record sets the zone holds.
func (f *Fake) SetCount(zoneName string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if z := f.zones[zoneName]; z != nil {
		return len(z.sets)
	}
	return 0
}

func rel(zone, fqdn string) string {
	n := strings.TrimSuffix(fqdn, ".")
	if n == zone {
		return "@"
	}
	return strings.TrimSuffix(n, "."+zone)
}

// gatewayError answers in the API gateway's shape
// ({"error_code","error_msg","request_id"}, apig-faq-0009).
func (f *Fake) gatewayError(w http.ResponseWriter, status int, code, msg string) {
	f.write(w, status, map[string]string{"error_code": code, "error_msg": msg, "request_id": newID()})
}

// dnsError answers in the DNS service's shape ({"code","message"}, DNS API
// reference "错误码"). The codes used below are illustrative: eddns
// classifies DNS errors by HTTP status, which is what the fake is held to.
func (f *Fake) dnsError(w http.ResponseWriter, status int, code, msg string) {
	f.write(w, status, map[string]string{"code": code, "message": msg})
}

func (f *Fake) write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Date", f.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("X-Request-Id", newID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func actionOf(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case method == "GET" && len(parts) == 2 && parts[0] == "v2" && parts[1] == "zones":
		return "ListPublicZones"
	case len(parts) == 4 && parts[1] == "zones" && parts[3] == "recordsets" && method == "GET":
		return "ListRecordSetsByZone"
	case len(parts) == 4 && parts[1] == "zones" && parts[3] == "recordsets" && method == "POST":
		return "CreateRecordSet"
	case len(parts) == 5 && parts[1] == "zones" && parts[3] == "recordsets" && method == "GET":
		return "ShowRecordSet"
	case len(parts) == 5 && parts[1] == "zones" && parts[3] == "recordsets" && method == "PUT":
		return "UpdateRecordSet"
	case len(parts) == 5 && parts[0] == "v2.1" && parts[1] == "recordsets" && parts[3] == "statuses" && parts[4] == "set" && method == "PUT":
		return "SetRecordSetsStatus"
	}
	return method + " " + path
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action := actionOf(r.Method, r.URL.Path)
	f.Called(action)
	if fault, ok := f.Faults().TakeFor(r, action); ok {
		if providertest.Apply(w, r, fault) {
			return
		}
		status := fault.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		if strings.HasPrefix(fault.Code, "APIG") {
			f.gatewayError(w, status, fault.Code, "injected fault")
		} else {
			f.dnsError(w, status, fault.Code, "injected fault")
		}
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		f.dnsError(w, http.StatusBadRequest, "DNS.0001", "bad body")
		return
	}
	if code, msg := f.verify(r, body); code != "" {
		f.gatewayError(w, http.StatusUnauthorized, code, msg)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch action {
	case "ListPublicZones":
		f.listZones(w, r.URL.Query())
	case "ListRecordSetsByZone":
		f.listSets(w, parts[2], r.URL.Query())
	case "CreateRecordSet":
		f.create(w, parts[2], body)
	case "ShowRecordSet":
		f.show(w, parts[2], parts[4])
	case "UpdateRecordSet":
		f.update(w, parts[2], parts[4], body)
	case "SetRecordSetsStatus":
		f.setStatus(w, parts[2], body)
	default:
		f.gatewayError(w, http.StatusNotFound, "APIG.0101", "The API does not exist or has not been published in the environment")
	}
}

// verify checks the Authorization header the way the gateway does
// (API signing guide; huaweicloud-sdk-go-v3 core/auth/signer): the
// algorithm, a known AK, x-sdk-date signed and within maxSkew, and the
// signature recomputed over the signed headers as received. It returns a
// gateway error code and message, or "".
func (f *Fake) verify(r *http.Request, body []byte) (string, string) {
	const bad = "Incorrect IAM authentication information: verify aksk signature fail"
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "SDK-HMAC-SHA256 ")
	if !ok {
		return "APIG.0301", "Incorrect IAM authentication information: unsupported authorization"
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	if fields["Access"] != f.ak {
		return "APIG.0301", bad
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if !contains(signed, "x-sdk-date") {
		return "APIG.0301", bad
	}
	date := r.Header.Get("X-Sdk-Date")
	t, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return "APIG.0301", bad
	}
	if now := f.Now(); t.Sub(now) > maxSkew || now.Sub(t) > maxSkew {
		return "APIG.0301", fmt.Sprintf("Incorrect IAM authentication information: calc ak sk signature fail: signature expired, signature time:%s,server time:%s",
			date, now.UTC().Format("20060102T150405Z"))
	}
	// Canonical request from the request as received.
	var ch strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		ch.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	uri := r.URL.EscapedPath()
	segs := strings.Split(uri, "/")
	for i, s := range segs {
		dec, _ := url.PathUnescape(s)
		segs[i] = pctEncode(dec)
	}
	uri = strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var qs []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			qs = append(qs, pctEncode(k)+"="+pctEncode(v))
		}
	}
	bh := sha256.Sum256(body)
	cr := strings.Join([]string{r.Method, uri, strings.Join(qs, "&"), ch.String(), fields["SignedHeaders"], hex.EncodeToString(bh[:])}, "\n")
	crh := sha256.Sum256([]byte(cr))
	m := hmac.New(sha256.New, []byte(f.sk))
	m.Write([]byte("SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(crh[:])))
	if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(fields["Signature"])) {
		return "APIG.0301", bad
	}
	return "", ""
}

// pctEncode keeps only RFC 3986 unreserved characters.
func pctEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// match applies a name filter: search_mode equal is exact, like (the
// default for zones) a substring (ListPublicZones/ListRecordSetsByZone
// request models).
func match(have, want, mode string) bool {
	if want == "" {
		return true
	}
	if mode == "equal" {
		return strings.EqualFold(have, want)
	}
	return strings.Contains(strings.ToLower(have), strings.ToLower(want))
}

func (f *Fake) listZones(w http.ResponseWriter, q url.Values) {
	f.mu.Lock()
	var zs []map[string]any
	for _, z := range f.zones {
		if match(z.name+".", q.Get("name"), q.Get("search_mode")) {
			zs = append(zs, map[string]any{"id": z.id, "name": z.name + ".", "zone_type": "public", "status": "ACTIVE"})
		}
	}
	f.mu.Unlock()
	if zs == nil {
		zs = []map[string]any{}
	}
	f.write(w, http.StatusOK, map[string]any{"zones": zs, "metadata": map[string]int{"total_count": len(zs)}})
}

func (f *Fake) zoneByID(id string) *zone {
	for _, z := range f.zones {
		if z.id == id {
			return z
		}
	}
	return nil
}

func setJSON(z *zone, s *recordSet) map[string]any {
	return map[string]any{"id": s.id, "name": s.name, "type": s.typ, "ttl": s.ttl, "records": s.records,
		"status": s.status, "zone_id": z.id, "zone_name": z.name + ".", "default": false}
}

func (f *Fake) listSets(w http.ResponseWriter, zid string, q url.Values) {
	limit, offset := defaultLimit, 0
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if v := q.Get("offset"); v != "" {
		offset, _ = strconv.Atoi(v)
	}
	if limit < 0 || limit > maxLimit || offset < 0 {
		f.dnsError(w, http.StatusBadRequest, "DNS.0303", "Invalid limit or offset.")
		return
	}
	f.mu.Lock()
	z := f.zoneByID(zid)
	if z == nil {
		f.mu.Unlock()
		f.dnsError(w, http.StatusNotFound, "DNS.0101", "The zone does not exist.")
		return
	}
	mode := q.Get("search_mode")
	if mode == "" {
		mode = "equal" // "默认值为equal" (ListRecordSetsByZoneRequest.SearchMode)
	}
	var all []map[string]any
	for _, s := range z.sets {
		if t := q.Get("type"); t != "" && s.typ != t {
			continue
		}
		if !match(s.name, q.Get("name"), mode) {
			continue
		}
		all = append(all, setJSON(z, s))
	}
	f.mu.Unlock()
	total := len(all)
	start := min(offset, total)
	end := min(start+limit, total)
	page := all[start:end]
	if page == nil {
		page = []map[string]any{}
	}
	f.write(w, http.StatusOK, map[string]any{"recordsets": page, "metadata": map[string]int{"total_count": total}, "links": map[string]string{}})
}

type setBody struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	TTL     *int     `json:"ttl"`
	Records []string `json:"records"`
}

// checkValues: every value of an A set is IPv4, of AAAA IPv6, no
// duplicates, at least one (CreateRecordSetRequestBody.records).
func checkValues(typ string, vals []string) bool {
	if len(vals) == 0 || (typ != "A" && typ != "AAAA") {
		return false
	}
	seen := map[string]bool{}
	for _, v := range vals {
		a, err := netip.ParseAddr(v)
		if err != nil || (typ == "A") != a.Is4() || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

// create answers POST /v2/zones/{zone_id}/recordsets with 202 and the new
// set (status PENDING_CREATE). The name must end with the zone name and be
// an FQDN ("后缀需以zone name结束且为FQDN", CreateRecordSetRequestBody.name).
// A second set of the same name and type is refused as existing (DNS FAQ
// "Why Is a Message Indicating Conflict with an Existing Record Set
// Displayed When I Add a Record Set?"; the code is illustrative).
func (f *Fake) create(w http.ResponseWriter, zid string, body []byte) {
	var b setBody
	if err := json.Unmarshal(body, &b); err != nil || !checkValues(b.Type, b.Records) {
		f.dnsError(w, http.StatusBadRequest, "DNS.0303", "Invalid record set.")
		return
	}
	ttl := defaultTTL
	if b.TTL != nil {
		ttl = *b.TTL
	}
	if ttl < 1 {
		f.dnsError(w, http.StatusBadRequest, "DNS.0307", "Invalid TTL.")
		return
	}
	f.mu.Lock()
	z := f.zoneByID(zid)
	if z == nil {
		f.mu.Unlock()
		f.dnsError(w, http.StatusNotFound, "DNS.0101", "The zone does not exist.")
		return
	}
	name := strings.ToLower(b.Name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	if !strings.HasSuffix(b.Name, ".") || (name != z.name+"." && !strings.HasSuffix(name, "."+z.name+".")) {
		f.mu.Unlock()
		f.dnsError(w, http.StatusBadRequest, "DNS.0308", "The record set name does not belong to the zone.")
		return
	}
	for _, s := range z.sets {
		if s.name == name && s.typ == b.Type {
			f.mu.Unlock()
			f.dnsError(w, http.StatusBadRequest, "DNS.0312", "The record set already exists.")
			return
		}
	}
	s := &recordSet{id: newID(), name: name, typ: b.Type, ttl: ttl, records: append([]string(nil), b.Records...), status: "PENDING_CREATE"}
	z.sets = append(z.sets, s)
	out := setJSON(z, s)
	s.status = "ACTIVE"
	zname := z.name
	f.mu.Unlock()
	f.Wrote("create", zname, providers.Record{ID: s.id + "/" + s.records[0], Name: rel(zname, name), Type: s.typ, Value: s.records[0], TTL: ttl})
	f.write(w, http.StatusAccepted, out)
}

func (f *Fake) findSet(zid, sid string) (*zone, *recordSet) {
	z := f.zoneByID(zid)
	if z == nil {
		return nil, nil
	}
	for _, s := range z.sets {
		if s.id == sid {
			return z, s
		}
	}
	return z, nil
}

// show answers GET /v2/zones/{zone_id}/recordsets/{recordset_id}.
func (f *Fake) show(w http.ResponseWriter, zid, sid string) {
	f.mu.Lock()
	z, s := f.findSet(zid, sid)
	if s == nil {
		f.mu.Unlock()
		f.dnsError(w, http.StatusNotFound, "DNS.0304", "The record set does not exist.")
		return
	}
	out := setJSON(z, s)
	f.mu.Unlock()
	f.write(w, http.StatusOK, out)
}

// update answers PUT /v2/zones/{zone_id}/recordsets/{recordset_id}: the
// records list replaces the set's values (UpdateRecordSetReq.records).
func (f *Fake) update(w http.ResponseWriter, zid, sid string, body []byte) {
	var b setBody
	if err := json.Unmarshal(body, &b); err != nil {
		f.dnsError(w, http.StatusBadRequest, "DNS.0303", "Invalid record set.")
		return
	}
	f.mu.Lock()
	z, s := f.findSet(zid, sid)
	if s == nil {
		f.mu.Unlock()
		f.dnsError(w, http.StatusNotFound, "DNS.0304", "The record set does not exist.")
		return
	}
	vals := s.records
	if b.Records != nil {
		vals = b.Records
	}
	if !checkValues(s.typ, vals) || (b.TTL != nil && *b.TTL < 1) {
		f.mu.Unlock()
		f.dnsError(w, http.StatusBadRequest, "DNS.0303", "Invalid record set.")
		return
	}
	s.records = append([]string(nil), vals...)
	if b.TTL != nil {
		s.ttl = *b.TTL
	}
	out := setJSON(z, s)
	out["status"] = "PENDING_UPDATE"
	zname, name, typ, ttl, first := z.name, s.name, s.typ, s.ttl, s.records[0]
	f.mu.Unlock()
	f.Wrote("update", zname, providers.Record{ID: sid + "/" + first, Name: rel(zname, name), Type: typ, Value: first, TTL: ttl})
	f.write(w, http.StatusAccepted, out)
}

// setStatus answers PUT /v2.1/recordsets/{recordset_id}/statuses/set with
// {"status":"ENABLE"|"DISABLE"} (SetRecordSetsStatusRequestBody); the
// status belongs to the whole set. An enabled set lists as ACTIVE.
func (f *Fake) setStatus(w http.ResponseWriter, sid string, body []byte) {
	var b struct{ Status string }
	if err := json.Unmarshal(body, &b); err != nil || (b.Status != "ENABLE" && b.Status != "DISABLE") {
		f.dnsError(w, http.StatusBadRequest, "DNS.0303", "Invalid status.")
		return
	}
	f.mu.Lock()
	var z *zone
	var s *recordSet
	for _, zz := range f.zones {
		for _, ss := range zz.sets {
			if ss.id == sid {
				z, s = zz, ss
			}
		}
	}
	if s == nil {
		f.mu.Unlock()
		f.dnsError(w, http.StatusNotFound, "DNS.0304", "The record set does not exist.")
		return
	}
	s.status = "ACTIVE"
	if b.Status == "DISABLE" {
		s.status = "DISABLE"
	}
	out := setJSON(z, s)
	zname, name, typ, ttl, first := z.name, s.name, s.typ, s.ttl, s.records[0]
	f.mu.Unlock()
	f.Wrote("enable", zname, providers.Record{ID: sid + "/" + first, Name: rel(zname, name), Type: typ, Value: first, TTL: ttl})
	f.write(w, http.StatusOK, out)
}
