// Package tencentcloudtest is a local stand-in for the DNSPod API 3.0
// (2021-03-23): it checks TC3-HMAC-SHA256 signatures with its own
// implementation, keeps zones and records with numeric ids, pages lists,
// and answers errors the way the real API does (HTTP 200 with
// {"Response":{"Error":{...},"RequestId":...}}).
package tencentcloudtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

const (
	apiVersion  = "2021-03-23"
	apiService  = "dnspod"
	defaultLine = "默认"
	// maxSkew is the documented tolerance: "与服务器时间相差超过5分钟，会引起签名过期错误".
	maxSkew    = 5 * time.Minute
	defaultTTL = 600
	// minTTL is the free plan's minimum (LimitExceeded.RecordTtlLimit below it).
	minTTL       = 600
	maxTTL       = 604800
	defaultLimit = 100
	maxLimit     = 3000
	maxBody      = 1 << 20
)

// Fake is an in-memory DNSPod API 3.0 server for one account. It implements
// providertest.Fake and is safe for concurrent use.
type Fake struct {
	providertest.Ledger
	secretID, secretKey string

	mu       sync.Mutex
	zones    map[string]*zone
	nextID   uint64
	nextZone uint64
	nextReq  uint64
}

type zone struct {
	id      uint64
	records []*record
}

type record struct {
	id                uint64
	name, typ, value  string
	line              string
	ttl               uint64
	updatedOn, status string
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake that accepts requests signed by secretID/secretKey.
func New(secretID, secretKey string) *Fake {
	return &Fake{
		secretID: secretID, secretKey: secretKey,
		zones:  map[string]*zone{},
		nextID: 100000, nextZone: 5000,
	}
}

// AddZone makes zone known to the account.
func (f *Fake) AddZone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addZoneLocked(name)
}

func (f *Fake) addZoneLocked(name string) *zone {
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
	z := f.addZoneLocked(zoneName)
	ttl := uint64(defaultTTL)
	if rec.TTL > 0 {
		ttl = uint64(rec.TTL)
	}
	r := f.newRecordLocked(z, strings.ToLower(relName(rec.Name)), rec.Type, canonical(rec.Value), defaultLine, ttl)
	return strconv.FormatUint(r.id, 10)
}

func (f *Fake) newRecordLocked(z *zone, name, typ, value, line string, ttl uint64) *record {
	f.nextID++
	r := &record{id: f.nextID, name: name, typ: typ, value: value, line: line, ttl: ttl,
		status: "ENABLE", updatedOn: f.Now().Format(time.DateTime)}
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
	return providers.Record{ID: strconv.FormatUint(r.id, 10), Name: r.name, Type: r.typ, Value: r.value, TTL: int(r.ttl)}
}

// apiErr is an error answer in the API's shape.
type apiErr struct {
	code, msg string
}

func errf(code, format string, args ...any) *apiErr {
	return &apiErr{code: code, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP answers one API request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action := r.Header.Get("X-TC-Action")
	f.Called(action)
	f.mu.Lock()
	f.nextReq++
	reqID := fmt.Sprintf("fake-%08d-0000-4000-8000-%012d", f.nextReq, f.nextReq)
	f.mu.Unlock()
	now := f.Now()
	// Clients learn the real time from this header; it must come from the
	// fake's clock, including on errors.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))

	// The body is read first: Go's server only notices a client hanging up
	// once the body is consumed, and an injected delay must end then.
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if fault, ok := f.Faults().TakeFor(r, action); ok {
		if providertest.Apply(w, r, fault) {
			return
		}
		status := fault.Status
		if status == 0 {
			status = http.StatusOK
		}
		code := fault.Code
		if code == "" {
			code = codeForStatus(status)
		}
		writeJSON(w, status, errorBody(code, "injected fault", reqID))
		return
	}

	if readErr != nil || len(body) > maxBody {
		writeJSON(w, http.StatusOK, errorBody("InvalidParameter", "request body unreadable or too large", reqID))
		return
	}
	if e := f.authenticate(r, body, now); e != nil {
		writeJSON(w, http.StatusOK, errorBody(e.code, e.msg, reqID))
		return
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(body, &params); err != nil {
		writeJSON(w, http.StatusOK, errorBody("InvalidParameter", "请求体不是合法的 JSON", reqID))
		return
	}
	p := paramSet(params)

	var (
		resp  map[string]any
		e     *apiErr
		wrote *providers.Record
		zname string
	)
	f.mu.Lock()
	switch action {
	case "DescribeRecordList":
		resp, e = f.describeRecordList(p)
	case "CreateRecord":
		resp, wrote, zname, e = f.createRecord(p)
	case "ModifyRecord":
		resp, wrote, zname, e = f.modifyRecord(p)
	default:
		e = errf("InvalidAction", "接口%s不存在", action)
	}
	f.mu.Unlock()

	if e != nil {
		writeJSON(w, http.StatusOK, errorBody(e.code, e.msg, reqID))
		return
	}
	if wrote != nil {
		f.Wrote(action, zname, *wrote)
	}
	resp["RequestId"] = reqID
	writeJSON(w, http.StatusOK, map[string]any{"Response": resp})
}

// authenticate checks the common headers and the signature, in the order
// the real API reports problems: unknown key, stale timestamp, bad
// signature.
func (f *Fake) authenticate(r *http.Request, body []byte, now time.Time) *apiErr {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return errf("UnsupportedProtocol", "method %s not supported", r.Method)
	}
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return errf("AuthFailure.InvalidAuthorization", "Authorization 不符合腾讯云标准")
	}
	if a.secretID != f.secretID {
		return errf("AuthFailure.SecretIdNotFound", "密钥不存在")
	}
	tsText := r.Header.Get("X-TC-Timestamp")
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errf("MissingParameter", "缺少参数 X-TC-Timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxSkew || d < -maxSkew {
		return errf("AuthFailure.SignatureExpire", "签名过期。Timestamp 和服务器时间相差不得超过五分钟")
	}
	if a.date != utcDate(ts) || a.service != apiService {
		return errf("AuthFailure.SignatureFailure", "credential scope %s/%s does not match the request", a.date, a.service)
	}
	if !containsAll(a.signedHeaders, "content-type", "host") {
		return errf("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host")
	}
	want, err := expectedSignature(r, body, a, tsText, f.secretKey)
	if err != nil || want != a.signature {
		return errf("AuthFailure.SignatureFailure", "请求签名验证失败")
	}
	if v := r.Header.Get("X-TC-Version"); v != apiVersion {
		return errf("NoSuchVersion", "版本 %q 不存在", v)
	}
	if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return errf("InvalidParameter", "POST 请求须使用 application/json")
	}
	return nil
}

func (f *Fake) zoneLocked(p paramSet) (string, *zone, *apiErr) {
	name, ok, e := p.str("Domain")
	if e != nil {
		return "", nil, e
	}
	if !ok || name == "" {
		return "", nil, errf("MissingParameter", "缺少参数 Domain")
	}
	z, found := f.zones[strings.ToLower(name)]
	if !found {
		return "", nil, errf("InvalidParameterValue.DomainNotExists", "当前域名有误，请返回重新操作。")
	}
	return strings.ToLower(name), z, nil
}

func (f *Fake) describeRecordList(p paramSet) (map[string]any, *apiErr) {
	_, z, e := f.zoneLocked(p)
	if e != nil {
		return nil, e
	}
	sub, hasSub, e := p.str("SubDomain")
	if e != nil {
		return nil, e
	}
	if !hasSub || sub == "" {
		// The deprecated spelling, honoured only without SubDomain.
		if sub, _, e = p.str("Subdomain"); e != nil {
			return nil, e
		}
	}
	typ, _, e := p.str("RecordType")
	if e != nil {
		return nil, e
	}
	limit, hasLimit, e := p.uint("Limit")
	if e != nil {
		return nil, e
	}
	if !hasLimit || limit == 0 {
		limit = defaultLimit
	}
	if limit > maxLimit {
		return nil, errf("InvalidParameter", "Limit 取值范围 1-%d", maxLimit)
	}
	offset, _, e := p.uint("Offset")
	if e != nil {
		return nil, e
	}
	onEmpty, _, e := p.str("ErrorOnEmpty")
	if e != nil {
		return nil, e
	}

	var match []*record
	for _, r := range z.records {
		if sub != "" && r.name != strings.ToLower(sub) {
			continue
		}
		if typ != "" && r.typ != typ {
			continue
		}
		match = append(match, r)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].id < match[j].id })
	total := uint64(len(match))
	if total == 0 && onEmpty != "no" {
		return nil, errf("ResourceNotFound.NoDataOfRecord", "记录列表为空。")
	}
	var page []*record
	if offset < total {
		end := min(offset+limit, total)
		page = match[offset:end]
	}
	list := make([]map[string]any, 0, len(page))
	subdomains := map[string]bool{}
	for _, r := range z.records {
		subdomains[r.name] = true
	}
	for _, r := range page {
		list = append(list, map[string]any{
			"RecordId": r.id, "Value": r.value, "Status": r.status, "UpdatedOn": r.updatedOn,
			"Name": r.name, "Line": r.line, "LineId": "0", "Type": r.typ, "Weight": nil,
			"MonitorStatus": "", "Remark": "", "TTL": r.ttl, "MX": 0, "DefaultNS": false,
		})
	}
	return map[string]any{
		"RecordCountInfo": map[string]any{
			"SubdomainCount": len(subdomains), "ListCount": len(list), "TotalCount": total,
		},
		"RecordList": list,
	}, nil
}

// recordParams reads and validates what CreateRecord and ModifyRecord share.
func recordParams(p paramSet) (name, typ, value, line string, ttl uint64, e *apiErr) {
	var ok bool
	if name, _, e = p.str("SubDomain"); e != nil {
		return
	}
	name = strings.ToLower(relName(name))
	if !validSubdomain(name) {
		e = errf("InvalidParameter.SubdomainInvalid", "子域名不正确。")
		return
	}
	if typ, ok, e = p.str("RecordType"); e != nil {
		return
	} else if !ok || typ == "" {
		e = errf("MissingParameter", "缺少参数 RecordType")
		return
	}
	if value, ok, e = p.str("Value"); e != nil {
		return
	} else if !ok || value == "" {
		e = errf("MissingParameter", "缺少参数 Value")
		return
	}
	lineID, hasLineID, e2 := p.str("RecordLineId")
	if e2 != nil {
		e = e2
		return
	}
	if line, ok, e = p.str("RecordLine"); e != nil {
		return
	}
	switch {
	case hasLineID && lineID == "0": // RecordLineId takes priority over RecordLine
		line = defaultLine
	case hasLineID:
		e = errf("InvalidParameter.RecordLineInvalid", "记录线路不正确。")
		return
	case !ok || line == "":
		e = errf("MissingParameter", "缺少参数 RecordLine")
		return
	case line != defaultLine:
		e = errf("InvalidParameter.RecordLineInvalid", "记录线路不正确。")
		return
	}
	switch typ {
	case "A", "AAAA":
		a, err := netip.ParseAddr(value)
		if err != nil || a.Zone() != "" || (typ == "A") != a.Is4() {
			e = errf("InvalidParameter.RecordValueInvalid", "记录值不正确。")
			return
		}
		value = a.String()
	case "CNAME", "TXT", "MX", "NS":
	default:
		e = errf("InvalidParameter.RecordTypeInvalid", "记录类型不正确。")
		return
	}
	ttl, ok, e = p.uint("TTL")
	if e != nil {
		return
	}
	if !ok || ttl == 0 {
		ttl = defaultTTL
	}
	if ttl < minTTL || ttl > maxTTL {
		e = errf("LimitExceeded.RecordTtlLimit", "TTL 值超出当前套餐限制。")
	}
	return
}

func (f *Fake) createRecord(p paramSet) (map[string]any, *providers.Record, string, *apiErr) {
	zname, z, e := f.zoneLocked(p)
	if e != nil {
		return nil, nil, "", e
	}
	name, typ, value, line, ttl, e := recordParams(p)
	if e != nil {
		return nil, nil, "", e
	}
	for _, r := range z.records {
		if r.name == name && r.typ == typ && r.line == line && r.value == value {
			return nil, nil, "", errf("InvalidParameter.DomainRecordExist", "记录已经存在，无需再次添加。")
		}
	}
	r := f.newRecordLocked(z, name, typ, value, line, ttl)
	pub := r.public()
	return map[string]any{"RecordId": r.id}, &pub, zname, nil
}

// modifyRecord changes a record.
//
// The real API's answer to a ModifyRecord that changes nothing is not
// documented; the SDK lists InvalidParameter.DomainRecordExist for
// ModifyRecord and DNSPod's older API refused an unchanged modify with
// code 104 ("记录已经存在"). The fake follows that reading: a modify that
// would leave the record exactly as it is, or duplicate another record of
// the same name, type, line and value, is refused with DomainRecordExist.
func (f *Fake) modifyRecord(p paramSet) (map[string]any, *providers.Record, string, *apiErr) {
	zname, z, e := f.zoneLocked(p)
	if e != nil {
		return nil, nil, "", e
	}
	id, ok, e := p.uint("RecordId")
	if e != nil {
		return nil, nil, "", e
	}
	if !ok {
		return nil, nil, "", errf("MissingParameter", "缺少参数 RecordId")
	}
	var target *record
	for _, r := range z.records {
		if r.id == id {
			target = r
		}
	}
	if target == nil {
		return nil, nil, "", errf("InvalidParameter.RecordIdInvalid", "记录编号错误。")
	}
	name, typ, value, line, ttl, e := recordParams(p)
	if e != nil {
		return nil, nil, "", e
	}
	for _, r := range z.records {
		same := r.name == name && r.typ == typ && r.line == line && r.value == value
		if same && (r != target || r.ttl == ttl) {
			return nil, nil, "", errf("InvalidParameter.DomainRecordExist", "记录已经存在，无需再次添加。")
		}
	}
	target.name, target.typ, target.value, target.line, target.ttl = name, typ, value, line, ttl
	target.updatedOn = f.Now().Format(time.DateTime)
	pub := target.public()
	return map[string]any{"RecordId": target.id}, &pub, zname, nil
}

// paramSet reads request parameters by their exact, case-sensitive names.
type paramSet map[string]json.RawMessage

func (p paramSet) str(key string) (string, bool, *apiErr) {
	raw, ok := p[key]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, errf("InvalidParameter", "参数 %s 应为 String", key)
	}
	return s, true, nil
}

func (p paramSet) uint(key string) (uint64, bool, *apiErr) {
	raw, ok := p[key]
	if !ok || string(raw) == "null" {
		return 0, false, nil
	}
	var n uint64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, true, errf("InvalidParameter", "参数 %s 应为 Integer", key)
	}
	return n, true, nil
}

func errorBody(code, msg, reqID string) map[string]any {
	return map[string]any{"Response": map[string]any{
		"Error":     map[string]string{"Code": code, "Message": msg},
		"RequestId": reqID,
	}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// codeForStatus picks the API error code an injected HTTP status stands for.
func codeForStatus(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "RequestLimitExceeded"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "AuthFailure.UnauthorizedOperation"
	default:
		return "InternalError"
	}
}

func relName(name string) string {
	if name == "" {
		return "@"
	}
	return name
}

func canonical(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.String()
	}
	return v
}

// validSubdomain accepts "@" and dot-separated labels of letters, digits,
// '-', '_' and a leading '*'.
func validSubdomain(s string) bool {
	if s == "@" {
		return true
	}
	if s == "" || len(s) > 253 {
		return false
	}
	for i, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || (c == '*' && label == "*" && i == 0)
			if !ok {
				return false
			}
		}
	}
	return true
}

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			if l == w {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
