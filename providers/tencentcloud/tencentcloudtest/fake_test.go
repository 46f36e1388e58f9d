package tencentcloudtest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/tencentcloud"
	"github.com/eddns/eddns/providers/tencentcloud/tencentcloudtest"
)

const (
	id  = "AKIDfaketest"
	key = "fake-test-secret-key"
)

func start(t *testing.T, opts providers.Options) (*tencentcloudtest.Fake, *tencentcloud.Provider) {
	t.Helper()
	f := tencentcloudtest.New(id, key)
	f.AddZone("example.com")
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	opts.Endpoint = srv.URL
	p, err := tencentcloud.New(id, key, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}

func TestTimestampWindowIsFiveMinutes(t *testing.T) {
	cases := []struct {
		skew time.Duration
		want providers.Kind
	}{
		{4 * time.Minute, providers.KindUnknown},
		{-4 * time.Minute, providers.KindUnknown},
		{6 * time.Minute, providers.KindClockSkew},
		{-6 * time.Minute, providers.KindClockSkew},
	}
	for _, c := range cases {
		t.Run(c.skew.String(), func(t *testing.T) {
			f, p := start(t, providers.Options{Clock: providers.NewClock(nil)})
			f.SetNow(func() time.Time { return time.Now().Add(c.skew) })
			_, err := p.List(context.Background(), "example.com", "x", "A")
			if got := providers.KindOf(err); got != c.want {
				t.Fatalf("kind %v (%v), want %v", got, err, c.want)
			}
			if c.want == providers.KindClockSkew && providers.AsError(err).Code != "AuthFailure.SignatureExpire" {
				t.Fatalf("code %q", providers.AsError(err).Code)
			}
		})
	}
}

// tamper changes the request body after it was signed.
var tamper = httpc.DoerFunc(func(ctx context.Context, r *httpc.Request) (*httpc.Response, error) {
	r.Body = bytes.Replace(r.Body, []byte("192.0.2.1"), []byte("192.0.2.9"), 1)
	return (&httpc.Client{}).Do(ctx, r)
})

func TestTamperedBodyFailsTheSignature(t *testing.T) {
	f, p := start(t, providers.Options{HTTPClient: tamper})
	_, err := p.Create(context.Background(), "example.com", providers.Record{Name: "a", Type: "A", Value: "192.0.2.1"})
	pe := providers.AsError(err)
	if pe == nil || pe.Code != "AuthFailure.SignatureFailure" || pe.Kind != providers.KindAuth {
		t.Fatalf("tampered body: %#v", pe)
	}
	if len(f.Records("example.com")) != 0 || f.Writes() != 0 {
		t.Fatal("tampered request changed state")
	}
	if f.Calls("CreateRecord") != 1 {
		t.Fatalf("calls = %d", f.Calls("CreateRecord"))
	}
}

func TestFakeValidatesRecords(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		rec  providers.Record
		code string
	}{
		{providers.Record{Name: "a", Type: "A", Value: "2001:db8::1"}, "InvalidParameter.RecordValueInvalid"},
		{providers.Record{Name: "a", Type: "AAAA", Value: "192.0.2.1"}, "InvalidParameter.RecordValueInvalid"},
		{providers.Record{Name: "a b", Type: "A", Value: "192.0.2.1"}, "InvalidParameter.SubdomainInvalid"},
		{providers.Record{Name: "a", Type: "A", Value: "192.0.2.1", TTL: 60}, "LimitExceeded.RecordTtlLimit"},
		{providers.Record{Name: "a", Type: "BOGUS", Value: "x"}, "InvalidParameter.RecordTypeInvalid"},
	}
	for _, c := range cases {
		_, p := start(t, providers.Options{})
		_, err := p.Create(ctx, "example.com", c.rec)
		if pe := providers.AsError(err); pe == nil || pe.Code != c.code {
			t.Errorf("%+v: got %v, want %s", c.rec, err, c.code)
		}
	}
}

func TestFakeIsConcurrencySafe(t *testing.T) {
	f, p := start(t, providers.Options{})
	var mu sync.Mutex
	var written []providers.Record
	f.OnWrite(func(action, zone string, rec providers.Record) {
		mu.Lock()
		written = append(written, rec)
		mu.Unlock()
	})
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Create(context.Background(), "example.com", providers.Record{Name: fmt.Sprintf("h%d", i), Type: "A", Value: "192.0.2.1"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	recs := f.Records("example.com")
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r.ID] = true
	}
	if len(recs) != n || len(ids) != n || f.Writes() != n || f.Calls("CreateRecord") != n {
		t.Fatalf("records %d, ids %d, writes %d, calls %d", len(recs), len(ids), f.Writes(), f.Calls("CreateRecord"))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(written) != n {
		t.Fatalf("OnWrite saw %d writes", len(written))
	}
}

func TestDateHeaderFollowsTheFakeClock(t *testing.T) {
	f := tencentcloudtest.New(id, key)
	at := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	f.SetNow(func() time.Time { return at })
	rr := httptest.NewRecorder()
	f.ServeHTTP(rr, httptest.NewRequest(http.MethodPost, "/", nil))
	if got := rr.Header().Get("Date"); got != at.Format(http.TimeFormat) {
		t.Fatalf("Date = %q", got)
	}
	if rr.Code != http.StatusOK || !bytes.Contains(rr.Body.Bytes(), []byte("AuthFailure.InvalidAuthorization")) {
		t.Fatalf("unsigned request: %d %s", rr.Code, rr.Body)
	}
}
