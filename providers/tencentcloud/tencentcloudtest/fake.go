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
	// DefaultLineID is the RecordLineId of the default line: "0" on every
	// account, Chinese or international, as DescribeRecordList items show
	// it in LineId (observed; the SDK's models.go documents RecordLineId as
	// "线路的 ID，通过 API 获取").
	DefaultLineID = "0"
	// maxSkew is the documented tolerance: "与服务器时间相差超过5分钟，会引起签名过期错误".
	maxSkew    = 5 * time.Minute
	defaultTTL = 600
	// minTTL is the free plan's minimum (LimitExceeded.RecordTtlLimit below
	// it); "TTL，范围1-604800，不同等级域名最小值不同" (SDK models.go,
	// CreateRecordRequestParams.TTL).
	minTTL       = 600
	maxTTL       = 604800
	defaultLimit = 100
	maxLimit     = 3000
	maxBody      = 1 << 20
)

// lineIDs are the free plan's lines with their ids, as DescribeRecordLineList
// answers them ("线路的 ID，通过 API 获取，英文字符串，比如：10=1",
// tencentcloud-sdk-go dnspod/v20210323/models.go). The ids other than "0"
// are (observed) values from that action.
var lineIDs = map[string]string{
	defaultLine: DefaultLineID,
	"电信":        "10=0",
	"联通":        "10=1",
	"教育网":       "10=2",
	"移动":        "10=3",
	"境外":        "3=0",
}

func lineName(id string) (string, bool) {
	for n, i := range lineIDs {
		if i == id {
			return n, true
		}
	}
	return "", false
}

// Fake is an in-memory DNSPod API 3.0 server for one account. It implements
// providertest.Fake and is safe for concurrent use.
type Fake struct {
	providertest.Ledger
	secretID, secretKey string

	mu      sync.Mutex
	store   *providertest.Store // Line holds the line's id ("0", "10=0")
	nextReq uint64
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake that accepts requests signed by secretID/secretKey.
func New(secretID, secretKey string) *Fake {
	return &Fake{secretID: secretID, secretKey: secretKey, store: providertest.NewStore(100000)}
}

// AddZone makes zone known to the account.
func (f *Fake) AddZone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.store.AddZone(name)
}

// Put stores rec in zone (creating the zone if needed) and returns its id.
// rec.Line is a line id ("" or "0" for the default line, "10=0" for 电信);
// rec.Disabled stores it paused.
func (f *Fake) Put(zoneName string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ttl := defaultTTL
	if rec.TTL > 0 {
		ttl = rec.TTL
	}
	line := rec.Line
	if line == "" {
		line = DefaultLineID
	}
	r := f.store.Add(providertest.StoredRecord{Zone: zoneName, Name: relName(rec.Name), Type: rec.Type,
		Value: canonical(rec.Value), Line: line, TTL: ttl, Disabled: rec.Disabled, Updated: f.Now().Format(time.DateTime)})
	return strconv.FormatUint(r.ID, 10)
}

// Records returns zone's records sorted by name, type and id.
func (f *Fake) Records(zoneName string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.Records(zoneName)
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
	case "ModifyRecordStatus":
		resp, wrote, zname, e = f.modifyRecordStatus(p)
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

func (f *Fake) zoneLocked(p paramSet) (string, *apiErr) {
	name, ok, e := p.str("Domain")
	if e != nil {
		return "", e
	}
	if !ok || name == "" {
		return "", errf("MissingParameter", "缺少参数 Domain")
	}
	if !f.store.HasZone(name) {
		return "", errf("InvalidParameterValue.DomainNotExists", "当前域名有误，请返回重新操作。")
	}
	return strings.ToLower(name), nil
}

// lineFilter reads RecordLineId or RecordLine; "RecordLineId ... 优先级高于
// RecordLine" (SDK models.go). It returns the line id, "" for none.
func lineFilter(p paramSet) (string, *apiErr) {
	id, hasID, e := p.str("RecordLineId")
	if e != nil {
		return "", e
	}
	if hasID && id != "" {
		if _, ok := lineName(id); !ok {
			return "", errf("InvalidParameter.RecordLineInvalid", "记录线路不正确。")
		}
		return id, nil
	}
	name, _, e := p.str("RecordLine")
	if e != nil || name == "" {
		return "", e
	}
	id, ok := lineIDs[name]
	if !ok {
		return "", errf("InvalidParameter.RecordLineInvalid", "记录线路不正确。")
	}
	return id, nil
}

// describeRecordList serves DescribeRecordList
// (https://cloud.tencent.com/document/api/1427/56166): filters Subdomain
// (the documented spelling; recent revisions also take SubDomain),
// RecordType, RecordLine/RecordLineId; pages with Offset and Limit
// (default 100, at most 3000); an empty result is
// ResourceNotFound.NoDataOfRecord unless ErrorOnEmpty is "no". Items carry
// Line, LineId and Status ("记录状态，启用：ENABLE，暂停：DISABLE",
// RecordListItem in the SDK's models.go); paused records are listed.
func (f *Fake) describeRecordList(p paramSet) (map[string]any, *apiErr) {
	zname, e := f.zoneLocked(p)
	if e != nil {
		return nil, e
	}
	sub, hasSub, e := p.str("Subdomain")
	if e != nil {
		return nil, e
	}
	if !hasSub || sub == "" {
		if sub, _, e = p.str("SubDomain"); e != nil {
			return nil, e
		}
	}
	typ, _, e := p.str("RecordType")
	if e != nil {
		return nil, e
	}
	line, e := lineFilter(p)
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

	match := f.store.Find(zname, func(r *providertest.StoredRecord) bool {
		return (sub == "" || r.Name == strings.ToLower(sub)) && (typ == "" || r.Type == typ) && (line == "" || r.Line == line)
	})
	page, total := providertest.Page(match, int(min(offset, 1<<31)), int(limit))
	if total == 0 && onEmpty != "no" {
		return nil, errf("ResourceNotFound.NoDataOfRecord", "记录列表为空。")
	}
	list := make([]map[string]any, 0, len(page))
	subdomains := map[string]bool{}
	for _, r := range f.store.Find(zname, nil) {
		subdomains[r.Name] = true
	}
	for _, r := range page {
		status := "ENABLE"
		if r.Disabled {
			status = "DISABLE"
		}
		name, _ := lineName(r.Line)
		list = append(list, map[string]any{
			"RecordId": r.ID, "Value": r.Value, "Status": status, "UpdatedOn": r.Updated,
			"Name": r.Name, "Line": name, "LineId": r.Line, "Type": r.Type, "Weight": nil,
			"MonitorStatus": "", "Remark": "", "TTL": r.TTL, "MX": 0, "DefaultNS": false,
		})
	}
	return map[string]any{
		"RecordCountInfo": map[string]any{
			"SubdomainCount": len(subdomains), "ListCount": len(list), "TotalCount": total,
		},
		"RecordList": list,
	}, nil
}

// recordParams reads and validates what CreateRecord and ModifyRecord
// share. RecordLine is required, RecordLineId takes priority over it (SDK
// models.go, CreateRecordRequestParams/ModifyRecordRequestParams); Status
// is "ENABLE" or "DISABLE", "默认为 ENABLE" for both actions, so a modify
// without Status resumes a paused record.
func recordParams(p paramSet) (r providertest.StoredRecord, e *apiErr) {
	name, _, e := p.str("SubDomain")
	if e != nil {
		return r, e
	}
	r.Name = strings.ToLower(relName(name))
	if !validSubdomain(r.Name) {
		return r, errf("InvalidParameter.SubdomainInvalid", "子域名不正确。")
	}
	var ok bool
	if r.Type, ok, e = p.str("RecordType"); e != nil {
		return r, e
	} else if !ok || r.Type == "" {
		return r, errf("MissingParameter", "缺少参数 RecordType")
	}
	if r.Value, ok, e = p.str("Value"); e != nil {
		return r, e
	} else if !ok || r.Value == "" {
		return r, errf("MissingParameter", "缺少参数 Value")
	}
	_, hasLineID, e := p.str("RecordLineId")
	if e != nil {
		return r, e
	}
	lineText, hasLine, e := p.str("RecordLine")
	if e != nil {
		return r, e
	}
	if !hasLineID && (!hasLine || lineText == "") {
		return r, errf("MissingParameter", "缺少参数 RecordLine")
	}
	if r.Line, e = lineFilter(p); e != nil {
		return r, e
	}
	status, _, e := p.str("Status")
	if e != nil {
		return r, e
	}
	switch status {
	case "", "ENABLE":
	case "DISABLE":
		r.Disabled = true
	default:
		return r, errf("InvalidParameterValue", "Status 取值为 ENABLE 或 DISABLE")
	}
	switch r.Type {
	case "A", "AAAA":
		a, err := netip.ParseAddr(r.Value)
		if err != nil || a.Zone() != "" || (r.Type == "A") != a.Is4() {
			return r, errf("InvalidParameter.RecordValueInvalid", "记录值不正确。")
		}
		r.Value = a.String()
	case "CNAME", "TXT", "MX", "NS":
	default:
		return r, errf("InvalidParameter.RecordTypeInvalid", "记录类型不正确。")
	}
	ttl, ok, e := p.uint("TTL")
	if e != nil {
		return r, e
	}
	if !ok || ttl == 0 {
		ttl = defaultTTL
	}
	if ttl < minTTL || ttl > maxTTL {
		return r, errf("LimitExceeded.RecordTtlLimit", "TTL 值超出当前套餐限制。")
	}
	r.TTL = int(ttl)
	return r, nil
}

// createRecord serves CreateRecord; a twin of an existing record (name,
// type, line, value) is InvalidParameter.DomainRecordExist.
func (f *Fake) createRecord(p paramSet) (map[string]any, *providers.Record, string, *apiErr) {
	zname, e := f.zoneLocked(p)
	if e != nil {
		return nil, nil, "", e
	}
	r, e := recordParams(p)
	if e != nil {
		return nil, nil, "", e
	}
	r.Zone = zname
	if f.store.Duplicate(r, 0) != nil {
		return nil, nil, "", errf("InvalidParameter.DomainRecordExist", "记录已经存在，无需再次添加。")
	}
	r.Updated = f.Now().Format(time.DateTime)
	stored := f.store.Add(r)
	pub := stored.Public()
	return map[string]any{"RecordId": stored.ID}, &pub, zname, nil
}

// modifyRecord changes a record: name, type, value, line, TTL and status
// all come from the request, so a record is moved onto the line sent.
//
// The real API's answer to a ModifyRecord that changes nothing is not
// documented; the SDK lists InvalidParameter.DomainRecordExist for
// ModifyRecord and DNSPod's older API refused an unchanged modify with
// code 104 ("记录已经存在"). The fake follows that reading: a modify that
// would leave the record exactly as it is, or duplicate another record of
// the same name, type, line and value, is refused with DomainRecordExist.
func (f *Fake) modifyRecord(p paramSet) (map[string]any, *providers.Record, string, *apiErr) {
	zname, target, e := f.target(p)
	if e != nil {
		return nil, nil, "", e
	}
	r, e := recordParams(p)
	if e != nil {
		return nil, nil, "", e
	}
	r.Zone = zname
	unchanged := r.Name == target.Name && r.Type == target.Type && r.Line == target.Line &&
		r.Value == target.Value && r.TTL == target.TTL && r.Disabled == target.Disabled
	if unchanged || f.store.Duplicate(r, target.ID) != nil {
		return nil, nil, "", errf("InvalidParameter.DomainRecordExist", "记录已经存在，无需再次添加。")
	}
	target.Name, target.Type, target.Value, target.Line, target.TTL, target.Disabled = r.Name, r.Type, r.Value, r.Line, r.TTL, r.Disabled
	target.Updated = f.Now().Format(time.DateTime)
	pub := target.Public()
	return map[string]any{"RecordId": target.ID}, &pub, zname, nil
}

// modifyRecordStatus serves ModifyRecordStatus: Domain, RecordId and Status
// ENABLE|DISABLE (tencentcloud-sdk-go dnspod/v20210323 models.go, ModifyRecordStatusRequestParams).
func (f *Fake) modifyRecordStatus(p paramSet) (map[string]any, *providers.Record, string, *apiErr) {
	zname, target, e := f.target(p)
	if e != nil {
		return nil, nil, "", e
	}
	status, _, e := p.str("Status")
	if e != nil {
		return nil, nil, "", e
	}
	switch status {
	case "ENABLE":
		target.Disabled = false
	case "DISABLE":
		target.Disabled = true
	default:
		return nil, nil, "", errf("InvalidParameterValue", "Status 取值为 ENABLE 或 DISABLE")
	}
	pub := target.Public()
	return map[string]any{"RecordId": target.ID}, &pub, zname, nil
}

// target finds the record named by Domain and RecordId; an unknown id is
// InvalidParameter.RecordIdInvalid.
func (f *Fake) target(p paramSet) (string, *providertest.StoredRecord, *apiErr) {
	zname, e := f.zoneLocked(p)
	if e != nil {
		return "", nil, e
	}
	id, ok, e := p.uint("RecordId")
	if e != nil {
		return "", nil, e
	}
	if !ok {
		return "", nil, errf("MissingParameter", "缺少参数 RecordId")
	}
	t := f.store.Get(id)
	if t == nil || t.Zone != zname {
		return "", nil, errf("InvalidParameter.RecordIdInvalid", "记录编号错误。")
	}
	return zname, t, nil
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
