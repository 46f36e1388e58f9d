package qcloudcns_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/providers/qcloudcns"
	"github.com/eddns/eddns/providers/qcloudcns/qcloudcnstest"
)

const (
	testID     = "AKIDlegacytestid00000000000000000000"
	testSecret = "legacy-Secret-Key-never-leak-0123"
)

func TestConformance(t *testing.T) {
	providertest.Conformance(t, providertest.Setup{
		Fake:   qcloudcnstest.New(testID, testSecret),
		KeyID:  testID,
		Secret: testSecret,
		New: func(endpoint, id, secret string, opts providers.Options) (providers.Provider, error) {
			opts.Endpoint = endpoint
			return qcloudcns.New(id, secret, opts)
		},
		OtherLine: "电信",
	})
}

type seenRequest struct {
	method, target string
	header         http.Header
	body           []byte
}

type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []seenRequest
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, seenRequest{r.Method, r.URL.String(), r.Header.Clone(), body})
	rc.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rc.next.ServeHTTP(w, r)
}

func (rc *recorder) all() []seenRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]seenRequest(nil), rc.reqs...)
}

type env struct {
	fake *qcloudcnstest.Fake
	rec  *recorder
	p    *qcloudcns.Provider
}

func setup(t *testing.T) env {
	t.Helper()
	fake := qcloudcnstest.New(testID, testSecret)
	fake.AddZone("example.com")
	rec := &recorder{next: fake}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	p, err := qcloudcns.New(testID, testSecret, providers.Options{Endpoint: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return env{fake, rec, p}
}

func TestRequestIsASignedPOSTForm(t *testing.T) {
	e := setup(t)
	if _, err := e.p.Create(context.Background(), "example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	r := e.rec.all()[0]
	if r.method != http.MethodPost || r.target != "/v2/index.php" {
		t.Fatalf("%s %s; want POST /v2/index.php with nothing in the query", r.method, r.target)
	}
	form, err := url.ParseQuery(string(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"Action": "RecordCreate", "SecretId": testID, "SignatureMethod": "HmacSHA256",
		"domain": "example.com", "subDomain": "nas", "recordType": "AAAA", "recordLine": "默认",
		"value": "2001:db8::1", "ttl": "600",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if n, err := strconv.ParseUint(form.Get("Nonce"), 10, 64); err != nil || n == 0 {
		t.Errorf("Nonce %q is not a positive integer", form.Get("Nonce"))
	}
	if form.Get("Signature") == "" || !strings.Contains(string(r.body), "Signature=") {
		t.Error("no Signature")
	}
}

func TestEndpointWithPathIsKept(t *testing.T) {
	fake := qcloudcnstest.New(testID, testSecret)
	fake.AddZone("example.com")
	mux := http.NewServeMux()
	mux.Handle("/v2/index.php", fake)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	p, _ := qcloudcns.New(testID, testSecret, providers.Options{Endpoint: srv.URL + "/v2/index.php"})
	if _, err := p.List(context.Background(), "example.com", "nas", "A"); err != nil {
		t.Fatal(err)
	}
	p, _ = qcloudcns.New(testID, testSecret, providers.Options{Endpoint: srv.URL + "/other"})
	_, err := p.List(context.Background(), "example.com", "nas", "A")
	if pe := providers.AsError(err); pe == nil || pe.HTTPStatus != http.StatusNotFound {
		t.Fatalf("wrong path: %v", err)
	}
}

func TestListPagesThroughManyRecords(t *testing.T) {
	e := setup(t)
	const n = 230
	for i := range n {
		e.fake.Put("example.com", providers.Record{Name: "many", Type: "AAAA", Value: "2001:db8::" + strconv.FormatInt(int64(i+1), 16)})
	}
	e.fake.Put("example.com", providers.Record{Name: "many", Type: "A", Value: "192.0.2.1"})
	recs, err := e.p.List(context.Background(), "example.com", "many", "AAAA")
	if err != nil || len(recs) != n {
		t.Fatalf("listed %d (%v), want %d", len(recs), err, n)
	}
	if got := e.fake.Calls("RecordList"); got != 3 {
		t.Fatalf("RecordList calls = %d, want 3", got)
	}
}

func TestEmptyListIsNotAnError(t *testing.T) {
	e := setup(t)
	recs, err := e.p.List(context.Background(), "example.com", "absent", "A")
	if err != nil || recs == nil || len(recs) != 0 {
		t.Fatalf("List = %#v, %v", recs, err)
	}
}

func TestDuplicateCreateIsAConflict(t *testing.T) {
	e := setup(t)
	rec := providers.Record{Name: "nas", Type: "A", Value: "192.0.2.9", TTL: 600}
	if _, err := e.p.Create(context.Background(), "example.com", rec); err != nil {
		t.Fatal(err)
	}
	_, err := e.p.Create(context.Background(), "example.com", rec)
	pe := providers.AsError(err)
	if pe == nil || pe.Kind != providers.KindConflict || pe.Code != "4000/InvalidParameter" || !strings.HasPrefix(pe.Message, "(104)") {
		t.Fatalf("duplicate create: %#v", pe)
	}
}

func TestUpdateToIdenticalValueIsSuccess(t *testing.T) {
	e := setup(t)
	id := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.5", TTL: 600})
	got, err := e.p.Update(context.Background(), "example.com", providers.Record{ID: id, Name: "nas", Type: "A", Value: "192.0.2.5", TTL: 600})
	if err != nil || got.ID != id {
		t.Fatalf("identical update: %+v, %v", got, err)
	}
	if e.fake.Writes() != 0 || e.fake.Calls("RecordModify") != 1 || e.fake.Calls("RecordList") != 1 {
		t.Fatalf("writes %d modify %d list %d", e.fake.Writes(), e.fake.Calls("RecordModify"), e.fake.Calls("RecordList"))
	}
	// Onto a sibling's value: still a conflict.
	e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.6"})
	_, err = e.p.Update(context.Background(), "example.com", providers.Record{ID: id, Name: "nas", Type: "A", Value: "192.0.2.6"})
	if providers.KindOf(err) != providers.KindConflict {
		t.Fatalf("update onto sibling: %v", err)
	}
}

func TestStaleRecordIDIsNotFound(t *testing.T) {
	e := setup(t)
	_, err := e.p.Update(context.Background(), "example.com", providers.Record{ID: "12345", Name: "nas", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindNotFound {
		t.Fatalf("stale id: %v", err)
	}
	_, err = e.p.List(context.Background(), "other.example", "nas", "A")
	if providers.KindOf(err) != providers.KindNotFound {
		t.Fatalf("unknown zone: %v", err)
	}
}

func TestInjectedCodesAreClassified(t *testing.T) {
	cases := []struct {
		code string
		want providers.Kind
	}{
		{"4100", providers.KindAuth},
		{"4101", providers.KindAuth},
		{"4102", providers.KindAuth},
		{"4103", providers.KindAuth},
		{"4104", providers.KindAuth},
		{"4110", providers.KindAuth},
		{"4200", providers.KindClockSkew},
		{"4400", providers.KindThrottled},
		{"RequestLimitExceeded", providers.KindThrottled},
		{"6000", providers.KindTransient},
		{"5000", providers.KindNotFound},
		{"4000", providers.KindPermanent},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			e := setup(t)
			e.fake.Faults().Push(providertest.Fault{Action: "RecordList", Code: c.code})
			_, err := e.p.List(context.Background(), "example.com", "nas", "A")
			pe := providers.AsError(err)
			if pe == nil || pe.Kind != c.want || pe.Code == "" || pe.Provider != "qcloud_cns" {
				t.Fatalf("got %#v, want %v", pe, c.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		code     int64
		desc     string
		msg      string
		want     providers.Kind
		scenario string
	}{
		{4500, "", "请求的 Timestamp 与服务器时间相差超过2小时", providers.KindClockSkew, "stale timestamp"},
		{4500, "", "timestamp expired", providers.KindClockSkew, "stale timestamp, English"},
		{4500, "", "Nonce 已被使用", providers.KindTransient, "nonce replay: the retry draws a new nonce"},
		{4000, "InvalidParameter", "(104)记录已经存在，无需再次添加", providers.KindConflict, "record exists"},
		{4000, "InvalidParameter", "(8)记录编号错误", providers.KindNotFound, "stale record id"},
		{4000, "InvalidParameter", "(22)子域名不合法", providers.KindPermanent, "bad name"},
		{4000, "InvalidParameter.DomainRecordExist", "", providers.KindConflict, "codeDesc says exists"},
		{4000, "InvalidParameterValue.DomainNotExists", "", providers.KindNotFound, "codeDesc says no domain"},
		{5100, "", "(100004) projectId is incorrect", providers.KindTransient, "resource operation failed"},
		{5100, "RequestLimitExceeded", "", providers.KindThrottled, "codeDesc refines 5100"},
		{4300, "", "", providers.KindAuth, "access denied"},
		{6100, "", "", providers.KindPermanent, "unsupported"},
		{6200, "", "", providers.KindTransient, "maintenance"},
		{9999, "AuthFailure.TokenFailure", "", providers.KindAuth, "unknown code, known codeDesc"},
		{9999, "", "", providers.KindUnknown, "unknown everything"},
	}
	for _, c := range cases {
		if got := qcloudcns.Classify(c.code, c.desc, c.msg); got != c.want {
			t.Errorf("%s: Classify(%d, %q, %q) = %v, want %v", c.scenario, c.code, c.desc, c.msg, got, c.want)
		}
	}
}

func TestReusedNonceIsRefused(t *testing.T) {
	fake := qcloudcnstest.New(testID, testSecret)
	fake.AddZone("example.com")
	// A transport that replays the first request's body verbatim.
	var first []byte
	var mu sync.Mutex
	replay := httpc.DoerFunc(func(ctx context.Context, r *httpc.Request) (*httpc.Response, error) {
		mu.Lock()
		if first == nil {
			first = r.Body
		}
		r.Body = first
		mu.Unlock()
		return (&httpc.Client{}).Do(ctx, r)
	})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	p, _ := qcloudcns.New(testID, testSecret, providers.Options{Endpoint: srv.URL, HTTPClient: replay})
	if _, err := p.List(context.Background(), "example.com", "nas", "A"); err != nil {
		t.Fatal(err)
	}
	_, err := p.List(context.Background(), "example.com", "nas", "A")
	pe := providers.AsError(err)
	if pe == nil || pe.Kind != providers.KindTransient || !strings.HasPrefix(pe.Code, "4500") {
		t.Fatalf("replayed request: %#v", pe)
	}
}

func TestTimestampWindowIsTwoHours(t *testing.T) {
	for _, c := range []struct {
		skew time.Duration
		want providers.Kind
	}{
		{119 * time.Minute, providers.KindUnknown},
		{-119 * time.Minute, providers.KindUnknown},
		{121 * time.Minute, providers.KindClockSkew},
		{-121 * time.Minute, providers.KindClockSkew},
	} {
		e := setup(t)
		e.fake.SetNow(func() time.Time { return time.Now().Add(c.skew) })
		_, err := e.p.List(context.Background(), "example.com", "nas", "A")
		if got := providers.KindOf(err); got != c.want {
			t.Errorf("skew %v: kind %v (%v), want %v", c.skew, got, err, c.want)
		}
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	for _, c := range []struct{ id, key, ep string }{
		{"", "sekrit-key", ""}, {"id", "", ""}, {"id", "sekrit-key", "ftp://x/v2/index.php"}, {"id", "sekrit-key", "no scheme"},
	} {
		if _, err := qcloudcns.New(c.id, c.key, providers.Options{Endpoint: c.ep}); err == nil {
			t.Errorf("New(%q, %q, %q) accepted", c.id, c.key, c.ep)
		} else if c.key != "" && strings.Contains(err.Error(), c.key) {
			t.Errorf("error leaks key: %v", err)
		}
	}
}

// Issue 10 items 1 and 3: RecordList reports lines and paused records
// (enabled 0); writes send the record's line; RecordModify keeps a paused
// record paused, RecordStatus resumes it.
func TestLinesAndPausedRecords(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	tel := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", Line: "电信"})
	def := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", Disabled: true})
	recs, err := e.p.List(ctx, "example.com", "nas", "A")
	if err != nil || len(recs) != 2 || recs[0].Line != "电信" || recs[0].Disabled || recs[1].Line != "默认" || !recs[1].Disabled {
		t.Fatalf("List = %+v, %v", recs, err)
	}
	if _, err := e.p.Update(ctx, "example.com", providers.Record{ID: tel, Name: "nas", Type: "A", Value: "192.0.2.2", Line: "电信", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	got, err := e.p.Update(ctx, "example.com", providers.Record{ID: def, Name: "nas", Type: "A", Value: "192.0.2.3", TTL: 600, Disabled: true})
	if err != nil || !got.Disabled {
		t.Fatalf("update of the paused record = %+v, %v; want it still paused", got, err)
	}
	if err := e.p.Enable(ctx, "example.com", got); err != nil {
		t.Fatal(err)
	}
	all := e.fake.Records("example.com")
	if all[0].Line != "电信" || all[0].Value != "192.0.2.2" || all[1].Line != "默认" || all[1].Value != "192.0.2.3" || all[1].Disabled {
		t.Fatalf("records = %+v", all)
	}
}

// Issue 10 item 4: DNSPod's module code 32 ("TTL 超出限制") is a
// configuration error naming the option.
func TestTTLBelowThePlanIsConfiguration(t *testing.T) {
	e := setup(t)
	_, err := e.p.Create(context.Background(), "example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", TTL: 60})
	if providers.KindOf(err) != providers.KindConfig || !strings.Contains(err.Error(), "option ttl '60'") {
		t.Fatalf("TTL 60: %v", err)
	}
}
