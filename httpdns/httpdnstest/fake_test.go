package httpdnstest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The API document's example account and request.
const (
	docAccount = "21de58ae91bf3ab77e32aeb8fae95291"
	docSecret  = "oB1q6EF8rGUpd1qxBtcm"
	docT       = "1576468800"
	docSign    = "1f8c93f4853b8a9cc179b54ea7e0e2f6"
)

// docNow is five minutes before the example's expiry.
var docNow = time.Unix(1576468800-300, 0)

func newDocFake(t *testing.T) (*Fake, *httptest.Server) {
	t.Helper()
	f := New()
	f.SetNow(func() time.Time { return docNow })
	f.AddAccount(docAccount, docSecret)
	f.AllowDomain("yunaq.com")
	f.SetRecord("www.yunaq.com", "A", netip.MustParseAddr("122.218.238.109"), netip.MustParseAddr("183.212.96.249"))
	f.SetRecord("www.yunaq.com", "AAAA", netip.MustParseAddr("2308:871c:0:1::27"))
	f.SetTTL(144)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// docQuery is the document's first example request with changes; a value
// of "-" deletes the parameter.
func docQuery(changes map[string]string) string {
	v := url.Values{"host": {"www.yunaq.com"}, "account_id": {docAccount}, "t": {docT}, "sign": {docSign}, "ip": {"192.168.12.4"}}
	for k, x := range changes {
		if x == "-" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

func get(t *testing.T, method, u string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestDocumentExamples(t *testing.T) {
	_, srv := newDocFake(t)
	status, h, body := get(t, "GET", srv.URL+"/sign_d?"+docQuery(nil))
	if status != 200 || body != `{"ips":["122.218.238.109","183.212.96.249"],"host":"www.yunaq.com"}` {
		t.Errorf("A: %d %s", status, body)
	}
	if h.Get("Date") != docNow.UTC().Format(http.TimeFormat) {
		t.Errorf("Date = %q, want the fake's clock", h.Get("Date"))
	}
	// Second example (its sign is for another secret; re-signed here).
	q := docQuery(map[string]string{"qtype": "AAAA", "ttl": "1", "ip": "-"})
	_, _, body = get(t, "GET", srv.URL+"/sign_d?"+q)
	if body != `{"ipsv6":["2308:871c:0:1:0:0:0:27"],"ttl":144,"host":"www.yunaq.com"}` {
		t.Errorf("AAAA ttl: %s", body)
	}
}

func TestFormats(t *testing.T) {
	f, srv := newDocFake(t)
	for _, tc := range []struct {
		changes map[string]string
		want    string
	}{
		{map[string]string{"out": "json"}, `{"ips":["122.218.238.109","183.212.96.249"],"host":"www.yunaq.com"}`},
		{map[string]string{"out": "text"}, `122.218.238.109,183.212.96.249`},
		{map[string]string{"out": "text", "ttl": "1"}, `122.218.238.109,183.212.96.249;144`},
		{map[string]string{"out": "text", "ttl": "0", "qtype": "AAAA"}, `2308:871c:0:1:0:0:0:27`},
		{map[string]string{"host": "nothing.yunaq.com", "sign": md5hex("nothing.yunaq.com-" + docSecret + "-" + docT)}, `{}`},
		{map[string]string{"host": "nothing.yunaq.com", "sign": md5hex("nothing.yunaq.com-" + docSecret + "-" + docT), "out": "text", "ttl": "1"}, `null`},
	} {
		_, _, body := get(t, "GET", srv.URL+"/sign_d?"+docQuery(tc.changes))
		if body != tc.want {
			t.Errorf("%v: body %s, want %s", tc.changes, body, tc.want)
		}
	}
	if n := f.Requests(); n != 6 {
		t.Errorf("Requests = %d, want 6", n)
	}
	if ip := f.LastQuery().Get("ip"); ip != "192.168.12.4" {
		t.Errorf("LastQuery ip = %q", ip)
	}
}

type vectorFile struct {
	Vectors []struct {
		ID       string            `json:"id"`
		Inputs   map[string]string `json:"inputs"`
		Expected map[string]string `json:"expected"`
	} `json:"vectors"`
}

// TestEncryptVector checks the fake's encryption against the derived
// vector (a self-generated ciphertext of the document's example body).
func TestEncryptVector(t *testing.T) {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range vf.Vectors {
		if v.ID != "yunaq-httpdns-aes-ecb-selfgen" {
			continue
		}
		found = true
		got := encrypt([]byte(v.Inputs["plaintext"]), docSecret)
		if want := strings.ToUpper(v.Expected["ciphertext_hex"]); string(got) != want {
			t.Errorf("encrypt = %s, want %s", got, want)
		}
	}
	if !found {
		t.Fatal("vector missing")
	}
	if got := md5hex("www.yunaq.com-" + docSecret + "-" + docT); got != docSign {
		t.Errorf("md5 of the document example = %s", got)
	}
}

func TestEncryptedAnswerIsHexOfBlocks(t *testing.T) {
	_, srv := newDocFake(t)
	status, h, body := get(t, "GET", srv.URL+"/sign_d?"+docQuery(map[string]string{"encrypt": "1"}))
	want := encrypt([]byte(`{"ips":["122.218.238.109","183.212.96.249"],"host":"www.yunaq.com"}`), docSecret)
	if status != 200 || body != string(want) || len(body)%32 != 0 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("encrypted answer %d %q %q", status, h.Get("Content-Type"), body)
	}
	// Errors are not encrypted.
	_, _, body = get(t, "GET", srv.URL+"/sign_d?"+docQuery(map[string]string{"encrypt": "1", "sign": strings.Repeat("0", 32)}))
	if body != `{"code":"InvalidSignature"}` {
		t.Errorf("error body %s", body)
	}
}

func TestErrors(t *testing.T) {
	signFor := func(host, t string) string { return md5hex(host + "-" + docSecret + "-" + t) }
	late := strconv.FormatInt(docNow.Unix()+601, 10)
	past := strconv.FormatInt(docNow.Unix()-1, 10)
	for _, tc := range []struct {
		name    string
		method  string
		path    string
		changes map[string]string
		code    string
		status  int
	}{
		{"wrong path", "GET", "/d", nil, "InvalidUrlPath", 404},
		{"root path", "GET", "/", nil, "InvalidUrlPath", 404},
		{"POST", "POST", "/sign_d", nil, "MethodNotAllowed", 405},
		{"no host", "GET", "/sign_d", map[string]string{"host": "-"}, "MissingArgument", 403},
		{"no account", "GET", "/sign_d", map[string]string{"account_id": "-"}, "MissingArgument", 403},
		{"no t", "GET", "/sign_d", map[string]string{"t": "-"}, "MissingArgument", 403},
		{"empty sign", "GET", "/sign_d", map[string]string{"sign": ""}, "MissingArgument", 403},
		{"t not a number", "GET", "/sign_d", map[string]string{"t": "soon"}, "InvalidParam", 403},
		{"account not md5", "GET", "/sign_d", map[string]string{"account_id": "abc"}, "InvalidParam", 403},
		{"sign not md5", "GET", "/sign_d", map[string]string{"sign": "xyz"}, "InvalidParam", 403},
		{"out xml", "GET", "/sign_d", map[string]string{"out": "xml"}, "InvalidParam", 403},
		{"qtype MX", "GET", "/sign_d", map[string]string{"qtype": "MX"}, "InvalidParam", 403},
		{"ttl 2", "GET", "/sign_d", map[string]string{"ttl": "2"}, "InvalidParam", 403},
		{"encrypt yes", "GET", "/sign_d", map[string]string{"encrypt": "yes"}, "InvalidParam", 403},
		{"ip IPv6", "GET", "/sign_d", map[string]string{"ip": "2001:db8::1"}, "InvalidParam", 403},
		{"ip garbage", "GET", "/sign_d", map[string]string{"ip": "1.2.3"}, "InvalidParam", 403},
		{"host bad", "GET", "/sign_d", map[string]string{"host": "a..b"}, "InvalidParam", 403},
		{"t beyond now+600", "GET", "/sign_d", map[string]string{"t": late, "sign": signFor("www.yunaq.com", late)}, "InvalidParam", 403},
		{"unknown account", "GET", "/sign_d", map[string]string{"account_id": "7cf125ce0190b2fe2bb6bbb6ab386c15"}, "InvalidAccountId", 403},
		{"wrong sign", "GET", "/sign_d", map[string]string{"sign": signFor("www.yunaq.com", "1")}, "InvalidSignature", 403},
		{"sign of another host", "GET", "/sign_d", map[string]string{"host": "img.yunaq.com"}, "InvalidSignature", 403},
		{"expired", "GET", "/sign_d", map[string]string{"t": past, "sign": signFor("www.yunaq.com", past)}, "SignatureExpired", 403},
		{"not whitelisted", "GET", "/sign_d", map[string]string{"host": "www.yunaq.com.cn", "sign": signFor("www.yunaq.com.cn", docT)}, "DnNotInWhitelist", 403},
		{"suffix is not a subdomain", "GET", "/sign_d", map[string]string{"host": "notyunaq.com", "sign": signFor("notyunaq.com", docT)}, "DnNotInWhitelist", 403},
	} {
		_, srv := newDocFake(t)
		status, h, body := get(t, tc.method, srv.URL+tc.path+"?"+docQuery(tc.changes))
		if status != tc.status || body != `{"code":"`+tc.code+`"}` {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
		}
		if h.Get("Date") == "" {
			t.Errorf("%s: no Date header", tc.name)
		}
	}
}

func TestSecondSecret(t *testing.T) {
	f, srv := newDocFake(t)
	const second = "TQ3hq6bkp5gmbXNJOJ13"
	f.AddAccount(docAccount, second)
	_, _, body := get(t, "GET", srv.URL+"/sign_d?"+docQuery(map[string]string{"sign": md5hex("www.yunaq.com-" + second + "-" + docT), "out": "text", "encrypt": "1"}))
	if want := string(encrypt([]byte("122.218.238.109,183.212.96.249"), second)); body != want {
		t.Errorf("body %s, want encryption under the second secret %s", body, want)
	}
}

func TestCacheDelay(t *testing.T) {
	f, srv := newDocFake(t)
	now := docNow
	f.SetNow(func() time.Time { return now })
	f.SetCacheDelay(2 * time.Minute)
	f.SetRecord("www.yunaq.com", "A", netip.MustParseAddr("192.0.2.7"))
	for _, step := range []struct {
		at   time.Duration
		want string
	}{
		{0, "122.218.238.109,183.212.96.249"},
		{119 * time.Second, "122.218.238.109,183.212.96.249"},
		{120 * time.Second, "192.0.2.7"},
	} {
		now = docNow.Add(step.at)
		// Keep t valid: at most now+600 and not before now.
		tt := strconv.FormatInt(now.Unix()+300, 10)
		_, _, body := get(t, "GET", srv.URL+"/sign_d?"+docQuery(map[string]string{"out": "text", "t": tt, "sign": md5hex("www.yunaq.com-" + docSecret + "-" + tt)}))
		if body != step.want {
			t.Errorf("at +%v: %s, want %s", step.at, body, step.want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	f, srv := newDocFake(t)
	now := docNow
	f.SetNow(func() time.Time { return now })
	f.SetRateLimit(2, time.Minute)
	u := srv.URL + "/sign_d?" + docQuery(nil)
	for i, want := range []int{200, 200, 503, 503} {
		if status, _, _ := get(t, "GET", u); status != want {
			t.Errorf("request %d: status %d, want %d", i, status, want)
		}
	}
	now = now.Add(time.Minute) // a new window
	if status, _, body := get(t, "GET", u); status != 200 {
		t.Errorf("after the window: %d %s", status, body)
	}
}

func TestLongV6(t *testing.T) {
	for in, want := range map[string]string{
		"2408:8741:0:1::27": "2408:8741:0:1:0:0:0:27",
		"::":                "0:0:0:0:0:0:0:0",
		"192.0.2.1":         "192.0.2.1",
	} {
		if got := longV6(netip.MustParseAddr(in)); got != want {
			t.Errorf("longV6(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestMisusePanics(t *testing.T) {
	for name, fn := range map[string]func(*Fake){
		"short secret": func(f *Fake) { f.AddAccount(docAccount, "short") },
		"bad account":  func(f *Fake) { f.AddAccount("ABC", docSecret) },
		"third secret": func(f *Fake) {
			f.AddAccount(docAccount, docSecret)
			f.AddAccount(docAccount, docSecret)
			f.AddAccount(docAccount, docSecret)
		},
		"wrong family": func(f *Fake) { f.SetRecord("a.b", "A", netip.MustParseAddr("::1")) },
		"unknown type": func(f *Fake) { f.SetRecord("a.b", "MX", netip.MustParseAddr("::1")) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn(New())
		}()
	}
}
