// Package alidnstest is a local stand-in for the Alibaba Cloud DNS API
// (2015-01-09) for tests: it checks RPC 1.0 signatures, timestamps and
// nonces, keeps zones and records, and answers in the API's JSON shapes.
//
// Its signature check is written separately from the client's signer in
// package alidns, so that a mistake in one is caught by the other.
package alidnstest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
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

// Window is how far a request's Timestamp may be from the fake's clock.
const Window = 15 * time.Minute

// maxBody bounds a request body; real requests are a few hundred bytes.
const maxBody = 64 << 10

// firstID makes record ids larger than 2^53, as real ones are, so that a
// client decoding them through float64 fails the tests.
const firstID = 18_000_000_000_000_000

// DefaultLine is the code of the default line. Lines are listed in
// "解析线路枚举", https://help.aliyun.com/document_detail/29807.html:
// default, telecom, unicom, mobile, oversea, edu, drpeng, btvn, and
// regional codes such as cn_telecom_beijing.
const DefaultLine = "default"

// FreeMinTTL and MaxTTL are the TTL bounds of the free edition: "TTL ...
// 默认为600秒（10分钟）... 免费版 600 - 86400"
// (https://help.aliyun.com/document_detail/29772.html, AddDomainRecord);
// lower values are refused with QuotaExceeded.TTL.
const (
	FreeMinTTL = 600
	MaxTTL     = 86400
)

// Fake is a fake alidns API server. The zero value is not usable; call New.
// It is safe for concurrent use.
type Fake struct {
	providertest.Ledger
	keyID, secret string

	mu      sync.Mutex
	store   *providertest.Store
	minTTL  int
	nonces  map[string]time.Time // nonce -> when seen, by the fake's clock
	pruneAt int                  // nonce count that triggers pruning
	nextReq uint64
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake that accepts requests signed with keyID/secret. Its
// zones are on the free edition (TTL 600 and up).
func New(keyID, secret string) *Fake {
	return &Fake{
		keyID:  keyID,
		secret: secret,
		store:  providertest.NewStore(firstID),
		minTTL: FreeMinTTL,
		nonces: map[string]time.Time{},
	}
}

// SetMinTTL sets the edition's lowest TTL (paid editions go down to 1).
func (f *Fake) SetMinTTL(ttl int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.minTTL = ttl
}

// AddZone makes zone known to the account.
func (f *Fake) AddZone(zone string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.store.AddZone(zone)
}

// Put stores a record directly, adding the zone if needed, and returns its
// id. rec.Line "" is the default line; rec.Disabled stores it paused.
func (f *Fake) Put(zone string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := providertest.StoredRecord{Zone: zone, Name: rec.Name, Type: rec.Type, Value: rec.Value, TTL: rec.TTL,
		Line: rec.Line, Disabled: rec.Disabled}
	if r.TTL == 0 {
		r.TTL = 600
	}
	if r.Line == "" {
		r.Line = DefaultLine
	}
	return strconv.FormatUint(f.store.Add(r).ID, 10)
}

// SetStatus pauses (DISABLE) or enables (ENABLE) record id in zone, as the
// console does. It reports whether the record exists.
func (f *Fake) SetStatus(zone, id, status string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, _ := strconv.ParseUint(id, 10, 64)
	r := f.store.Get(n)
	if r == nil || r.Zone != providertest.CanonZone(zone) {
		return false
	}
	r.Disabled = strings.EqualFold(status, "DISABLE")
	return true
}

// Records returns the zone's records sorted by name, type and id.
func (f *Fake) Records(zone string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.Records(zone)
}

// apiError is an error answer: HTTP status, Code and Message.
type apiError struct {
	status  int
	code    string
	message string
}

func errf(status int, code, format string, a ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, a...)}
}

// ServeHTTP answers one API request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := f.Now()
	// Every answer, errors and faults included, tells the client the time.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))

	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	perr := r.ParseForm()
	action := r.Form.Get("Action")
	f.Called(action)

	if fault, ok := f.Faults().TakeFor(r, action); ok {
		if providertest.Apply(w, r, fault) {
			return
		}
		f.writeError(w, faultError(fault))
		return
	}
	if perr != nil {
		f.writeError(w, errf(400, "InvalidParameter", "The request could not be parsed."))
		return
	}
	params, aerr := single(r.Form)
	if aerr != nil {
		f.writeError(w, aerr)
		return
	}

	resp, zone, wrote, aerr := f.handle(r.Method, action, params, now)
	if aerr != nil {
		f.writeError(w, aerr)
		return
	}
	if wrote != nil {
		f.Wrote(action, zone, *wrote)
	}
	f.writeJSON(w, http.StatusOK, resp)
}

// handle authenticates and serves one request; for a successful write it
// also returns the zone and the record written.
func (f *Fake) handle(method, action string, params map[string]string, now time.Time) (any, string, *providers.Record, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if aerr := f.authenticate(method, params, now); aerr != nil {
		return nil, "", nil, aerr
	}
	switch action {
	case "DescribeSubDomainRecords":
		resp, aerr := f.describeSub(params)
		return resp, "", nil, aerr
	case "DescribeDomainRecords":
		resp, aerr := f.describeDomain(params)
		return resp, "", nil, aerr
	case "AddDomainRecord", "UpdateDomainRecord":
		write := f.add
		if action == "UpdateDomainRecord" {
			write = f.update
		}
		return write(params)
	case "SetDomainRecordStatus":
		return f.setStatus(params)
	}
	return nil, "", nil, errf(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
}

// faultError is the alidns answer for an injected fault without a body.
func faultError(ft providertest.Fault) *apiError {
	status, code := ft.Status, ft.Code
	if status == 0 {
		status = http.StatusBadRequest
	}
	if code == "" {
		switch {
		case status >= 500:
			code = "ServiceUnavailable"
		case status == http.StatusTooManyRequests:
			code = "Throttling"
		default:
			code = "Throttling.User"
		}
	}
	return &apiError{status: status, code: code, message: "Injected fault."}
}

// single flattens the form; a parameter given twice (query and body, or
// repeated) has no place in an RPC request.
func single(form url.Values) (map[string]string, *apiError) {
	p := make(map[string]string, len(form))
	for k, v := range form {
		if len(v) != 1 {
			return nil, errf(400, "InvalidParameter", "The parameter %s is given more than once.", k)
		}
		p[k] = v[0]
	}
	return p, nil
}

// authenticate checks the common parameters, the signature, the timestamp
// and the nonce, in that order.
func (f *Fake) authenticate(method string, p map[string]string, now time.Time) *apiError {
	for _, k := range []string{"AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Version", "Action"} {
		if p[k] == "" {
			return errf(400, "MissingParameter", "The input parameter %q that is mandatory for processing this request is not supplied.", k)
		}
	}
	if p["Version"] != "2015-01-09" {
		return errf(400, "InvalidVersion", "Specified parameter Version is not valid.")
	}
	if p["SignatureMethod"] != "HMAC-SHA1" || p["SignatureVersion"] != "1.0" {
		return errf(400, "InvalidParameter", "Specified signature method or version is not supported.")
	}
	if p["AccessKeyId"] != f.keyID {
		return errf(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	want := signature(method, p, f.secret)
	if !hmac.Equal([]byte(want), []byte(p["Signature"])) {
		return errf(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p["Timestamp"])
	if err != nil {
		return errf(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
	}
	if d := ts.Sub(now); d > Window || d < -Window {
		return errf(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
	}
	n := p["SignatureNonce"]
	if _, used := f.nonces[n]; used {
		return errf(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	// Nonces only need remembering while their timestamp is acceptable.
	// Pruning whenever the set has doubled keeps the cost per request
	// constant on average.
	if len(f.nonces) >= f.pruneAt {
		for k, t := range f.nonces {
			if now.Sub(t) > 2*Window || t.Sub(now) > 2*Window {
				delete(f.nonces, k)
			}
		}
		f.pruneAt = max(1024, 2*len(f.nonces))
	}
	f.nonces[n] = now
	return nil
}

// signature computes the RPC 1.0 signature the way the published Java and
// Go samples do: URL-encode, then patch "+", "*" and "%7E".
func signature(method string, p map[string]string, secret string) string {
	enc := func(s string) string {
		s = url.QueryEscape(s)
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(s)
	}
	names := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, k := range names {
		pairs[i] = enc(k) + "=" + enc(p[k])
	}
	sts := method + "&" + enc("/") + "&" + enc(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

type jsonRecord struct {
	DomainName string `json:"DomainName"`
	RecordID   string `json:"RecordId"`
	RR         string `json:"RR"`
	Type       string `json:"Type"`
	Value      string `json:"Value"`
	Line       string `json:"Line"`
	TTL        int    `json:"TTL"`
	Status     string `json:"Status"`
	Locked     bool   `json:"Locked"`
	Weight     int    `json:"Weight"`
	Priority   int    `json:"Priority"`
	Remark     string `json:"Remark"`
}

type listBody struct {
	TotalCount    int    `json:"TotalCount"`
	PageSize      int    `json:"PageSize"`
	PageNumber    int    `json:"PageNumber"`
	RequestID     string `json:"RequestId"`
	DomainRecords struct {
		Record []jsonRecord `json:"Record"`
	} `json:"DomainRecords"`
}

type writeBody struct {
	RequestID string `json:"RequestId"`
	RecordID  string `json:"RecordId"`
}

// describeSub serves DescribeSubDomainRecords: the records of one name,
// optionally of one Type and one Line (both documented request parameters,
// https://help.aliyun.com/document_detail/29778.html). Paused records are
// listed with Status DISABLE, as the console shows them.
func (f *Fake) describeSub(p map[string]string) (any, *apiError) {
	sub := canonZone(p["SubDomain"])
	if sub == "" {
		return nil, errf(400, "MissingParameter", "SubDomain is mandatory for this action.")
	}
	zone := canonZone(p["DomainName"])
	if zone == "" {
		zone = f.zoneOf(sub)
	}
	if !f.store.HasZone(zone) || (sub != zone && !strings.HasSuffix(sub, "."+zone)) {
		return nil, errf(400, "IncorrectDomainUser", "The domain name does not belong to you.")
	}
	rr := "@"
	if sub != zone {
		rr = strings.TrimSuffix(sub, "."+zone)
	}
	typ, line := p["Type"], p["Line"]
	return f.page(p, zone, func(r *providertest.StoredRecord) bool {
		return r.Name == rr && (typ == "" || strings.EqualFold(r.Type, typ)) && (line == "" || r.Line == line)
	})
}

// describeDomain serves DescribeDomainRecords: every record of a zone,
// optionally of one type (https://help.aliyun.com/document_detail/29776.html).
func (f *Fake) describeDomain(p map[string]string) (any, *apiError) {
	zone := canonZone(p["DomainName"])
	if !f.store.HasZone(zone) {
		return nil, errf(400, "IncorrectDomainUser", "The domain name does not belong to you.")
	}
	typ := p["Type"]
	return f.page(p, zone, func(r *providertest.StoredRecord) bool { return typ == "" || strings.EqualFold(r.Type, typ) })
}

// page answers one page of the zone's records that match: PageNumber from
// 1, PageSize at most 100 and 20 by default, as both list actions document.
func (f *Fake) page(p map[string]string, zone string, match func(*providertest.StoredRecord) bool) (any, *apiError) {
	num, size := 1, 20
	if s := p["PageNumber"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, errf(400, "InvalidParameter", "Specified PageNumber is not valid.")
		}
		num = n
	}
	if s := p["PageSize"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return nil, errf(400, "InvalidParameter", "Specified PageSize is not valid.")
		}
		size = n
	}
	recs, total := providertest.Page(f.store.Find(zone, match), (num-1)*size, size)
	b := listBody{TotalCount: total, PageSize: size, PageNumber: num, RequestID: f.requestID()}
	b.DomainRecords.Record = []jsonRecord{}
	for _, r := range recs {
		// The documented values of Status are ENABLE and DISABLE.
		status := "ENABLE"
		if r.Disabled {
			status = "DISABLE"
		}
		b.DomainRecords.Record = append(b.DomainRecords.Record, jsonRecord{
			DomainName: zone, RecordID: strconv.FormatUint(r.ID, 10), RR: r.Name, Type: r.Type, Value: r.Value,
			Line: r.Line, TTL: r.TTL, Status: status, Weight: 1,
		})
	}
	return b, nil
}

// fields reads and checks RR, Type, Value, TTL and Line of a write. Line is
// optional and "default" when absent on AddDomainRecord and on
// UpdateDomainRecord alike ("Line ... 默认为 default",
// https://help.aliyun.com/document_detail/29772.html and 29774.html), so
// an update without Line moves a record onto the default line. The TTL
// outside the edition's range is QuotaExceeded.TTL.
func (f *Fake) fields(p map[string]string) (*providertest.StoredRecord, *apiError) {
	for _, k := range []string{"RR", "Type", "Value"} {
		if p[k] == "" {
			return nil, errf(400, "MissingParameter", "%s is mandatory for this action.", k)
		}
	}
	r := &providertest.StoredRecord{Name: canonRR(p["RR"]), Type: strings.ToUpper(p["Type"]), Value: p["Value"], TTL: 600, Line: DefaultLine}
	if s := p["TTL"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, errf(400, "InvalidParameter", "Specified TTL is not valid.")
		}
		r.TTL = n
	}
	if r.TTL < f.minTTL || r.TTL > MaxTTL {
		return nil, errf(400, "QuotaExceeded.TTL", "The TTL has exceeded the limit of the domain edition.")
	}
	if s := p["Line"]; s != "" {
		r.Line = s
	}
	switch r.Type {
	case "A", "AAAA":
		a, err := netip.ParseAddr(r.Value)
		if err != nil || a.Zone() != "" || a.Is4() != (r.Type == "A") {
			return nil, errf(400, "InvalidParameter", "Specified value is not a valid %s record value.", r.Type)
		}
	case "CNAME", "TXT", "MX", "NS":
	default:
		return nil, errf(400, "InvalidParameter", "Specified Type is not valid.")
	}
	return r, nil
}

// clash checks r against the zone's other records: an identical record
// (name, type, line, value) is DomainRecordDuplicate; a CNAME shares its
// name and line with nothing (DomainRecordConflict). Both codes are listed
// for AddDomainRecord and UpdateDomainRecord in the error center,
// https://api.aliyun.com/document/Alidns/2015-01-09/errorCode.
func (f *Fake) clash(r *providertest.StoredRecord, self uint64) *apiError {
	if f.store.Duplicate(*r, self) != nil {
		return errf(400, "DomainRecordDuplicate", "The DNS record already exists.")
	}
	for _, o := range f.store.Find(r.Zone, nil) {
		if o.ID != self && o.Name == r.Name && o.Line == r.Line && (o.Type == "CNAME" || r.Type == "CNAME") {
			return errf(400, "DomainRecordConflict", "The DNS record conflicts with other records.")
		}
	}
	return nil
}

// add serves AddDomainRecord; the new record is enabled.
func (f *Fake) add(p map[string]string) (any, string, *providers.Record, *apiError) {
	zone := canonZone(p["DomainName"])
	if zone == "" {
		return nil, "", nil, errf(400, "MissingParameter", "DomainName is mandatory for this action.")
	}
	if !f.store.HasZone(zone) {
		return nil, "", nil, errf(400, "IncorrectDomainUser", "The domain name does not belong to you.")
	}
	r, aerr := f.fields(p)
	if aerr != nil {
		return nil, "", nil, aerr
	}
	r.Zone = zone
	if aerr := f.clash(r, 0); aerr != nil {
		return nil, "", nil, aerr
	}
	stored := f.store.Add(*r)
	rec := stored.Public()
	return writeBody{RequestID: f.requestID(), RecordID: rec.ID}, zone, &rec, nil
}

// update serves UpdateDomainRecord. Like the real API it refuses an update
// that changes nothing with DomainRecordDuplicate. It does not touch the
// record's status: a paused record stays paused until
// SetDomainRecordStatus (the action has no Status parameter,
// https://help.aliyun.com/document_detail/29774.html).
func (f *Fake) update(p map[string]string) (any, string, *providers.Record, *apiError) {
	cur, aerr := f.byID(p)
	if aerr != nil {
		return nil, "", nil, aerr
	}
	r, aerr := f.fields(p)
	if aerr != nil {
		return nil, "", nil, aerr
	}
	if p["TTL"] == "" {
		r.TTL = cur.TTL
	}
	r.Zone = cur.Zone
	if r.Name == cur.Name && r.Type == cur.Type && r.Value == cur.Value && r.TTL == cur.TTL && r.Line == cur.Line {
		return nil, "", nil, errf(400, "DomainRecordDuplicate", "The DNS record already exists.")
	}
	if aerr := f.clash(r, cur.ID); aerr != nil {
		return nil, "", nil, aerr
	}
	cur.Name, cur.Type, cur.Value, cur.TTL, cur.Line = r.Name, r.Type, r.Value, r.TTL, r.Line
	rec := cur.Public()
	return writeBody{RequestID: f.requestID(), RecordID: rec.ID}, cur.Zone, &rec, nil
}

// setStatus serves SetDomainRecordStatus: Status Enable or Disable, any
// other value is InvalidStatus, and the answer echoes RecordId and Status
// (https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-setdomainrecordstatus).
// The upper-case spelling the list answers use is accepted too (observed).
func (f *Fake) setStatus(p map[string]string) (any, string, *providers.Record, *apiError) {
	cur, aerr := f.byID(p)
	if aerr != nil {
		return nil, "", nil, aerr
	}
	var status string
	switch {
	case strings.EqualFold(p["Status"], "Enable"):
		cur.Disabled, status = false, "Enable"
	case strings.EqualFold(p["Status"], "Disable"):
		cur.Disabled, status = true, "Disable"
	default:
		return nil, "", nil, errf(400, "InvalidStatus", "The domain record status is invalid.")
	}
	rec := cur.Public()
	return struct {
		RequestID string `json:"RequestId"`
		RecordID  string `json:"RecordId"`
		Status    string `json:"Status"`
	}{f.requestID(), rec.ID, status}, cur.Zone, &rec, nil
}

// byID finds the record named by RecordId; an unknown id is
// DomainRecordNotBelongToUser.
func (f *Fake) byID(p map[string]string) (*providertest.StoredRecord, *apiError) {
	s := p["RecordId"]
	if s == "" {
		return nil, errf(400, "MissingParameter", "RecordId is mandatory for this action.")
	}
	id, _ := strconv.ParseUint(s, 10, 64)
	cur := f.store.Get(id)
	if cur == nil {
		return nil, errf(400, "DomainRecordNotBelongToUser", "The DNS record does not belong to you.")
	}
	return cur, nil
}

// zoneOf returns the longest known zone that name is in, or "".
func (f *Fake) zoneOf(name string) string {
	best := ""
	for _, z := range f.store.Zones() {
		if (name == z || strings.HasSuffix(name, "."+z)) && len(z) > len(best) {
			best = z
		}
	}
	return best
}

func (f *Fake) requestID() string {
	f.nextReq++
	return fmt.Sprintf("%08X-0000-4000-8000-%012X", f.nextReq>>16, f.nextReq)
}

// writeError writes e in the real error shape.
func (f *Fake) writeError(w http.ResponseWriter, e *apiError) {
	f.mu.Lock()
	id := f.requestID()
	f.mu.Unlock()
	f.writeJSON(w, e.status, struct {
		RequestID string `json:"RequestId"`
		HostID    string `json:"HostId"`
		Code      string `json:"Code"`
		Message   string `json:"Message"`
		Recommend string `json:"Recommend"`
	}{id, "alidns.aliyuncs.com", e.code, e.message,
		"https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.code) + "&product=Alidns"})
}

func (f *Fake) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func canonZone(z string) string { return strings.ToLower(strings.TrimSuffix(z, ".")) }

func canonRR(rr string) string {
	if rr == "" {
		return "@"
	}
	return strings.ToLower(rr)
}
