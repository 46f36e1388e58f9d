package tencentcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/providers/tencentcloud"
	"github.com/eddns/eddns/providers/tencentcloud/tencentcloudtest"
)

const (
	testID     = "AKIDtestsecretid0000000000000000000"
	testSecret = "tEsTsEcReTkEy-never-leak-me-0123456"
)

func newProvider(endpoint, id, secret string, opts providers.Options) (providers.Provider, error) {
	opts.Endpoint = endpoint
	return tencentcloud.New(id, secret, opts)
}

func TestConformance(t *testing.T) {
	providertest.Conformance(t, providertest.Setup{
		Fake:      tencentcloudtest.New(testID, testSecret),
		KeyID:     testID,
		Secret:    testSecret,
		New:       newProvider,
		OtherLine: "10=0",
	})
}

// recorder keeps a copy of every request the fake sees.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []seenRequest
}

type seenRequest struct {
	target string
	header http.Header
	body   []byte
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, seenRequest{r.URL.String(), r.Header.Clone(), body})
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
	fake *tencentcloudtest.Fake
	rec  *recorder
	url  string
	p    *tencentcloud.Provider
}

func setup(t *testing.T) env {
	t.Helper()
	fake := tencentcloudtest.New(testID, testSecret)
	fake.AddZone("example.com")
	rec := &recorder{next: fake}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	p, err := tencentcloud.New(testID, testSecret, providers.Options{Endpoint: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return env{fake, rec, srv.URL, p}
}

func TestRequestShape(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := e.p.Create(ctx, "example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.all()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	for k, want := range map[string]string{
		"X-TC-Action":  "CreateRecord",
		"X-TC-Version": "2021-03-23",
		"Content-Type": "application/json; charset=utf-8",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(r.header.Get("Authorization"), "SignedHeaders=content-type;host;x-tc-action,") {
		t.Errorf("Authorization = %q", r.header.Get("Authorization"))
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Domain": "example.com", "SubDomain": "nas", "RecordType": "AAAA",
		"RecordLine": "默认", "Value": "2001:db8::1", "TTL": float64(600)}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %v, want %v", k, body[k], v)
		}
	}
}

func TestTimestampComesFromTheClock(t *testing.T) {
	fake := tencentcloudtest.New(testID, testSecret)
	fake.AddZone("example.com")
	at := time.Date(2030, 6, 1, 23, 30, 0, 0, time.UTC)
	fake.SetNow(func() time.Time { return at })
	rec := &recorder{next: fake}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	p, _ := tencentcloud.New(testID, testSecret, providers.Options{Endpoint: srv.URL, Clock: providers.NewClock(func() time.Time { return at })})
	if _, err := p.List(context.Background(), "example.com", "nas", "A"); err != nil {
		t.Fatal(err)
	}
	h := rec.all()[0].header
	if got := h.Get("X-TC-Timestamp"); got != strconv.FormatInt(at.Unix(), 10) {
		t.Fatalf("X-TC-Timestamp = %s", got)
	}
	if !strings.Contains(h.Get("Authorization"), "/2030-06-01/dnspod/tc3_request") {
		t.Fatalf("Authorization scope: %s", h.Get("Authorization"))
	}
}

func TestNoDataOfRecordIsAnEmptyList(t *testing.T) {
	e := setup(t)
	recs, err := e.p.List(context.Background(), "example.com", "absent", "AAAA")
	if err != nil || recs == nil || len(recs) != 0 {
		t.Fatalf("List = %#v, %v; want empty non-nil slice, nil", recs, err)
	}
	if e.fake.Calls("DescribeRecordList") != 1 {
		t.Fatalf("calls = %d", e.fake.Calls("DescribeRecordList"))
	}
}

func TestListPagesThroughManyRecords(t *testing.T) {
	e := setup(t)
	const n = 250
	for i := range n {
		e.fake.Put("example.com", providers.Record{Name: "many", Type: "AAAA", Value: "2001:db8::" + strconv.FormatInt(int64(i+1), 16)})
	}
	e.fake.Put("example.com", providers.Record{Name: "many", Type: "A", Value: "192.0.2.1"})
	e.fake.Put("example.com", providers.Record{Name: "other", Type: "AAAA", Value: "2001:db8::1"})
	recs, err := e.p.List(context.Background(), "example.com", "many", "AAAA")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("listed %d records, want %d", len(recs), n)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if r.Name != "many" || r.Type != "AAAA" || seen[r.ID] {
			t.Fatalf("unexpected or repeated record %+v", r)
		}
		seen[r.ID] = true
	}
	if got := e.fake.Calls("DescribeRecordList"); got != 3 {
		t.Fatalf("DescribeRecordList calls = %d, want 3 pages", got)
	}
}

func TestDuplicateCreateIsAConflict(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	rec := providers.Record{Name: "nas", Type: "A", Value: "192.0.2.9", TTL: 600}
	if _, err := e.p.Create(ctx, "example.com", rec); err != nil {
		t.Fatal(err)
	}
	_, err := e.p.Create(ctx, "example.com", rec)
	pe := providers.AsError(err)
	if pe == nil || pe.Kind != providers.KindConflict || pe.Code != "InvalidParameter.DomainRecordExist" || pe.RequestID == "" || pe.Op != "create" {
		t.Fatalf("duplicate create: %#v", pe)
	}
}

func TestUpdateToIdenticalValueIsSuccess(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	id := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::5", TTL: 600})
	got, err := e.p.Update(ctx, "example.com", providers.Record{ID: id, Name: "nas", Type: "AAAA", Value: "2001:db8::5", TTL: 600})
	if err != nil || got.ID != id {
		t.Fatalf("identical update = %+v, %v", got, err)
	}
	// The fake refused the modify, the provider checked with one list.
	if e.fake.Calls("ModifyRecord") != 1 || e.fake.Calls("DescribeRecordList") != 1 || e.fake.Writes() != 0 {
		t.Fatalf("calls: modify %d, list %d, writes %d", e.fake.Calls("ModifyRecord"), e.fake.Calls("DescribeRecordList"), e.fake.Writes())
	}
}

func TestUpdateOntoAnotherRecordsValueStaysAConflict(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1"})
	id := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.2"})
	_, err := e.p.Update(ctx, "example.com", providers.Record{ID: id, Name: "nas", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindConflict {
		t.Fatalf("update onto a sibling's value: %v", err)
	}
}

func TestUpdateOfDeletedRecordIsNotFound(t *testing.T) {
	e := setup(t)
	_, err := e.p.Update(context.Background(), "example.com", providers.Record{ID: "987654321", Name: "nas", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindNotFound {
		t.Fatalf("stale id: %v", err)
	}
	_, err = e.p.Update(context.Background(), "example.com", providers.Record{ID: "abc", Name: "nas", Type: "A", Value: "192.0.2.1"})
	if providers.KindOf(err) != providers.KindPermanent {
		t.Fatalf("non-numeric id: %v", err)
	}
	if e.fake.Calls("ModifyRecord") != 1 {
		t.Fatalf("a non-numeric id must not be sent")
	}
}

func TestUnknownZoneIsNotFound(t *testing.T) {
	e := setup(t)
	_, err := e.p.List(context.Background(), "nope.example", "nas", "A")
	if providers.KindOf(err) != providers.KindNotFound {
		t.Fatalf("unknown zone: %v", err)
	}
}

func TestInjectedAPIErrorsAreClassified(t *testing.T) {
	cases := []struct {
		code       string
		want       providers.Kind
		retryAfter time.Duration
	}{
		{"RequestLimitExceeded", providers.KindThrottled, 0},
		{"RequestLimitExceeded.RequestLimitExceeded", providers.KindThrottled, 0},
		{"RequestLimitExceeded.UinLimitExceeded", providers.KindThrottled, 0},
		{"InvalidParameter.OperationIsTooFrequent", providers.KindThrottled, time.Minute},
		{"AuthFailure.SignatureExpire", providers.KindClockSkew, 0},
		{"AuthFailure.SecretIdNotFound", providers.KindAuth, 0},
		{"AuthFailure.UnauthorizedOperation", providers.KindAuth, 0},
		{"UnauthorizedOperation", providers.KindAuth, 0},
		{"OperationDenied.DomainOwnerAllowedOnly", providers.KindAuth, 0},
		{"ResourceNotFound.NoDataOfDomain", providers.KindNotFound, 0},
		{"InvalidParameterValue.DomainNotExists", providers.KindNotFound, 0},
		{"LimitExceeded.RecordTtlLimit", providers.KindConfig, 0},
		{"FailedOperation.FrequencyLimit", providers.KindThrottled, time.Minute},
		{"LimitExceeded.FailedLoginLimitExceeded", providers.KindAuth, 0},
		{"LimitExceeded.AAAACountLimit", providers.KindPermanent, 0},
		{"InvalidParameter.RecordValueInvalid", providers.KindPermanent, 0},
		{"MissingParameter", providers.KindPermanent, 0},
		{"InternalError", providers.KindTransient, 0},
		{"InternalError.DbError", providers.KindTransient, 0},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			e := setup(t)
			e.fake.Faults().Push(providertest.Fault{Action: "DescribeRecordList", Code: c.code})
			_, err := e.p.List(context.Background(), "example.com", "nas", "A")
			pe := providers.AsError(err)
			if pe == nil || pe.Kind != c.want || pe.Code != c.code || pe.HTTPStatus != http.StatusOK || pe.RequestID == "" || pe.Message == "" {
				t.Fatalf("got %#v, want kind %v with code, message and request id", pe, c.want)
			}
			if pe.RetryAfter != c.retryAfter {
				t.Fatalf("RetryAfter = %v, want %v", pe.RetryAfter, c.retryAfter)
			}
		})
	}
}

func TestHTTPStatusErrors(t *testing.T) {
	cases := []struct {
		status int
		want   providers.Kind
	}{
		{http.StatusBadGateway, providers.KindTransient},
		{http.StatusForbidden, providers.KindAuth},
		{http.StatusTooManyRequests, providers.KindThrottled},
		{http.StatusBadRequest, providers.KindPermanent},
	}
	for _, c := range cases {
		e := setup(t)
		e.fake.Faults().Push(providertest.Fault{Status: c.status})
		_, err := e.p.List(context.Background(), "example.com", "nas", "A")
		pe := providers.AsError(err)
		if pe == nil || pe.Kind != c.want || pe.HTTPStatus != c.status {
			t.Errorf("HTTP %d: %#v", c.status, pe)
		}
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	for _, c := range []struct{ id, key, ep string }{
		{"", "sekrit-key", ""}, {"id", "", ""}, {"id", "sekrit-key", "ftp://x"}, {"id", "sekrit-key", "://"},
	} {
		if _, err := tencentcloud.New(c.id, c.key, providers.Options{Endpoint: c.ep}); err == nil {
			t.Errorf("New(%q, %q, %q) accepted", c.id, c.key, c.ep)
		} else if c.key != "" && strings.Contains(err.Error(), c.key) {
			t.Errorf("error leaks key: %v", err)
		}
	}
	if _, err := tencentcloud.New("id", "k", providers.Options{}); err != nil {
		t.Errorf("default endpoint: %v", err)
	}
}

// Issue 10 item 6: DescribeRecordList sends Subdomain, the parameter the API
// has always documented, and nothing else but the filters and paging.
func TestListBodyIsPinned(t *testing.T) {
	e := setup(t)
	if _, err := e.p.List(context.Background(), "example.com", "nas", "AAAA"); err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.all()
	const want = `{"Domain":"example.com","Limit":100,"Offset":0,"RecordType":"AAAA","Subdomain":"nas"}`
	if len(reqs) != 1 || string(reqs[0].body) != want {
		t.Fatalf("list body = %s, want %s", reqs[0].body, want)
	}
}

// Issue 10 item 1: writes carry the record's RecordLineId ("0" is the
// default line on every account); a record on another line keeps its line.
func TestWritesCarryTheLine(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	tel := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "::1", Line: "10=0"})
	def := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "::1"})
	recs, err := e.p.List(ctx, "example.com", "nas", "AAAA")
	if err != nil || len(recs) != 2 || recs[0].Line != "10=0" || recs[1].Line != "0" {
		t.Fatalf("List = %+v, %v; want lines 10=0 and 0", recs, err)
	}
	if _, err := e.p.Update(ctx, "example.com", providers.Record{ID: tel, Name: "nas", Type: "AAAA", Value: "::2", Line: "10=0", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	got := e.fake.Records("example.com")
	if got[0].ID != tel || got[0].Line != "10=0" || got[0].Value != "::2" || got[1].ID != def || got[1].Value != "::1" {
		t.Fatalf("records = %+v; want the telecom record updated on its line", got)
	}
	if _, err := e.p.Create(ctx, "example.com", providers.Record{Name: "new", Type: "A", Value: "192.0.2.1", TTL: 600}); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	reqs := e.rec.all()
	_ = json.Unmarshal(reqs[len(reqs)-1].body, &body)
	if body["RecordLineId"] != "0" {
		t.Fatalf("create body %v: want RecordLineId 0", body)
	}
}

// Issue 10 item 3: a paused record is listed as such (Status DISABLE) and
// can be enabled; ModifyRecord without Status resumes it.
func TestPausedRecords(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	id := e.fake.Put("example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", Disabled: true})
	recs, err := e.p.List(ctx, "example.com", "nas", "A")
	if err != nil || len(recs) != 1 || !recs[0].Disabled {
		t.Fatalf("List = %+v, %v; want the paused record marked", recs, err)
	}
	if err := e.p.Enable(ctx, "example.com", recs[0]); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Records("example.com"); got[0].Disabled || e.fake.Calls("ModifyRecordStatus") != 1 {
		t.Fatalf("after Enable: %+v", got)
	}
	id2 := e.fake.Put("example.com", providers.Record{Name: "pc", Type: "A", Value: "192.0.2.1", Disabled: true})
	got, err := e.p.Update(ctx, "example.com", providers.Record{ID: id2, Name: "pc", Type: "A", Value: "192.0.2.2", TTL: 600, Disabled: true})
	if err != nil || got.Disabled {
		t.Fatalf("Update of a paused record = %+v, %v; want it enabled by ModifyRecord", got, err)
	}
	_ = id
}

// Issue 10 item 4: a TTL below the plan's minimum is a configuration error
// that names the option.
func TestTTLBelowThePlanIsConfiguration(t *testing.T) {
	e := setup(t)
	_, err := e.p.Create(context.Background(), "example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", TTL: 60})
	if providers.KindOf(err) != providers.KindConfig || !strings.Contains(err.Error(), "option ttl '60'") || !strings.Contains(err.Error(), "600 or more") {
		t.Fatalf("TTL 60: %v", err)
	}
}

// A line the domain does not offer is a configuration error naming option line.
func TestUnknownLineIsConfiguration(t *testing.T) {
	e := setup(t)
	_, err := e.p.Create(context.Background(), "example.com", providers.Record{Name: "nas", Type: "A", Value: "192.0.2.1", TTL: 600, Line: "99=9"})
	if providers.KindOf(err) != providers.KindConfig || !strings.Contains(err.Error(), "option line") {
		t.Fatalf("unknown line: %v", err)
	}
}
