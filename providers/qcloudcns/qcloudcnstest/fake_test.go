package qcloudcnstest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
)

// The fake's verifier is checked against the API 2.0 doc vectors on its
// own, independently of the client's signer.
func TestVerifierMatchesPublishedVectors(t *testing.T) {
	form := url.Values{
		"Action": {"DescribeInstances"}, "InstanceIds.0": {"ins-09dx96dg"}, "Nonce": {"11886"},
		"Region": {"ap-guangzhou"}, "SecretId": {"AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA"},
		"Timestamp": {"1465185768"}, "Signature": {"ignored"},
	}
	for method, want := range map[string]string{
		"HmacSHA256": "0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s=",
		"HmacSHA1":   "nPVnY6njQmwQ8ciqbPl5Qe+Oru4=",
	} {
		form.Set("SignatureMethod", method)
		sts := canonical("GET", "cvm.api.qcloud.com", "/v2/index.php", form)
		wantSTS := "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Nonce=11886&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=" + method + "&Timestamp=1465185768"
		if sts != wantSTS {
			t.Fatalf("%s: string to sign\n%s\nwant\n%s", method, sts, wantSTS)
		}
		if got, ok := digest(method, "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA", sts); !ok || got != want {
			t.Errorf("%s: %s, want %s", method, got, want)
		}
	}
	// PHP hands the server "InstanceIds_0"; it signs "InstanceIds.0".
	form.Del("InstanceIds.0")
	form.Set("InstanceIds_0", "ins-09dx96dg")
	if !strings.Contains(canonical("GET", "h", "/p", form), "&InstanceIds.0=ins-09dx96dg&") {
		t.Error("underscore not restored to a dot")
	}
	if _, ok := digest("HmacMD5", "k", "m"); ok {
		t.Error("unknown method accepted")
	}
}

// signedForm builds a valid request form by the doc's rules.
func signedForm(host string, params map[string]string, key string) url.Values {
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	sig, _ := digest(form.Get("SignatureMethod"), key, canonical(http.MethodPost, host, Path, form))
	form.Set("Signature", sig)
	return form
}

func post(t *testing.T, srv *httptest.Server, form url.Values) *http.Response {
	t.Helper()
	resp, err := http.PostForm(srv.URL+Path, form)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestFakeAuthentication(t *testing.T) {
	f := New("id1", "key1")
	f.AddZone("example.com")
	srv := httptest.NewServer(f)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	now := fmt.Sprint(time.Now().Unix())
	base := map[string]string{"Action": "RecordList", "domain": "example.com", "SecretId": "id1",
		"Timestamp": now, "Nonce": "1", "SignatureMethod": "HmacSHA256"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name string
		form url.Values
		code string
	}{
		{"valid", signedForm(host, with("Nonce", "100"), "key1"), `"code":0`},
		{"same nonce again", signedForm(host, with("Nonce", "100"), "key1"), `"code":4500`},
		{"HmacSHA1 default", signedForm(host, with("SignatureMethod", ""), "key1"), `"code":0`},
		{"wrong key", signedForm(host, with("Nonce", "101"), "key2"), `"code":4100`},
		{"unknown id", signedForm(host, with("SecretId", "id2"), "key1"), `"code":4104`},
		{"old timestamp", signedForm(host, with("Timestamp", fmt.Sprint(time.Now().Add(-3*time.Hour).Unix())), "key1"), `"code":4500`},
		{"zero nonce", signedForm(host, with("Nonce", "0"), "key1"), `"code":4000`},
	}
	for _, c := range cases {
		resp := post(t, srv, c.form)
		b, err := io.ReadAll(resp.Body)
		if err != nil || !strings.Contains(string(b), c.code) {
			t.Errorf("%s: %s (%v), want %s", c.name, b, err, c.code)
		}
		if resp.Header.Get("Date") == "" {
			t.Errorf("%s: no Date header", c.name)
		}
	}
	if got := f.Calls("RecordList"); got != len(cases) {
		t.Errorf("calls = %d, want %d", got, len(cases))
	}
}

func TestFakeIsConcurrencySafe(t *testing.T) {
	f := New("id1", "key1")
	f.AddZone("example.com")
	srv := httptest.NewServer(f)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	var writes sync.WaitGroup
	seen := make(chan providers.Record, 32)
	f.OnWrite(func(_, _ string, rec providers.Record) { seen <- rec })
	const n = 16
	for i := range n {
		writes.Add(1)
		go func() {
			defer writes.Done()
			form := signedForm(host, map[string]string{
				"Action": "RecordCreate", "domain": "example.com", "SecretId": "id1",
				"Timestamp": fmt.Sprint(time.Now().Unix()), "Nonce": fmt.Sprint(1000 + i),
				"SignatureMethod": "HmacSHA256", "subDomain": fmt.Sprintf("h%d", i),
				"recordType": "A", "recordLine": "默认", "value": "192.0.2.1",
			}, "key1")
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+Path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	writes.Wait()
	close(seen)
	count := 0
	for range seen {
		count++
	}
	if recs := f.Records("example.com"); len(recs) != n || f.Writes() != n || count != n {
		t.Fatalf("records %d, writes %d, OnWrite %d; want %d", len(recs), f.Writes(), count, n)
	}
}
