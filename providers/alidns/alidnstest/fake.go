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

type record struct {
	id     string
	rr     string
	typ    string
	value  string
	ttl    int
	line   string
	status string
}

// Fake is a fake alidns API server. The zero value is not usable; call New.
// It is safe for concurrent use.
type Fake struct {
	providertest.Ledger
	keyID, secret string

	mu      sync.Mutex
	zones   map[string][]*record // zone -> records
	nonces  map[string]time.Time // nonce -> when seen, by the fake's clock
	pruneAt int                  // nonce count that triggers pruning
	nextID  uint64
	nextReq uint64
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a fake that accepts requests signed with keyID/secret.
func New(keyID, secret string) *Fake {
	return &Fake{
		keyID:  keyID,
		secret: secret,
		zones:  map[string][]*record{},
		nonces: map[string]time.Time{},
		nextID: firstID,
	}
}

// AddZone makes zone known to the account.
func (f *Fake) AddZone(zone string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := canonZone(zone)
	if _, ok := f.zones[z]; !ok {
		f.zones[z] = nil
	}
}

// Put stores an enabled record directly, adding the zone if needed, and
// returns its id.
func (f *Fake) Put(zone string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	z := canonZone(zone)
	r := &record{id: f.newID(), rr: canonRR(rec.Name), typ: rec.Type, value: rec.Value, ttl: rec.TTL, line: "default", status: "ENABLE"}
	if r.ttl == 0 {
		r.ttl = 600
	}
	f.zones[z] = append(f.zones[z], r)
	return r.id
}

// SetStatus sets the Status of record id in zone ("ENABLE" or "DISABLE",
// any case, as the API itself has written both). It reports whether the
// record exists.
func (f *Fake) SetStatus(zone, id, status string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.zones[canonZone(zone)] {
		if r.id == id {
			r.status = status
			return true
		}
	}
	return false
}

// Records returns the zone's records sorted by name, type and id.
func (f *Fake) Records(zone string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.zones[canonZone(zone)]
	out := make([]providers.Record, 0, len(rs))
	for _, r := range sorted(rs) {
		out = append(out, providers.Record{ID: r.id, Name: r.rr, Type: r.typ, Value: r.value, TTL: r.ttl})
	}
	return out
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

// describeSub serves DescribeSubDomainRecords: the records of one name.
func (f *Fake) describeSub(p map[string]string) (any, *apiError) {
	sub := canonZone(p["SubDomain"])
	if sub == "" {
		return nil, errf(400, "MissingParameter", "SubDomain is mandatory for this action.")
	}
	zone := canonZone(p["DomainName"])
	if zone == "" {
		zone = f.zoneOf(sub)
	}
	if _, ok := f.zones[zone]; !ok || (sub != zone && !strings.HasSuffix(sub, "."+zone)) {
		return nil, errf(400, "IncorrectDomainUser", "The domain name does not belong to you.")
	}
	rr := "@"
	if sub != zone {
		rr = strings.TrimSuffix(sub, "."+zone)
	}
	typ := p["Type"]
	return f.page(p, zone, func(r *record) bool {
		return r.rr == rr && (typ == "" || strings.EqualFold(r.typ, typ))
	})
}

// describeDomain serves DescribeDomainRecords: every record of a zone,
// optionally of one type.
func (f *Fake) describeDomain(p map[string]string) (any, *apiError) {
	zone := canonZone(p["DomainName"])
	if _, ok := f.zones[zone]; !ok {
		return nil, errf(400, "IncorrectDomainUser", "The domain name does not belong to you.")
	}
	typ := p["Type"]
	return f.page(p, zone, func(r *record) bool { return typ == "" || strings.EqualFold(r.typ, typ) })
}

// page answers one page of the zone's records that match.
func (f *Fake) page(p map[string]string, zone string, match func(*record) bool) (any, *apiError) {
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
	var all []*record
	for _, r := range sorted(f.zones[zone]) {
		if match(r) {
			all = append(all, r)
		}
	}
	b := listBody{TotalCount: len(all), PageSize: size, PageNumber: num, RequestID: f.requestID()}
	b.DomainRecords.Record = []jsonRecord{}
	start := (num - 1) * size
	for i := start; i >= 0 && i < len(all) && i < start+size; i++ {
		r := all[i]
		b.DomainRecords.Record = append(b.DomainRecords.Record, jsonRecord{
			DomainName: zone, RecordID: r.id, RR: r.rr, Type: r.typ, Value: r.value,
			Line: r.line, TTL: r.ttl, Status: r.status, Weight: 1,
		})
	}
	return b, nil
}

// fields reads and checks RR, Type, Value, TTL and Line of a write.
func fields(p map[string]string) (*record, *apiError) {
	for _, k := range []string{"RR", "Type", "Value"} {
		if p[k] == "" {
			return nil, errf(400, "MissingParameter", "%s is mandatory for this action.", k)
		}
	}
	r := &record{rr: canonRR(p["RR"]), typ: strings.ToUpper(p["Type"]), value: p["Value"], ttl: 600, line: "default", status: "ENABLE"}
	if s := p["TTL"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 86400 {
			return nil, errf(400, "InvalidParameter", "Specified TTL is not valid.")
		}
		r.ttl = n
	}
	if s := p["Line"]; s != "" {
		r.line = s
	}
	switch r.typ {
	case "A", "AAAA":
		a, err := netip.ParseAddr(r.value)
		if err != nil || a.Zone() != "" || a.Is4() != (r.typ == "A") {
			return nil, errf(400, "InvalidParameter", "Specified value is not a valid %s record value.", r.typ)
		}
	case "CNAME", "TXT", "MX", "NS":
	default:
		return nil, errf(400, "InvalidParameter", "Specified Type is not valid.")
	}
	return r, nil
}

// clash checks r against the zone's other records: an identical record is a
// duplicate; a CNAME shares its name with nothing.
func clash(rs []*record, r *record, self string) *apiError {
	for _, o := range rs {
		if o.id == self || o.rr != r.rr {
			continue
		}
		if o.typ == r.typ && o.value == r.value && o.line == r.line {
			return errf(400, "DomainRecordDuplicate", "The DNS record already exists.")
		}
		if o.typ == "CNAME" || r.typ == "CNAME" {
			return errf(400, "DomainRecordConflict", "The DNS record conflicts with other records.")
		}
	}
	return nil
}

// add serves AddDomainRecord.
func (f *Fake) add(p map[string]string) (any, string, *providers.Record, *apiError) {
	zone := canonZone(p["DomainName"])
	if zone == "" {
		return nil, "", nil, errf(400, "MissingParameter", "DomainName is mandatory for this action.")
	}
	if _, ok := f.zones[zone]; !ok {
		return nil, "", nil, errf(400, "IncorrectDomainUser", "The domain name does not belong to you.")
	}
	r, aerr := fields(p)
	if aerr != nil {
		return nil, "", nil, aerr
	}
	if aerr := clash(f.zones[zone], r, ""); aerr != nil {
		return nil, "", nil, aerr
	}
	r.id = f.newID()
	f.zones[zone] = append(f.zones[zone], r)
	rec := providers.Record{ID: r.id, Name: r.rr, Type: r.typ, Value: r.value, TTL: r.ttl}
	return writeBody{RequestID: f.requestID(), RecordID: r.id}, zone, &rec, nil
}

// update serves UpdateDomainRecord. Like the real API it refuses an update
// that changes nothing with DomainRecordDuplicate.
func (f *Fake) update(p map[string]string) (any, string, *providers.Record, *apiError) {
	id := p["RecordId"]
	if id == "" {
		return nil, "", nil, errf(400, "MissingParameter", "RecordId is mandatory for this action.")
	}
	var (
		cur  *record
		zone string
	)
	for z, rs := range f.zones {
		for _, r := range rs {
			if r.id == id {
				cur, zone = r, z
			}
		}
	}
	if cur == nil {
		return nil, "", nil, errf(400, "DomainRecordNotBelongToUser", "The DNS record does not belong to you.")
	}
	r, aerr := fields(p)
	if aerr != nil {
		return nil, "", nil, aerr
	}
	if p["Line"] == "" {
		r.line = cur.line
	}
	if p["TTL"] == "" {
		r.ttl = cur.ttl
	}
	if r.rr == cur.rr && r.typ == cur.typ && r.value == cur.value && r.ttl == cur.ttl && r.line == cur.line {
		return nil, "", nil, errf(400, "DomainRecordDuplicate", "The DNS record already exists.")
	}
	if aerr := clash(f.zones[zone], r, id); aerr != nil {
		return nil, "", nil, aerr
	}
	cur.rr, cur.typ, cur.value, cur.ttl, cur.line = r.rr, r.typ, r.value, r.ttl, r.line
	rec := providers.Record{ID: cur.id, Name: cur.rr, Type: cur.typ, Value: cur.value, TTL: cur.ttl}
	return writeBody{RequestID: f.requestID(), RecordID: id}, zone, &rec, nil
}

// zoneOf returns the longest known zone that name is in, or "".
func (f *Fake) zoneOf(name string) string {
	best := ""
	for z := range f.zones {
		if (name == z || strings.HasSuffix(name, "."+z)) && len(z) > len(best) {
			best = z
		}
	}
	return best
}

func (f *Fake) newID() string {
	f.nextID++
	return strconv.FormatUint(f.nextID, 10)
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

// sorted returns rs ordered by name, type and id. Ids all have the same
// number of digits, so string order is numeric order.
func sorted(rs []*record) []*record {
	out := append([]*record(nil), rs...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.rr != b.rr {
			return a.rr < b.rr
		}
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		return a.id < b.id
	})
	return out
}
