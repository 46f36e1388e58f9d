// Package qcloudcnstest is a local stand-in for Tencent's legacy CNS API
// (https://cns.api.qcloud.com/v2/index.php). It checks API 2.0 signatures
// with its own implementation, refuses stale timestamps and reused nonces
// (code 4500), keeps zones and records with numeric ids, pages RecordList,
// and answers {"code":N,"message":...,"codeDesc":...} like the real API.
//
// The real API is gone, so the error codeDesc strings and module codes in
// messages ("(104)记录已经存在…") follow the published common codes and
// DNSPod's legacy API which CNS fronted; see each answer below.
package qcloudcnstest

import (
	"encoding/json"
	"fmt"
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
	// Path is where the API lives; other paths answer 404.
	Path        = "/v2/index.php"
	defaultLine = "默认"
	// maxSkew is the documented Timestamp tolerance.
	maxSkew       = 2 * time.Hour
	defaultTTL    = 600
	minTTL        = 600
	maxTTL        = 604800
	defaultLength = 20
	maxLength     = 100
	maxBody       = 1 << 20
)

// Fake is an in-memory CNS API 2.0 server for one account. It implements
// providertest.Fake and is safe for concurrent use.
type Fake struct {
	providertest.Ledger
	secretID, secretKey string

	mu       sync.Mutex
	zones    map[string]*zone
	nextID   int64
	nextZone int64
	nonces   map[string]time.Time // nonce -> when first seen
}

type zone struct {
	id      int64
	records []*record
}

type record struct {
	id               int64
	name, typ, value string
	line             string
	ttl              int
	updatedOn        string
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake that accepts requests signed by secretID/secretKey.
func New(secretID, secretKey string) *Fake {
	return &Fake{
		secretID: secretID, secretKey: secretKey,
		zones: map[string]*zone{}, nonces: map[string]time.Time{},
		nextID: 281000000, nextZone: 55300000,
	}
}

// AddZone makes zone known to the account.
func (f *Fake) AddZone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.zoneLocked(name)
}

func (f *Fake) zoneLocked(name string) *zone {
	name = strings.ToLower(name)
	if z, ok := f.zones[name]; ok {
		return z
	}
	f.nextZone++
	z := &zone{id: f.nextZone}
	f.zones[name] = z
	return z
}

// Put stores rec in zone (creating the zone if needed) and returns its id.
func (f *Fake) Put(zoneName string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := f.zoneLocked(zoneName)
	ttl := rec.TTL
	if ttl <= 0 {
		ttl = defaultTTL
	}
	r := f.addLocked(z, strings.ToLower(relName(rec.Name)), rec.Type, canonicalAddr(rec.Value), defaultLine, ttl)
	return strconv.FormatInt(r.id, 10)
}

func (f *Fake) addLocked(z *zone, name, typ, value, line string, ttl int) *record {
	f.nextID++
	r := &record{id: f.nextID, name: name, typ: typ, value: value, line: line, ttl: ttl, updatedOn: f.Now().Format(time.DateTime)}
	z.records = append(z.records, r)
	return r
}

// Records returns zone's records sorted by name, type and id.
func (f *Fake) Records(zoneName string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	z, ok := f.zones[strings.ToLower(zoneName)]
	if !ok {
		return nil
	}
	out := make([]providers.Record, len(z.records))
	for i, r := range z.records {
		out[i] = r.public()
	}
	providertest.SortRecords(out)
	return out
}

func (r *record) public() providers.Record {
	return providers.Record{ID: strconv.FormatInt(r.id, 10), Name: r.name, Type: r.typ, Value: r.value, TTL: r.ttl}
}

// answer is an API 2.0 error.
type answer struct {
	code     int
	codeDesc string
	msg      string
}

func fail(code int, desc, format string, args ...any) *answer {
	return &answer{code: code, codeDesc: desc, msg: fmt.Sprintf(format, args...)}
}

// Module errors, in the "(module code)text" form of CNS messages, with
// DNSPod's legacy module codes.
func badParam(format string, args ...any) *answer {
	return fail(4000, "InvalidParameter", format, args...)
}

// ServeHTTP answers one API request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	form := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			w.Header().Set("Date", f.Now().UTC().Format(http.TimeFormat))
			writeJSON(w, http.StatusOK, errBody(badParam("(10001)请求体无法解析")))
			return
		}
		// POST parameters come from the body only, as the client sends them.
		form = r.PostForm
	}
	action := form.Get("Action")

	f.Called(action)
	now := f.Now()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))

	if fault, ok := f.Faults().TakeFor(r, action); ok {
		if providertest.Apply(w, r, fault) {
			return
		}
		status := fault.Status
		if status == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, errBody(faultAnswer(fault, status)))
		return
	}

	if a := f.authenticate(r, form, now); a != nil {
		writeJSON(w, http.StatusOK, errBody(a))
		return
	}

	var (
		data  any
		a     *answer
		wrote *providers.Record
		zname = strings.ToLower(form.Get("domain"))
	)
	f.mu.Lock()
	switch action {
	case "RecordList":
		data, a = f.recordList(form)
	case "RecordCreate":
		data, wrote, a = f.recordCreate(form)
	case "RecordModify":
		data, wrote, a = f.recordModify(form)
	default:
		a = fail(4000, "InvalidParameter", "(10000)Action %q 不存在", action)
	}
	f.mu.Unlock()

	if a != nil {
		writeJSON(w, http.StatusOK, errBody(a))
		return
	}
	if wrote != nil {
		f.Wrote(action, zname, *wrote)
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": "", "codeDesc": "Success", "data": data})
}

// authenticate checks SecretId, Timestamp, Signature and Nonce, in that
// order; a nonce is only spent by a request that is otherwise valid.
func (f *Fake) authenticate(r *http.Request, form url.Values, now time.Time) *answer {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return fail(4600, "UnsupportedProtocol", "method %s not supported", r.Method)
	}
	id := form.Get("SecretId")
	if id == "" || id != f.secretID {
		return fail(4104, "AuthFailure.SecretIdNotFound", "SecretId不存在或已被禁用")
	}
	ts, err := strconv.ParseInt(form.Get("Timestamp"), 10, 64)
	if err != nil {
		return badParam("(10002)缺少参数 Timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxSkew || d < -maxSkew {
		return fail(4500, "RequestExpired", "请求的 Timestamp 与服务器时间相差超过2小时 (timestamp out of range)")
	}
	nonce := form.Get("Nonce")
	if n, err := strconv.ParseUint(nonce, 10, 63); err != nil || n == 0 {
		return badParam("(10003)Nonce 必须为正整数")
	}
	want, ok := digest(form.Get("SignatureMethod"), f.secretKey, canonical(r.Method, r.Host, r.URL.Path, form))
	if !ok {
		return badParam("(10004)SignatureMethod 不支持")
	}
	if form.Get("Signature") != want {
		return fail(4100, "AuthFailure.SignatureFailure", "鉴权失败，请检查签名")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for n, seen := range f.nonces {
		if now.Sub(seen) > maxSkew || seen.Sub(now) > maxSkew {
			delete(f.nonces, n)
		}
	}
	key := id + "/" + nonce
	if _, used := f.nonces[key]; used {
		return fail(4500, "ReplayAttack", "Nonce 已被使用，疑似重放攻击")
	}
	f.nonces[key] = now
	return nil
}

func (f *Fake) domainLocked(form url.Values) (*zone, *answer) {
	d := strings.ToLower(form.Get("domain"))
	if d == "" {
		return nil, badParam("(10005)缺少参数 domain")
	}
	z, ok := f.zones[d]
	if !ok {
		return nil, fail(5000, "ResourceNotFound", "(6)域名不存在")
	}
	return z, nil
}

func intParam(form url.Values, key string, def int) (int, *answer) {
	s := form.Get(key)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, badParam("(10006)参数 %s 必须为非负整数", key)
	}
	return n, nil
}

func (f *Fake) recordList(form url.Values) (any, *answer) {
	z, a := f.domainLocked(form)
	if a != nil {
		return nil, a
	}
	offset, a := intParam(form, "offset", 0)
	if a != nil {
		return nil, a
	}
	length, a := intParam(form, "length", defaultLength)
	if a != nil {
		return nil, a
	}
	if length == 0 {
		length = defaultLength
	}
	if length > maxLength {
		return nil, badParam("(10007)length 最大为 %d", maxLength)
	}
	sub, typ := strings.ToLower(form.Get("subDomain")), form.Get("recordType")
	var match []*record
	for _, r := range z.records {
		if (sub == "" || r.name == sub) && (typ == "" || r.typ == typ) {
			match = append(match, r)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].id < match[j].id })
	var page []*record
	if offset < len(match) {
		page = match[offset:min(offset+length, len(match))]
	}
	recs := make([]map[string]any, 0, len(page))
	for _, r := range page {
		recs = append(recs, map[string]any{
			"id": r.id, "ttl": r.ttl, "value": r.value, "enabled": 1, "status": "enabled",
			"updated_on": r.updatedOn, "q_project_id": 0, "name": r.name, "line": r.line,
			"line_id": "0", "type": r.typ, "remark": "", "mx": 0,
		})
	}
	return map[string]any{
		"domain": map[string]any{"id": strconv.FormatInt(z.id, 10), "ttl": defaultTTL, "min_ttl": minTTL, "status": "enable"},
		// The doc gives these counts as strings.
		"info":    map[string]any{"sub_domains": strconv.Itoa(len(z.records)), "record_total": strconv.Itoa(len(match))},
		"records": recs,
	}, nil
}

// recordFields validates what RecordCreate and RecordModify share.
func recordFields(form url.Values) (name, typ, value string, ttl int, a *answer) {
	name = strings.ToLower(form.Get("subDomain"))
	if name == "" {
		return "", "", "", 0, badParam("(10008)缺少参数 subDomain")
	}
	if !validName(name) {
		return "", "", "", 0, badParam("(22)子域名不合法")
	}
	typ, value = form.Get("recordType"), form.Get("value")
	if typ == "" || value == "" {
		return "", "", "", 0, badParam("(6)缺少参数或者参数错误")
	}
	if line := form.Get("recordLine"); line != defaultLine {
		return "", "", "", 0, badParam("(26)记录线路错误")
	}
	switch typ {
	case "A", "AAAA":
		ip, err := netip.ParseAddr(value)
		if err != nil || ip.Zone() != "" || ip.Is4() != (typ == "A") {
			return "", "", "", 0, badParam("(34)记录值非法")
		}
		value = ip.String()
	case "CNAME", "TXT", "MX", "NS":
	default:
		return "", "", "", 0, badParam("(27)记录类型错误")
	}
	ttl, a = intParam(form, "ttl", defaultTTL)
	if a != nil {
		return "", "", "", 0, a
	}
	if ttl == 0 {
		ttl = defaultTTL
	}
	if ttl < minTTL || ttl > maxTTL {
		return "", "", "", 0, badParam("(100)TTL 超出范围 %d-%d", minTTL, maxTTL)
	}
	return name, typ, value, ttl, nil
}

func (f *Fake) recordCreate(form url.Values) (any, *providers.Record, *answer) {
	z, a := f.domainLocked(form)
	if a != nil {
		return nil, nil, a
	}
	name, typ, value, ttl, a := recordFields(form)
	if a != nil {
		return nil, nil, a
	}
	for _, r := range z.records {
		if r.name == name && r.typ == typ && r.value == value {
			return nil, nil, badParam("(104)记录已经存在，无需再次添加")
		}
	}
	r := f.addLocked(z, name, typ, value, defaultLine, ttl)
	pub := r.public()
	// RecordCreate gives the id as a string (per the doc's example).
	return map[string]any{"record": map[string]any{"id": strconv.FormatInt(r.id, 10), "name": r.name, "status": "enabled", "weight": nil}}, &pub, nil
}

// recordModify changes a record. A modify that would leave the record as
// it is, or duplicate a sibling, is refused with module code 104 as
// DNSPod's legacy Record.Modify did.
func (f *Fake) recordModify(form url.Values) (any, *providers.Record, *answer) {
	z, a := f.domainLocked(form)
	if a != nil {
		return nil, nil, a
	}
	id, err := strconv.ParseInt(form.Get("recordId"), 10, 64)
	if err != nil {
		return nil, nil, badParam("(8)记录编号错误")
	}
	var target *record
	for _, r := range z.records {
		if r.id == id {
			target = r
		}
	}
	if target == nil {
		return nil, nil, badParam("(8)记录编号错误")
	}
	name, typ, value, ttl, a := recordFields(form)
	if a != nil {
		return nil, nil, a
	}
	for _, r := range z.records {
		same := r.name == name && r.typ == typ && r.value == value
		if same && (r != target || r.ttl == ttl) {
			return nil, nil, badParam("(104)记录已经存在，无需再次添加")
		}
	}
	target.name, target.typ, target.value, target.ttl = name, typ, value, ttl
	target.updatedOn = f.Now().Format(time.DateTime)
	pub := target.public()
	return map[string]any{"record": map[string]any{"id": target.id, "name": target.name, "value": target.value, "status": "enabled", "weight": nil}}, &pub, nil
}

// faultAnswer turns an injected fault into an API 2.0 error. Code may be a
// number ("4400") or a codeDesc ("RequestLimitExceeded").
func faultAnswer(fl providertest.Fault, status int) *answer {
	if n, err := strconv.Atoi(fl.Code); err == nil {
		return fail(n, "", "injected fault")
	}
	switch d := fl.Code; {
	case strings.HasPrefix(d, "RequestLimitExceeded"):
		return fail(4400, d, "injected fault")
	case strings.HasPrefix(d, "AuthFailure"):
		return fail(4100, d, "injected fault")
	case d != "":
		return fail(4000, d, "injected fault")
	case status == http.StatusTooManyRequests:
		return fail(4400, "RequestLimitExceeded", "injected fault")
	default:
		return fail(6000, "InternalError", "injected fault")
	}
}

func errBody(a *answer) map[string]any {
	return map[string]any{"code": a.code, "message": a.msg, "codeDesc": a.codeDesc}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func relName(name string) string {
	if name == "" {
		return "@"
	}
	return name
}

func canonicalAddr(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.String()
	}
	return v
}

// validName accepts "@" and dot-separated labels of letters, digits, '-',
// '_' and a leading "*".
func validName(s string) bool {
	if s == "@" {
		return true
	}
	if len(s) > 253 {
		return false
	}
	for i, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		if l == "*" && i == 0 {
			continue
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
