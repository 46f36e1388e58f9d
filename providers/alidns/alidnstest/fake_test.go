package alidnstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

func TestSignatureMatchesPublishedVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf struct {
		Vectors []struct {
			ID     string `json:"id"`
			Inputs struct {
				Method string            `json:"method"`
				Secret string            `json:"access_key_secret"`
				Params map[string]string `json:"params"`
			} `json:"inputs"`
			Expected struct {
				Signature string `json:"signature"`
			} `json:"expected"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Vectors) != 4 {
		t.Fatalf("%d vectors, want 4", len(vf.Vectors))
	}
	for _, v := range vf.Vectors {
		if got := signature(v.Inputs.Method, v.Inputs.Params, v.Inputs.Secret); got != v.Expected.Signature {
			t.Errorf("%s: signature = %s, want %s", v.ID, got, v.Expected.Signature)
		}
	}
}

// docRequest is the worked example of the alidns signature document, as a
// GET URL with the published signature.
const docRequest = "/?Format=XML&Action=DescribeDomainRecords&AccessKeyId=testid&SignatureMethod=HMAC-SHA1&DomainName=example.com&SignatureNonce=f59ed6a9-83fc-473b-9cc6-99c95df3856e&Version=2015-01-09&SignatureVersion=1.0&Signature=uRpHwaSEt3J%2B6KQD%2F%2FsvCh%2Fx%2BpI%3D&Timestamp=2016-03-24T16%3A41%3A54Z"

var docTime = time.Date(2016, 3, 24, 16, 41, 54, 0, time.UTC)

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func serve(t *testing.T, f *Fake, r *http.Request) answer {
	t.Helper()
	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Errorf("answer is not a JSON object: %q", b)
	}
	return answer{res.StatusCode, res.Header, m}
}

func TestFakeAcceptsThePublishedExampleOnce(t *testing.T) {
	f := New("testid", "testsecret")
	f.AddZone("example.com")
	f.Put("example.com", providers.Record{Name: "www", Type: "A", Value: "192.0.2.1"})
	f.SetNow(func() time.Time { return docTime.Add(3 * time.Minute) })

	a := serve(t, f, httptest.NewRequest(http.MethodGet, docRequest, nil))
	if a.status != 200 || a.body["TotalCount"] != 1.0 {
		t.Fatalf("published request: %d %v", a.status, a.body)
	}
	if d, _ := http.ParseTime(a.header.Get("Date")); !d.Equal(docTime.Add(3 * time.Minute)) {
		t.Errorf("Date header %q does not come from the fake's clock", a.header.Get("Date"))
	}
	// The same request again is a replay.
	a = serve(t, f, httptest.NewRequest(http.MethodGet, docRequest, nil))
	if a.status != 400 || a.body["Code"] != "SignatureNonceUsed" {
		t.Fatalf("replayed request: %d %v", a.status, a.body)
	}
	if f.Calls("DescribeDomainRecords") != 2 {
		t.Errorf("calls = %d, want 2", f.Calls("DescribeDomainRecords"))
	}
}

// signed builds a POST form request signed with the fake's own signer (which
// the vector test above checks).
func signed(secret string, p map[string]string) *http.Request {
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	form.Set("Signature", signature(http.MethodPost, p, secret))
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func params(now time.Time, nonce string, extra ...string) map[string]string {
	p := map[string]string{
		"Format": "JSON", "Version": "2015-01-09", "AccessKeyId": "id", "SignatureMethod": "HMAC-SHA1",
		"SignatureVersion": "1.0", "SignatureNonce": nonce, "Timestamp": now.UTC().Format("2006-01-02T15:04:05Z"),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

func TestFakeAnswers(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	list := []string{"Action", "DescribeSubDomainRecords", "SubDomain", "www.example.com", "DomainName", "example.com"}
	tests := []struct {
		name   string
		req    func(n string) *http.Request
		status int
		code   string
	}{
		{"valid list", func(n string) *http.Request { return signed("sec", params(now, n, list...)) }, 200, ""},
		{"unknown key id", func(n string) *http.Request {
			p := params(now, n, list...)
			p["AccessKeyId"] = "other"
			return signed("sec", p)
		}, 404, "InvalidAccessKeyId.NotFound"},
		{"wrong secret", func(n string) *http.Request { return signed("sec2", params(now, n, list...)) }, 400, "SignatureDoesNotMatch"},
		{"tampered after signing", func(n string) *http.Request {
			p := params(now, n, list...)
			form := url.Values{}
			for k, v := range p {
				form.Set(k, v)
			}
			form.Set("Signature", signature(http.MethodPost, p, "sec"))
			form.Set("SubDomain", "mail.example.com")
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, "SignatureDoesNotMatch"},
		{"signed as GET, sent as POST", func(n string) *http.Request {
			p := params(now, n, list...)
			form := url.Values{}
			for k, v := range p {
				form.Set(k, v)
			}
			form.Set("Signature", signature(http.MethodGet, p, "sec"))
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, "SignatureDoesNotMatch"},
		{"timestamp 14 minutes behind", func(n string) *http.Request { return signed("sec", params(now.Add(-14*time.Minute), n, list...)) }, 200, ""},
		{"timestamp 16 minutes behind", func(n string) *http.Request { return signed("sec", params(now.Add(-16*time.Minute), n, list...)) }, 400, "InvalidTimeStamp.Expired"},
		{"timestamp 16 minutes ahead", func(n string) *http.Request { return signed("sec", params(now.Add(16*time.Minute), n, list...)) }, 400, "InvalidTimeStamp.Expired"},
		{"missing nonce", func(n string) *http.Request { return signed("sec", params(now, "", list...)) }, 400, "MissingParameter"},
		{"zone not in the account", func(n string) *http.Request {
			return signed("sec", params(now, n, "Action", "DescribeSubDomainRecords", "SubDomain", "www.example.org"))
		}, 400, "IncorrectDomainUser"},
		{"page too large", func(n string) *http.Request {
			return signed("sec", params(now, n, append(list, "PageSize", "101")...))
		}, 400, "InvalidParameter"},
		{"unknown action", func(n string) *http.Request { return signed("sec", params(now, n, "Action", "DeleteEverything")) }, 404, "InvalidAction.NotFound"},
		{"add", func(n string) *http.Request {
			return signed("sec", params(now, n, "Action", "AddDomainRecord", "DomainName", "example.com", "RR", "new", "Type", "AAAA", "Value", "2001:db8::9"))
		}, 200, ""},
		{"add an A record with an IPv6 value", func(n string) *http.Request {
			return signed("sec", params(now, n, "Action", "AddDomainRecord", "DomainName", "example.com", "RR", "new", "Type", "A", "Value", "2001:db8::9"))
		}, 400, "InvalidParameter"},
		{"add a duplicate", func(n string) *http.Request {
			return signed("sec", params(now, n, "Action", "AddDomainRecord", "DomainName", "example.com", "RR", "www", "Type", "A", "Value", "192.0.2.1"))
		}, 400, "DomainRecordDuplicate"},
		{"update an unknown id", func(n string) *http.Request {
			return signed("sec", params(now, n, "Action", "UpdateDomainRecord", "RecordId", "1", "RR", "www", "Type", "A", "Value", "192.0.2.2"))
		}, 400, "DomainRecordNotBelongToUser"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New("id", "sec")
			f.AddZone("example.com")
			f.Put("example.com", providers.Record{Name: "www", Type: "A", Value: "192.0.2.1"})
			f.SetNow(func() time.Time { return now })
			a := serve(t, f, tt.req(fmt.Sprintf("nonce-%d", i)))
			if a.status != tt.status || (a.body["Code"] != nil) != (tt.code != "") || (tt.code != "" && a.body["Code"] != tt.code) {
				t.Fatalf("answer %d %v; want %d %q", a.status, a.body, tt.status, tt.code)
			}
			if a.body["RequestId"] == nil || a.body["RequestId"] == "" {
				t.Errorf("answer without RequestId: %v", a.body)
			}
			if tt.code != "" {
				for _, k := range []string{"HostId", "Message", "Recommend"} {
					if s, _ := a.body[k].(string); s == "" {
						t.Errorf("error answer without %s: %v", k, a.body)
					}
				}
			}
		})
	}
}

func TestFakeUpdate(t *testing.T) {
	now := time.Now()
	f := New("id", "sec")
	id := f.Put("example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600})
	var got []string
	f.OnWrite(func(action, zone string, rec providers.Record) {
		got = append(got, fmt.Sprintf("%s %s %s %s %s", action, zone, rec.ID, rec.Name, rec.Value))
	})
	upd := func(n, value string) answer {
		return serve(t, f, signed("sec", params(now, n, "Action", "UpdateDomainRecord", "RecordId", id, "RR", "nas", "Type", "AAAA", "Value", value)))
	}
	if a := upd("n1", "2001:db8::1"); a.status != 400 || a.body["Code"] != "DomainRecordDuplicate" {
		t.Fatalf("update to the held value: %d %v", a.status, a.body)
	}
	if a := upd("n2", "2001:db8::2"); a.status != 200 || a.body["RecordId"] != id {
		t.Fatalf("update: %d %v", a.status, a.body)
	}
	if recs := f.Records("example.com"); len(recs) != 1 || recs[0].Value != "2001:db8::2" || recs[0].TTL != 600 {
		t.Fatalf("state after update: %+v", recs)
	}
	if f.Writes() != 1 || len(got) != 1 || got[0] != "UpdateDomainRecord example.com "+id+" nas 2001:db8::2" {
		t.Fatalf("writes %d, OnWrite saw %q", f.Writes(), got)
	}
}

func TestFakeFaults(t *testing.T) {
	now := time.Now()
	f := New("id", "sec")
	f.AddZone("example.com")
	f.Faults().Push(
		providertest.Fault{Action: "AddDomainRecord", Code: "QuotaExceeded.Record"},
		providertest.Fault{Code: "Throttling.User", Status: 400, RetryAfter: "5"},
		providertest.Fault{Status: 503},
	)
	list := func(n string) answer {
		return serve(t, f, signed("sec", params(now, n, "Action", "DescribeSubDomainRecords", "SubDomain", "example.com")))
	}
	// The AddDomainRecord fault waits for its action; the others go in order.
	a := list("n1")
	if a.status != 400 || a.body["Code"] != "Throttling.User" || a.header.Get("Retry-After") != "5" {
		t.Fatalf("first fault: %d %v %v", a.status, a.body, a.header)
	}
	if a = list("n2"); a.status != 503 || a.body["Code"] != "ServiceUnavailable" {
		t.Fatalf("second fault: %d %v", a.status, a.body)
	}
	if a = list("n3"); a.status != 200 {
		t.Fatalf("after faults: %d %v", a.status, a.body)
	}
	if f.Faults().Len() != 1 {
		t.Fatalf("%d faults left, want the AddDomainRecord one", f.Faults().Len())
	}
}

func TestFakeIsSafeForConcurrentUse(t *testing.T) {
	now := time.Now()
	f := New("id", "sec")
	f.AddZone("example.com")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				n := fmt.Sprintf("w%d-%d", w, i)
				a := serve(t, f, signed("sec", params(now, n, "Action", "AddDomainRecord", "DomainName", "example.com",
					"RR", "h", "Type", "A", "Value", fmt.Sprintf("10.0.%d.%d", w, i))))
				if a.status != 200 {
					t.Errorf("add %s: %d %v", n, a.status, a.body)
				}
			}
		})
	}
	wg.Wait()
	if got := len(f.Records("example.com")); got != workers*each || f.Writes() != workers*each || f.Calls("AddDomainRecord") != workers*each {
		t.Fatalf("records %d writes %d calls %d, want %d each", got, f.Writes(), f.Calls("AddDomainRecord"), workers*each)
	}
}
