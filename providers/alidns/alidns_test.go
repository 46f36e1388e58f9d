package alidns

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/alidns/alidnstest"
	"github.com/eddns/eddns/providers/providertest"
)

const (
	testKeyID  = "LTAI5tTestKeyId"
	testSecret = "s3cr3t-Never-In-Any-Request"
)

func TestConformance(t *testing.T) {
	providertest.Conformance(t, providertest.Setup{
		Fake:   alidnstest.New(testKeyID, testSecret),
		KeyID:  testKeyID,
		Secret: testSecret,
		New: func(endpoint, keyID, secret string, opts providers.Options) (providers.Provider, error) {
			opts.Endpoint = endpoint
			return New(keyID, secret, opts)
		},
		OtherLine: "telecom",
	})
}

// recorded is one request as the server received it.
type recorded struct {
	method string
	url    string
	header http.Header
	body   string
	form   url.Values
}

// recorder sits in front of a handler, keeps a copy of every request and
// lets a test rewrite the body before the handler sees it.
type recorder struct {
	next    http.Handler
	rewrite func(body string) string

	mu   sync.Mutex
	reqs []recorded
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	form, _ := url.ParseQuery(string(b))
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, recorded{r.Method, r.URL.String(), r.Header.Clone(), string(b), form})
	rewrite := rc.rewrite
	rc.mu.Unlock()
	if rewrite != nil {
		b = []byte(rewrite(string(b)))
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	rc.next.ServeHTTP(w, r)
}

func (rc *recorder) requests() []recorded {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]recorded(nil), rc.reqs...)
}

// env is a provider wired to a fresh fake with example.com.
type env struct {
	fake *alidnstest.Fake
	rec  *recorder
	p    *Provider
	url  string
}

func newEnv(t *testing.T, opts providers.Options) *env {
	t.Helper()
	fake := alidnstest.New(testKeyID, testSecret)
	fake.AddZone("example.com")
	rec := &recorder{next: fake}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	opts.Endpoint = srv.URL
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	p, err := New(testKeyID, testSecret, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, rec: rec, p: p, url: srv.URL}
}

func TestRequestsAreSignedFormPosts(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	e := newEnv(t, providers.Options{Clock: providers.NewClock(func() time.Time { return at })})
	e.fake.SetNow(func() time.Time { return at })
	ctx := context.Background()
	if _, err := e.p.List(ctx, "Example.com.", "@", "A"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Create(ctx, "example.com", providers.Record{Type: "A", Value: "192.0.2.1", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	want := []map[string]string{
		{"Action": "DescribeSubDomainRecords", "SubDomain": "example.com", "DomainName": "example.com", "Type": "A", "PageSize": "100", "PageNumber": "1"},
		{"Action": "AddDomainRecord", "DomainName": "example.com", "RR": "@", "Type": "A", "Value": "192.0.2.1", "TTL": "600"},
	}
	common := map[string]string{
		"Format": "JSON", "Version": "2015-01-09", "AccessKeyId": testKeyID, "SignatureMethod": "HMAC-SHA1",
		"SignatureVersion": "1.0", "Timestamp": "2024-05-06T07:08:09Z",
	}
	for i, r := range reqs {
		if r.method != http.MethodPost || r.url != "/" {
			t.Errorf("request %d: %s %s, want POST / (nothing in the URL)", i, r.method, r.url)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("request %d: Content-Type %q", i, ct)
		}
		for k, v := range want[i] {
			if got := r.form.Get(k); got != v {
				t.Errorf("request %d: %s = %q, want %q", i, k, got, v)
			}
		}
		for k, v := range common {
			if got := r.form.Get(k); got != v {
				t.Errorf("request %d: %s = %q, want %q", i, k, got, v)
			}
		}
		if r.form.Get("Signature") == "" {
			t.Errorf("request %d: no Signature", i)
		}
	}
	if n0, n1 := reqs[0].form.Get("SignatureNonce"), reqs[1].form.Get("SignatureNonce"); n0 == "" || n0 == n1 {
		t.Errorf("nonces %q and %q: want fresh non-empty nonces", n0, n1)
	}
}

func TestNoRequestCarriesTheSecret(t *testing.T) {
	e := newEnv(t, providers.Options{})
	ctx := context.Background()
	rec, err := e.p.Create(ctx, "example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	rec.Value = "2001:db8::2"
	if _, err := e.p.Update(ctx, "example.com", rec); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.List(ctx, "example.com", "nas", "AAAA"); err != nil {
		t.Fatal(err)
	}
	e.fake.Faults().Push(providertest.Fault{Code: "Throttling.User"})
	if _, err := e.p.List(ctx, "example.com", "nas", "AAAA"); err == nil {
		t.Fatal("injected fault did not fail the call")
	}
	reqs := e.rec.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	for i, r := range reqs {
		where := map[string]string{"URL": r.url, "body": r.body}
		for k, vs := range r.header {
			where["header "+k] = strings.Join(vs, "\n")
		}
		for w, s := range where {
			if strings.Contains(s, testSecret) || strings.Contains(s, url.QueryEscape(testSecret)) {
				t.Errorf("request %d: the secret appears in its %s", i, w)
			}
		}
		if strings.Contains(r.url, testKeyID) || strings.Contains(r.url, "Signature") {
			t.Errorf("request %d: URL %q carries credentials", i, r.url)
		}
	}
}

func TestErrorTextNeverHoldsTheSecret(t *testing.T) {
	// A server (or a proxy) that echoes the secret in its message.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"RequestId":"R1","Code":"InvalidParameter","Message":"bad value %s"}`, testSecret)
	}))
	defer srv.Close()
	p, err := New(testKeyID, testSecret, providers.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.List(context.Background(), "example.com", "nas", "AAAA")
	if err == nil || strings.Contains(err.Error(), testSecret) || strings.Contains(fmt.Sprintf("%#v", providers.AsError(err)), testSecret) {
		t.Fatalf("error %v holds the secret", err)
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("error %v: want the echoed secret redacted", err)
	}
}

func TestFakeRejectsTamperedParameter(t *testing.T) {
	e := newEnv(t, providers.Options{})
	ctx := context.Background()
	e.rec.rewrite = func(body string) string {
		// What a meddling middlebox would do: change the address after
		// the client signed it.
		return strings.Replace(body, "Value=192.0.2.1", "Value=192.0.2.66", 1)
	}
	_, err := e.p.Create(ctx, "example.com", providers.Record{Name: "www", Type: "A", Value: "192.0.2.1"})
	pe := providers.AsError(err)
	if pe == nil || pe.Code != "SignatureDoesNotMatch" || pe.Kind != providers.KindAuth {
		t.Fatalf("tampered request: %v; want SignatureDoesNotMatch (auth)", err)
	}
	if got := e.fake.Records("example.com"); len(got) != 0 {
		t.Fatalf("tampered request changed state: %+v", got)
	}
	// The same request untouched goes through.
	e.rec.rewrite = nil
	if _, err := e.p.Create(ctx, "example.com", providers.Record{Name: "www", Type: "A", Value: "192.0.2.1"}); err != nil {
		t.Fatalf("untampered create: %v", err)
	}
}

func TestErrorsAreClassifiedAndCarried(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		fault      providertest.Fault
		kind       providers.Kind
		code       string
		status     int
		retryAfter time.Duration
	}{
		{"Throttling.User", providertest.Fault{Code: "Throttling.User", Status: 400}, providers.KindThrottled, "Throttling.User", 400, 0},
		{"Throttling.Api with Retry-After", providertest.Fault{Code: "Throttling.Api", Status: 400, RetryAfter: "12"}, providers.KindThrottled, "Throttling.Api", 400, 12 * time.Second},
		{"LastOperationNotFinished waits a little", providertest.Fault{Code: "LastOperationNotFinished", Status: 400}, providers.KindThrottled, "LastOperationNotFinished", 400, lastOpRetry},
		{"InvalidTimeStamp.Expired", providertest.Fault{Code: "InvalidTimeStamp.Expired", Status: 400}, providers.KindClockSkew, "InvalidTimeStamp.Expired", 400, 0},
		{"ServiceUnavailable", providertest.Fault{Code: "ServiceUnavailable", Status: 503}, providers.KindTransient, "ServiceUnavailable", 503, 0},
		{"QuotaExceeded.Record", providertest.Fault{Code: "QuotaExceeded.Record", Status: 400}, providers.KindPermanent, "QuotaExceeded.Record", 400, 0},
		{"Forbidden.RAM", providertest.Fault{Code: "Forbidden.RAM", Status: 403}, providers.KindAuth, "Forbidden.RAM", 403, 0},
		{"HTML 403 from a proxy", providertest.Fault{Status: 403, Body: "<html>denied</html>"}, providers.KindAuth, "", 403, 0},
		{"HTML 404 is a wrong endpoint, not a missing record", providertest.Fault{Status: 404, Body: "<html>no</html>"}, providers.KindTransient, "", 404, 0},
		{"200 without RequestId", providertest.Fault{Status: 200, Body: `{}`}, providers.KindTransient, "", 200, 0},
		{"200 null", providertest.Fault{Status: 200, Body: `null`}, providers.KindTransient, "", 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, providers.Options{})
			e.fake.Faults().Push(tt.fault)
			_, err := e.p.List(ctx, "example.com", "nas", "AAAA")
			pe := providers.AsError(err)
			if pe == nil {
				t.Fatalf("err = %v, want *providers.Error", err)
			}
			if pe.Kind != tt.kind || pe.Code != tt.code || pe.HTTPStatus != tt.status || pe.RetryAfter != tt.retryAfter {
				t.Errorf("got kind %v code %q status %d retry %v; want %v %q %d %v",
					pe.Kind, pe.Code, pe.HTTPStatus, pe.RetryAfter, tt.kind, tt.code, tt.status, tt.retryAfter)
			}
			if pe.Provider != "alidns" || pe.Op != "list" || pe.Record != "nas.example.com/AAAA" {
				t.Errorf("error names %q %q %q", pe.Provider, pe.Op, pe.Record)
			}
			if tt.code != "" && pe.RequestID == "" {
				t.Error("RequestId not carried")
			}
		})
	}
}

func TestFakeStateErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	id := e.fake.Put("example.com", providers.Record{Name: "www", Type: "A", Value: "192.0.2.1", TTL: 600})

	_, err := e.p.List(ctx, "not-mine.org", "www", "A")
	if pe := providers.AsError(err); pe == nil || pe.Code != "IncorrectDomainUser" || pe.Kind != providers.KindNotFound {
		t.Errorf("list in a zone not in the account: %v; want IncorrectDomainUser (not-found)", err)
	}
	_, err = e.p.Update(ctx, "example.com", providers.Record{ID: "17999999999999999", Name: "www", Type: "A", Value: "192.0.2.2"})
	if pe := providers.AsError(err); pe == nil || pe.Code != "DomainRecordNotBelongToUser" || pe.Kind != providers.KindNotFound {
		t.Errorf("update of an unknown id: %v; want DomainRecordNotBelongToUser (not-found)", err)
	}
	_, err = e.p.Create(ctx, "example.com", providers.Record{Name: "www", Type: "A", Value: "192.0.2.1"})
	if pe := providers.AsError(err); pe == nil || pe.Code != "DomainRecordDuplicate" || pe.Kind != providers.KindConflict {
		t.Errorf("create of an identical record: %v; want DomainRecordDuplicate (conflict)", err)
	}
	e.fake.Put("example.com", providers.Record{Name: "alias", Type: "CNAME", Value: "target.example.net"})
	_, err = e.p.Create(ctx, "example.com", providers.Record{Name: "alias", Type: "A", Value: "192.0.2.9"})
	if pe := providers.AsError(err); pe == nil || pe.Code != "DomainRecordConflict" || pe.Kind != providers.KindConflict {
		t.Errorf("A next to a CNAME: %v; want DomainRecordConflict (conflict)", err)
	}
	_, err = e.p.Update(ctx, "example.com", providers.Record{Name: "www", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindPermanent {
		t.Errorf("update without id: %v; want permanent", err)
	}
	if e.fake.Writes() != 0 {
		t.Errorf("writes = %d after only failed writes", e.fake.Writes())
	}
	if got := e.fake.Records("example.com"); len(got) != 2 || got[1].ID != id || got[1].Value != "192.0.2.1" {
		t.Errorf("state changed by failed writes: %+v", got)
	}
}

func TestUpdateToHeldValueIsSuccess(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	id := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600})
	want := providers.Record{ID: id, Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600}
	got, err := e.p.Update(ctx, "example.com", want)
	if err != nil {
		t.Fatalf("Update to the held value: %v", err)
	}
	want.Line = "default"
	if got != want {
		t.Errorf("Update returned %+v, want %+v", got, want)
	}
	// The API was asked and said DomainRecordDuplicate; nothing was written.
	if e.fake.Calls("UpdateDomainRecord") != 1 || e.fake.Writes() != 0 {
		t.Errorf("calls %d writes %d, want 1 call and 0 writes", e.fake.Calls("UpdateDomainRecord"), e.fake.Writes())
	}
}

func TestListFollowsPages(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	const n = 250
	for i := range n {
		e.fake.Put("example.com", providers.Record{Name: "many", Type: "AAAA", Value: fmt.Sprintf("2001:db8::%x", i+1)})
	}
	e.fake.Put("example.com", providers.Record{Name: "many", Type: "A", Value: "192.0.2.1"})
	e.fake.Put("example.com", providers.Record{Name: "other", Type: "AAAA", Value: "2001:db8::1"})
	recs, err := e.p.List(ctx, "example.com", "many", "AAAA")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("List returned %d records, want %d", len(recs), n)
	}
	if got := e.fake.Calls("DescribeSubDomainRecords"); got != 3 {
		t.Errorf("%d list calls for %d records, want 3 pages of 100", got, n)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if r.Name != "many" || r.Type != "AAAA" || seen[r.ID] {
			t.Fatalf("bad or repeated record %+v", r)
		}
		seen[r.ID] = true
		// Ids beyond 2^53 must arrive digit for digit.
		if id, err := strconv.ParseUint(r.ID, 10, 64); err != nil || id <= 1<<53 {
			t.Fatalf("record id %q mangled", r.ID)
		}
	}
}

func TestListStopsAtPageBound(t *testing.T) {
	// A server that always claims more records than it sends.
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		_ = r.ParseForm()
		recs := make([]string, pageSize)
		for i := range recs {
			recs[i] = fmt.Sprintf(`{"RecordId":"%d%03d","RR":"x","Type":"A","Value":"192.0.2.1","Status":"ENABLE"}`, n, i)
		}
		fmt.Fprintf(w, `{"RequestId":"R","TotalCount":1000000,"PageNumber":%s,"PageSize":100,"DomainRecords":{"Record":[%s]}}`, r.Form.Get("PageNumber"), strings.Join(recs, ","))
	}))
	defer srv.Close()
	p, _ := New(testKeyID, testSecret, providers.Options{Endpoint: srv.URL})
	_, err := p.List(context.Background(), "example.com", "x", "A")
	if err == nil || providers.KindOf(err) != providers.KindPermanent {
		t.Fatalf("endless paging: %v; want a permanent error", err)
	}
	if got := calls.Load(); got != maxPages {
		t.Errorf("%d calls, want the bound %d", got, maxPages)
	}
}

func TestListMarksPausedRecords(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	off := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1"})
	on := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.2"})
	e.fake.SetStatus("example.com", off, "Disable") // old documents spell it so
	e.fake.SetStatus("example.com", on, "Enable")
	recs, err := e.p.List(ctx, "example.com", "nas", "A")
	if err != nil {
		t.Fatal(err)
	}
	// A paused record is still ours: it is listed, marked, so that it can
	// be updated and enabled instead of a second record being created.
	if len(recs) != 2 || recs[0].ID != off || !recs[0].Disabled || recs[1].ID != on || recs[1].Disabled {
		t.Fatalf("List = %+v; want %s paused and %s enabled", recs, off, on)
	}
	if err := e.p.Enable(ctx, "example.com", recs[0]); err != nil {
		t.Fatalf("Enable: %v", err)
	}
	if got := e.fake.Records("example.com"); got[0].ID != off || got[0].Disabled {
		t.Fatalf("after Enable: %+v", got)
	}
	if e.fake.Calls("SetDomainRecordStatus") != 1 {
		t.Fatalf("SetDomainRecordStatus calls = %d", e.fake.Calls("SetDomainRecordStatus"))
	}
}

// Issue 10 item 1: UpdateDomainRecord without Line moves the record onto the
// default line; every write must carry the record's line.
func TestUpdateKeepsTheRecordOnItsLine(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	tel := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "::1", Line: "telecom"})
	def := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "::1"})
	recs, err := e.p.List(ctx, "example.com", "nas", "AAAA")
	if err != nil || len(recs) != 2 || recs[0].Line != "telecom" || recs[1].Line != "default" {
		t.Fatalf("List = %+v, %v; want both lines reported", recs, err)
	}
	if _, err := e.p.Update(ctx, "example.com", providers.Record{ID: tel, Name: "nas", Type: "AAAA", Value: "::2", Line: "telecom"}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	got := e.fake.Records("example.com")
	if len(got) != 2 || got[0].ID != tel || got[0].Line != "telecom" || got[0].Value != "::2" ||
		got[1].ID != def || got[1].Line != "default" || got[1].Value != "::1" {
		t.Fatalf("records after update = %+v; want telecom ::2 and default ::1", got)
	}
	// A record created without a line goes onto the default line by name.
	if _, err := e.p.Create(ctx, "example.com", providers.Record{Name: "new", Type: "A", Value: "192.0.2.9", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.p.List(ctx, "example.com", "new", "A"); len(r) != 1 || r[0].Line != "default" {
		t.Fatalf("created record = %+v", r)
	}
}

// Issue 10 item 2: DomainRecordDuplicate because a different record holds
// the value is not success.
func TestUpdateDuplicateOfAnotherRecordIsAConflict(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	stale := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1"})
	e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::2"})
	_, err := e.p.Update(ctx, "example.com", providers.Record{ID: stale, Name: "nas", Type: "AAAA", Value: "2001:db8::2", TTL: 600})
	if pe := providers.AsError(err); pe == nil || pe.Code != "DomainRecordDuplicate" || pe.Kind != providers.KindConflict {
		t.Fatalf("Update onto another record's value: %v; want the DomainRecordDuplicate conflict", err)
	}
	if got := e.fake.Records("example.com"); got[0].Value != "2001:db8::1" {
		t.Fatalf("stale record changed: %+v", got)
	}
}

// Issue 10 item 4: a TTL the plan refuses is a configuration error naming
// the option and the allowed values.
func TestTTLRefusedByThePlanIsConfiguration(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	_, err := e.p.Create(ctx, "example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 60})
	pe := providers.AsError(err)
	if pe == nil || pe.Code != "QuotaExceeded.TTL" || pe.Kind != providers.KindConfig {
		t.Fatalf("TTL 60: %v; want QuotaExceeded.TTL classified as configuration", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "option ttl '60'") || !strings.Contains(msg, "600") {
		t.Fatalf("message %q does not name the option and the allowed value", msg)
	}
	_, err = e.p.Create(ctx, "example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 86401})
	if providers.KindOf(err) != providers.KindConfig || !strings.Contains(err.Error(), "86400 or less") {
		t.Fatalf("TTL 86401: %v", err)
	}
	// Other errors carry no TTL hint.
	_, err = e.p.Create(ctx, "nope.example", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 60})
	if err == nil || strings.Contains(err.Error(), "option ttl") {
		t.Fatalf("unknown zone: %v", err)
	}
}

// Issue 10 item 5: only an expired timestamp is clock skew.
func TestTimestampFormatIsNotClockSkew(t *testing.T) {
	if k := Classify("InvalidTimeStamp.Format", 400); k == providers.KindClockSkew {
		t.Fatalf("InvalidTimeStamp.Format classified %v", k)
	}
	if k := Classify("InvalidTimeStamp.Expired", 400); k != providers.KindClockSkew {
		t.Fatalf("InvalidTimeStamp.Expired classified %v", k)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		keyID, secret, endpoint string
		ok                      bool
	}{
		{"id", "secret", "", true},
		{"id", "secret", "https://alidns.cn-hangzhou.aliyuncs.com", true},
		{"id", "secret", "http://127.0.0.1:8080/", true},
		{"", "zQ9-secret", "", false},
		{"id", "", "", false},
		{"id", "secret", "ftp://example.com/", false},
		{"id", "secret", "https://example.com/?x=1", false},
		{"id", "secret", "https://user:pw@example.com/", false},
		{"id", "secret", "://", false},
	}
	for _, tt := range tests {
		p, err := New(tt.keyID, tt.secret, providers.Options{Endpoint: tt.endpoint})
		if (err == nil) != tt.ok {
			t.Errorf("New(%q, %q, %q) err = %v, want ok=%v", tt.keyID, tt.secret, tt.endpoint, err, tt.ok)
		}
		if err != nil && tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
			t.Errorf("New error leaks the secret: %v", err)
		}
		if err == nil && tt.endpoint == "" && p.endpoint != DefaultEndpoint {
			t.Errorf("default endpoint = %q", p.endpoint)
		}
	}
}

func TestSignerAndFakeAgreeOnAwkwardCharacters(t *testing.T) {
	// The client's encoder and the fake's (written the SDK way) must agree
	// on everything a value may hold, or every such request would fail.
	ctx := context.Background()
	e := newEnv(t, providers.Options{})
	for i, v := range []string{"a b", "a+b", "*~", "50%", "中文", "x=y&z", "'\"<>", "tab\there", "\u00e9"} {
		name := fmt.Sprintf("txt%d", i)
		if _, err := e.p.Create(ctx, "example.com", providers.Record{Name: name, Type: "TXT", Value: v}); err != nil {
			t.Errorf("Create TXT %q: %v", v, err)
		}
	}
	if got := len(e.fake.Records("example.com")); got != 9 {
		t.Errorf("%d records stored, want 9", got)
	}
}

// BenchmarkUpdate measures one signed UpdateDomainRecord round trip to the
// fake over loopback, the provider's share of the event-to-request latency.
func BenchmarkUpdate(b *testing.B) {
	fake := alidnstest.New(testKeyID, testSecret)
	id := fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	p, err := New(testKeyID, testSecret, providers.Options{Endpoint: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		rec := providers.Record{ID: id, Name: "nas", Type: "AAAA", Value: fmt.Sprintf("2001:db8::%x", i%0xffff+2)}
		if _, err := p.Update(ctx, "example.com", rec); err != nil {
			b.Fatal(err)
		}
	}
}
