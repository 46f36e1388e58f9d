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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

const (
	// Path is where the API lives; other paths answer 404.
	Path = "/v2/index.php"
	// DefaultLine is the name of the default line; CNS writes take line
	// names ("recordLine ... 记录的线路名称，如：'默认'",
	// https://cloud.tencent.com/document/product/302/8516, RecordCreate).
	DefaultLine = "默认"
	// maxSkew is the documented Timestamp tolerance.
	maxSkew       = 2 * time.Hour
	defaultTTL    = 600
	minTTL        = 600
	maxTTL        = 604800
	defaultLength = 20
	maxLength     = 100
	maxBody       = 1 << 20
)

// lineIDs maps the free plan's line names to the line_id RecordList shows
// (https://cloud.tencent.com/document/product/302/8517); the ids besides
// "0" are (observed) DNSPod line ids.
var lineIDs = map[string]string{DefaultLine: "0", "电信": "10=0", "联通": "10=1", "教育网": "10=2", "移动": "10=3", "境外": "3=0"}

// Fake is an in-memory CNS API 2.0 server for one account. It implements
// providertest.Fake and is safe for concurrent use.
type Fake struct {
	providertest.Ledger
	secretID, secretKey string

	mu     sync.Mutex
	store  *providertest.Store // Line holds the line's name ("默认")
	zoneID map[string]int64
	nonces map[string]time.Time // nonce -> when first seen
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake that accepts requests signed by secretID/secretKey.
func New(secretID, secretKey string) *Fake {
	return &Fake{
		secretID: secretID, secretKey: secretKey,
		store: providertest.NewStore(281000000), zoneID: map[string]int64{}, nonces: map[string]time.Time{},
	}
}

// AddZone makes zone known to the account.
func (f *Fake) AddZone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addZoneLocked(name)
}

func (f *Fake) addZoneLocked(name string) {
	if f.store.AddZone(name) {
		f.zoneID[providertest.CanonZone(name)] = 55300000 + int64(len(f.zoneID)+1)
	}
}

// Put stores rec in zone (creating the zone if needed) and returns its id.
// rec.Line is a line name, "" for the default line; rec.Disabled stores it
// paused.
func (f *Fake) Put(zoneName string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addZoneLocked(zoneName)
	ttl := rec.TTL
	if ttl <= 0 {
		ttl = defaultTTL
	}
	line := rec.Line
	if line == "" {
		line = DefaultLine
	}
	r := f.store.Add(providertest.StoredRecord{Zone: zoneName, Name: relName(rec.Name), Type: rec.Type,
		Value: canonicalAddr(rec.Value), Line: line, TTL: ttl, Disabled: rec.Disabled, Updated: f.Now().Format(time.DateTime)})
	return strconv.FormatUint(r.ID, 10)
}

// Records returns zone's records sorted by name, type and id.
func (f *Fake) Records(zoneName string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.Records(zoneName)
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
	case "RecordStatus":
		data, wrote, a = f.recordStatus(form)
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

func (f *Fake) domainLocked(form url.Values) (string, *answer) {
	d := strings.ToLower(form.Get("domain"))
	if d == "" {
		return "", badParam("(10005)缺少参数 domain")
	}
	if !f.store.HasZone(d) {
		return "", fail(5000, "ResourceNotFound", "(6)域名不存在")
	}
	return d, nil
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

// recordList serves RecordList (https://cloud.tencent.com/document/product/302/8517):
// filters subDomain and recordType, pages with offset and length (at most
// 100). Each record carries line and line_id, and enabled (1, or 0 for a
// paused record) with status "enabled"/"disabled" (the doc's example
// spells the first); paused records are listed.
func (f *Fake) recordList(form url.Values) (any, *answer) {
	d, a := f.domainLocked(form)
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
	match := f.store.Find(d, func(r *providertest.StoredRecord) bool {
		return (sub == "" || r.Name == sub) && (typ == "" || r.Type == typ)
	})
	page, total := providertest.Page(match, offset, length)
	recs := make([]map[string]any, 0, len(page))
	for _, r := range page {
		enabled, status := 1, "enabled"
		if r.Disabled {
			enabled, status = 0, "disabled"
		}
		recs = append(recs, map[string]any{
			"id": r.ID, "ttl": r.TTL, "value": r.Value, "enabled": enabled, "status": status,
			"updated_on": r.Updated, "q_project_id": 0, "name": r.Name, "line": r.Line,
			"line_id": lineIDs[r.Line], "type": r.Type, "remark": "", "mx": 0,
		})
	}
	return map[string]any{
		"domain": map[string]any{"id": strconv.FormatInt(f.zoneID[d], 10), "ttl": defaultTTL, "min_ttl": minTTL, "status": "enable"},
		// The doc gives these counts as strings.
		"info":    map[string]any{"sub_domains": strconv.Itoa(len(f.store.Find(d, nil))), "record_total": strconv.Itoa(total)},
		"records": recs,
	}, nil
}

// recordFields validates what RecordCreate and RecordModify share. Both
// take the line by name in recordLine (required); an unknown line is
// DNSPod's module code 26 ("记录线路错误").
func recordFields(form url.Values) (r providertest.StoredRecord, a *answer) {
	r.Name = strings.ToLower(form.Get("subDomain"))
	if r.Name == "" {
		return r, badParam("(10008)缺少参数 subDomain")
	}
	if !validName(r.Name) {
		return r, badParam("(22)子域名不合法")
	}
	r.Type, r.Value = form.Get("recordType"), form.Get("value")
	if r.Type == "" || r.Value == "" {
		return r, badParam("(6)缺少参数或者参数错误")
	}
	r.Line = form.Get("recordLine")
	if _, ok := lineIDs[r.Line]; !ok {
		return r, badParam("(26)记录线路错误")
	}
	switch r.Type {
	case "A", "AAAA":
		ip, err := netip.ParseAddr(r.Value)
		if err != nil || ip.Zone() != "" || ip.Is4() != (r.Type == "A") {
			return r, badParam("(34)记录值非法")
		}
		r.Value = ip.String()
	case "CNAME", "TXT", "MX", "NS":
	default:
		return r, badParam("(27)记录类型错误")
	}
	if r.TTL, a = intParam(form, "ttl", defaultTTL); a != nil {
		return r, a
	}
	if r.TTL == 0 {
		r.TTL = defaultTTL
	}
	if r.TTL < minTTL || r.TTL > maxTTL {
		// DNSPod's legacy code 32 is "TTL 超出限制" (docs.dnspod.cn, 公共返回码).
		return r, badParam("(32)TTL 超出范围 %d-%d", minTTL, maxTTL)
	}
	return r, nil
}

func (f *Fake) recordCreate(form url.Values) (any, *providers.Record, *answer) {
	d, a := f.domainLocked(form)
	if a != nil {
		return nil, nil, a
	}
	r, a := recordFields(form)
	if a != nil {
		return nil, nil, a
	}
	r.Zone = d
	if f.store.Duplicate(r, 0) != nil {
		return nil, nil, badParam("(104)记录已经存在，无需再次添加")
	}
	r.Updated = f.Now().Format(time.DateTime)
	stored := f.store.Add(r)
	pub := stored.Public()
	// RecordCreate gives the id as a string (per the doc's example).
	return map[string]any{"record": map[string]any{"id": pub.ID, "name": stored.Name, "status": "enabled", "weight": nil}}, &pub, nil
}

// recordModify changes a record onto the line sent. It leaves the status
// alone (RecordModify has no status parameter,
// https://cloud.tencent.com/document/product/302/8511; RecordStatus sets
// it). A modify that would leave the record as it is, or duplicate a
// sibling, is refused with module code 104 as DNSPod's legacy Record.Modify
// did.
func (f *Fake) recordModify(form url.Values) (any, *providers.Record, *answer) {
	target, a := f.target(form)
	if a != nil {
		return nil, nil, a
	}
	r, a := recordFields(form)
	if a != nil {
		return nil, nil, a
	}
	r.Zone = target.Zone
	unchanged := r.Name == target.Name && r.Type == target.Type && r.Value == target.Value && r.Line == target.Line && r.TTL == target.TTL
	if unchanged || f.store.Duplicate(r, target.ID) != nil {
		return nil, nil, badParam("(104)记录已经存在，无需再次添加")
	}
	target.Name, target.Type, target.Value, target.Line, target.TTL = r.Name, r.Type, r.Value, r.Line, r.TTL
	target.Updated = f.Now().Format(time.DateTime)
	pub := target.Public()
	return map[string]any{"record": map[string]any{"id": target.ID, "name": target.Name, "value": target.Value, "status": "enabled", "weight": nil}}, &pub, nil
}

// recordStatus serves RecordStatus: domain, recordId and status 'enable'
// or 'disable' (https://cloud.tencent.com/document/product/302/8519); the
// answer has no data.
func (f *Fake) recordStatus(form url.Values) (any, *providers.Record, *answer) {
	target, a := f.target(form)
	if a != nil {
		return nil, nil, a
	}
	switch form.Get("status") {
	case "enable":
		target.Disabled = false
	case "disable":
		target.Disabled = true
	default:
		return nil, nil, badParam("(6)status 取值为 enable 或 disable")
	}
	pub := target.Public()
	return nil, &pub, nil
}

// target finds the record named by domain and recordId; an unknown id is
// DNSPod's module code 8 ("记录编号错误").
func (f *Fake) target(form url.Values) (*providertest.StoredRecord, *answer) {
	d, a := f.domainLocked(form)
	if a != nil {
		return nil, a
	}
	id, err := strconv.ParseUint(form.Get("recordId"), 10, 64)
	if err != nil {
		return nil, badParam("(8)记录编号错误")
	}
	t := f.store.Get(id)
	if t == nil || t.Zone != d {
		return nil, badParam("(8)记录编号错误")
	}
	return t, nil
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
