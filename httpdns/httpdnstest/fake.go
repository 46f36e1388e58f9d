// Package httpdnstest is a local stand-in for the yunaq HTTPDNS API
// (GET /sign_d), for tests of the httpdns client and of anything that
// verifies records through it.
//
// The fake follows the API document: it checks every parameter, verifies
// the md5 signature and the expiry against its own clock, enforces an
// account's domain whitelist, answers in JSON or text, with or without the
// TTL, optionally AES-256-ECB encrypted as hex, and fails with the
// documented codes and HTTP statuses. Its signing and encryption are written
// here independently of the client, so a bug in one is not mirrored by the
// other. It can model the service's answer cache (new values visible only
// after a delay), rate limiting, and injected faults.
package httpdnstest

import (
	"bytes"
	"crypto/aes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/providers/providertest"
)

// Path is the only path the API serves.
const Path = "/sign_d"

// MaxAhead is how far after the server's now the expiry t may be.
const MaxAhead = 600 * time.Second

// statuses are the documented HTTP statuses of the error codes.
var statuses = map[string]int{
	"MissingArgument":  http.StatusForbidden,
	"InvalidParam":     http.StatusForbidden,
	"InvalidSignature": http.StatusForbidden,
	"SignatureExpired": http.StatusForbidden,
	"DnNotInWhitelist": http.StatusForbidden,
	"InvalidAccountId": http.StatusForbidden,
	"InvalidUrlPath":   http.StatusNotFound,
	"MethodNotAllowed": http.StatusMethodNotAllowed,
	"AccessRestricted": http.StatusServiceUnavailable,
	"InternalError":    http.StatusInternalServerError,
}

// Fake is the fake HTTPDNS service. Its zero value is not usable; call New.
type Fake struct {
	mu         sync.Mutex
	now        func() time.Time
	accounts   map[string][]string // account id -> secrets (at most two)
	whitelist  []string            // root domains
	records    map[string][]version
	ttl        int
	cacheDelay time.Duration
	limit      int
	limitEvery time.Duration
	winStart   time.Time
	winCount   int
	faults     providertest.Faults
	requests   int
	last       url.Values
}

// version is one value of a record and when the service starts handing it
// out.
type version struct {
	addrs   []netip.Addr
	visible time.Time
}

// New returns a fake with no accounts, an empty whitelist, no records, a
// TTL of 600 s, no cache delay, no rate limit, and time.Now as its clock.
func New() *Fake {
	return &Fake{
		now:      time.Now,
		accounts: map[string][]string{},
		records:  map[string][]version{},
		ttl:      600,
	}
}

// Start serves a new fake on a loopback httptest server closed at the end of
// the test, and returns it with the full API URL (ending in /sign_d).
func Start(tb testing.TB) (*Fake, string) {
	tb.Helper()
	f := New()
	srv := httptest.NewServer(f)
	tb.Cleanup(srv.Close)
	return f, srv.URL + Path
}

// AddAccount makes account id known with secret; calling it again for the
// same id adds a second secret, as the console allows. It panics on a third
// secret, or on an id or secret of the wrong shape (a bug in the test).
func (f *Fake) AddAccount(id, secret string) {
	if !isHex32(id) {
		panic("httpdnstest: account id must be 32 lower-case hex digits")
	}
	if len(secret) != 20 {
		panic("httpdnstest: secrets are 20 characters")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.accounts[id]) >= 2 {
		panic("httpdnstest: an account has at most two secrets")
	}
	f.accounts[id] = append(f.accounts[id], secret)
}

// AllowDomain adds a root domain to the whitelist; it and all names under it
// may be queried.
func (f *Fake) AllowDomain(root string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.whitelist = append(f.whitelist, strings.ToLower(strings.TrimSuffix(root, ".")))
}

// SetRecord sets the addresses the service hands out for host and type ("A"
// or "AAAA"); none means no result. With a cache delay the new value becomes
// visible only that long after now on the fake's clock. It panics if an
// address does not match the type.
func (f *Fake) SetRecord(host, typ string, addrs ...netip.Addr) {
	if typ != "A" && typ != "AAAA" {
		panic("httpdnstest: the API serves only A and AAAA, not " + typ)
	}
	for _, a := range addrs {
		if (typ == "A" && !a.Is4()) || (typ == "AAAA" && !a.Is6()) {
			panic(fmt.Sprintf("httpdnstest: %s is not an %s address", a, typ))
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := key(host, typ)
	f.records[k] = append(f.records[k], version{addrs: append([]netip.Addr(nil), addrs...), visible: f.now().Add(f.cacheDelay)})
}

// SetTTL sets the TTL (seconds) reported when ttl=1.
func (f *Fake) SetTTL(seconds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ttl = seconds
}

// SetCacheDelay makes values set from now on visible only d after they are
// set, modelling the documented cache of up to 2 minutes.
func (f *Fake) SetCacheDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cacheDelay = d
}

// SetRateLimit refuses with AccessRestricted every request beyond n within
// each window of the fake's clock; n <= 0 removes the limit.
func (f *Fake) SetRateLimit(n int, window time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit, f.limitEvery, f.winCount, f.winStart = n, window, 0, f.now()
}

// SetNow sets the fake's clock, used for expiry checks, the cache delay, the
// rate limit and the Date header.
func (f *Fake) SetNow(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// Faults is the queue of injected failures. A fault with Code and no Body
// is answered as {"code":Code} with the code's documented status (or
// Status, when set); Body, Delay and Reset work as in providertest. The
// action of every request is "sign_d".
func (f *Fake) Faults() *providertest.Faults { return &f.faults }

// Requests returns how many requests the fake has received, answered or not.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// LastQuery returns a copy of the last request's query parameters.
func (f *Fake) LastQuery() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := url.Values{}
	for k, v := range f.last {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// ServeHTTP answers one API request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.last = r.URL.Query()
	now := f.now()
	f.mu.Unlock()
	// The service's clock, not the test host's, is what a client can learn.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))

	if fault, ok := f.faults.TakeFor(r, "sign_d"); ok {
		if providertest.Apply(w, r, fault) {
			return
		}
		if fault.Code != "" {
			writeError(w, fault.Code, fault.Status)
			return
		}
	}
	status, ctype, body := f.answer(r, now)
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// apiError is a refusal with a documented code.
type apiError string

func writeError(w http.ResponseWriter, code string, status int) {
	if status == 0 {
		status = statuses[code]
	}
	if status == 0 {
		status = http.StatusForbidden
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"code":%q}`, code)
}

func (f *Fake) answer(r *http.Request, now time.Time) (int, string, []byte) {
	body, code := f.lookup(r, now)
	if code != "" {
		return statuses[string(code)], "application/json", []byte(`{"code":"` + string(code) + `"}`)
	}
	return http.StatusOK, body.ctype, body.data
}

type okBody struct {
	ctype string
	data  []byte
}

// lookup applies the API's checks in order and builds the answer.
func (f *Fake) lookup(r *http.Request, now time.Time) (okBody, apiError) {
	if r.URL.Path != Path {
		return okBody{}, "InvalidUrlPath"
	}
	if r.Method != http.MethodGet {
		return okBody{}, "MethodNotAllowed"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limit > 0 {
		if now.Sub(f.winStart) >= f.limitEvery || now.Before(f.winStart) {
			f.winStart, f.winCount = now, 0
		}
		f.winCount++
		if f.winCount > f.limit {
			return okBody{}, "AccessRestricted"
		}
	}
	q := r.URL.Query()
	host, account, tText, sign := q.Get("host"), q.Get("account_id"), q.Get("t"), q.Get("sign")
	if host == "" || account == "" || tText == "" || sign == "" {
		return okBody{}, "MissingArgument"
	}
	t, err := strconv.ParseInt(tText, 10, 64)
	out, qtype, ttl, enc, ip := q.Get("out"), q.Get("qtype"), q.Get("ttl"), q.Get("encrypt"), q.Get("ip")
	switch {
	case err != nil, !validHost(host), !isHex32(account), !isHex32(sign),
		!oneOf(out, "", "json", "text"), !oneOf(qtype, "", "A", "AAAA"),
		!oneOf(ttl, "", "0", "1"), !oneOf(enc, "", "0", "1"), ip != "" && !isIPv4(ip):
		return okBody{}, "InvalidParam"
	}
	secrets, ok := f.accounts[account]
	if !ok {
		return okBody{}, "InvalidAccountId"
	}
	if t > now.Add(MaxAhead).Unix() {
		return okBody{}, "InvalidParam"
	}
	secret := ""
	for _, s := range secrets {
		if md5hex(host+"-"+s+"-"+tText) == sign {
			secret = s
		}
	}
	if secret == "" {
		return okBody{}, "InvalidSignature"
	}
	if now.Unix() > t {
		return okBody{}, "SignatureExpired"
	}
	if !f.allowed(host) {
		return okBody{}, "DnNotInWhitelist"
	}
	if qtype == "" {
		qtype = "A"
	}
	addrs := f.visible(host, qtype, now)
	var data []byte
	ctype := "application/json"
	if out == "text" {
		ctype = "text/plain; charset=utf-8"
		data = textBody(addrs, ttl == "1", f.ttl)
	} else {
		data = jsonBody(host, qtype, addrs, ttl == "1", f.ttl)
	}
	if enc == "1" {
		ctype = "text/plain; charset=utf-8"
		data = encrypt(data, secret)
	}
	return okBody{ctype: ctype, data: data}, ""
}

func (f *Fake) allowed(host string) bool {
	host = strings.ToLower(host)
	for _, root := range f.whitelist {
		if host == root || strings.HasSuffix(host, "."+root) {
			return true
		}
	}
	return false
}

// visible returns the newest value whose cache delay has passed. A name
// without records of its own is answered from a wildcard record "*.parent"
// as resolvers answer it (RFC 4592 section 2.1.1): SetRecord("*.example.com",
// ...) answers any.example.com.
func (f *Fake) visible(host, typ string, now time.Time) []netip.Addr {
	vs := f.records[key(host, typ)]
	if len(vs) == 0 {
		if _, parent, ok := strings.Cut(host, "."); ok {
			vs = f.records[key("*."+parent, typ)]
		}
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if !now.Before(vs[i].visible) {
			return vs[i].addrs
		}
	}
	return nil
}

func jsonBody(host, qtype string, addrs []netip.Addr, withTTL bool, ttl int) []byte {
	if len(addrs) == 0 {
		return []byte("{}")
	}
	// Field order as in the document's example answer.
	var v struct {
		IPs   []string `json:"ips,omitempty"`
		IPsV6 []string `json:"ipsv6,omitempty"`
		TTL   *int     `json:"ttl,omitempty"`
		Host  string   `json:"host"`
	}
	v.Host = host
	if withTTL {
		v.TTL = &ttl
	}
	for _, a := range addrs {
		if qtype == "A" {
			v.IPs = append(v.IPs, a.String())
		} else {
			v.IPsV6 = append(v.IPsV6, longV6(a))
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // cannot happen: strings and an int
	}
	return b
}

func textBody(addrs []netip.Addr, withTTL bool, ttl int) []byte {
	if len(addrs) == 0 {
		return []byte("null")
	}
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = longV6(a)
	}
	s := strings.Join(parts, ",")
	if withTTL {
		s += ";" + strconv.Itoa(ttl)
	}
	return []byte(s)
}

// longV6 writes IPv6 the way the service's examples do, eight groups without
// "::" compression ("2408:8741:0:1:0:0:0:27"); IPv4 is unchanged.
func longV6(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	b := a.As16()
	g := make([]string, 8)
	for i := range g {
		g[i] = strconv.FormatUint(uint64(b[2*i])<<8|uint64(b[2*i+1]), 16)
	}
	return strings.Join(g, ":")
}

// encrypt is the service side of encrypt=1: the 20-character secret PKCS#7
// padded to 32 bytes is the AES-256 key, the body is PKCS#7 padded and
// encrypted block by block (ECB) and sent as hex. Upper-case hex, as in the
// document's only hex example, keeps the client honest about case.
func encrypt(plain []byte, secret string) []byte {
	key := pkcs7([]byte(secret), 16)
	blk, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // cannot happen: AddAccount admits only 20-character secrets
	}
	p := pkcs7(plain, aes.BlockSize)
	ct := make([]byte, len(p))
	for i := 0; i < len(p); i += aes.BlockSize {
		blk.Encrypt(ct[i:], p[i:i+aes.BlockSize])
	}
	return bytes.ToUpper([]byte(hex.EncodeToString(ct)))
}

func pkcs7(b []byte, size int) []byte {
	n := size - len(b)%size
	return append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(n)}, n)...)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func key(host, typ string) string { return strings.ToLower(host) + "/" + typ }

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func isHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// isIPv4 accepts only dotted-quad IPv4: the service supports no IPv6 ip.
func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

func validHost(h string) bool {
	if len(h) > 253 || h == "" {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
