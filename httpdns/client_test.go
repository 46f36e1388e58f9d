package httpdns_test

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/httpc"

	"github.com/eddns/eddns/httpdns"
	"github.com/eddns/eddns/httpdns/httpdnstest"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

// The account of the API document's examples.
const (
	account = "21de58ae91bf3ab77e32aeb8fae95291"
	secret  = "oB1q6EF8rGUpd1qxBtcm"
	secret2 = "TQ3hq6bkp5gmbXNJOJ13"
)

// epoch is an arbitrary fixed time for the virtual clock.
var epoch = time.Date(2019, 12, 16, 3, 50, 0, 0, time.UTC)

type env struct {
	fake  *httpdnstest.Fake
	clock *httpdnstest.ManualClock
	url   string
	c     *httpdns.Client
}

// setup starts a fake with the document's account, whitelisting yunaq.com,
// and a client sharing the fake's virtual clock.
func setup(t *testing.T) *env {
	t.Helper()
	clk := httpdnstest.NewManualClock(epoch)
	f, u := httpdnstest.Start(t)
	f.SetNow(clk.Now)
	f.AddAccount(account, secret)
	f.AllowDomain("yunaq.com")
	f.SetRecord("www.yunaq.com", "A", addrs("111.212.98.126", "122.218.238.112")...)
	f.SetRecord("www.yunaq.com", "AAAA", addrs("2408:8741:0:1::27")...)
	f.SetTTL(144)
	c := &httpdns.Client{URL: u, AccountID: account, Secret: config.NewSecret(secret), Clock: providers.NewClock(clk.Now)}
	return &env{fake: f, clock: clk, url: u, c: c}
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestResolveFormats(t *testing.T) {
	a := addrs("111.212.98.126", "122.218.238.112")
	aaaa := addrs("2408:8741:0:1::27")
	for _, tc := range []struct {
		name    string
		q       httpdns.Query
		encrypt bool
		want    httpdns.Answer
		params  map[string]string // expected request parameters besides the signed ones
	}{
		{"json A", httpdns.Query{Host: "www.yunaq.com"}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a},
			map[string]string{"out": "json", "qtype": "A", "ttl": "0", "encrypt": "0"}},
		{"json A ttl", httpdns.Query{Host: "www.yunaq.com", Type: "A", TTL: true}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a, TTL: 144 * time.Second, HasTTL: true},
			map[string]string{"out": "json", "qtype": "A", "ttl": "1"}},
		{"json AAAA ttl", httpdns.Query{Host: "www.yunaq.com", Type: "AAAA", TTL: true}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "AAAA", Addrs: aaaa, TTL: 144 * time.Second, HasTTL: true},
			map[string]string{"qtype": "AAAA", "ttl": "1"}},
		{"text A", httpdns.Query{Host: "www.yunaq.com", Text: true}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a},
			map[string]string{"out": "text", "ttl": "0"}},
		{"text A ttl", httpdns.Query{Host: "www.yunaq.com", Text: true, TTL: true}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a, TTL: 144 * time.Second, HasTTL: true},
			map[string]string{"out": "text", "ttl": "1"}},
		{"text AAAA lower-case type", httpdns.Query{Host: "www.yunaq.com", Type: "aaaa", Text: true}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "AAAA", Addrs: aaaa},
			map[string]string{"out": "text", "qtype": "AAAA"}},
		{"encrypted json AAAA ttl", httpdns.Query{Host: "www.yunaq.com", Type: "AAAA", TTL: true}, true,
			httpdns.Answer{Host: "www.yunaq.com", Type: "AAAA", Addrs: aaaa, TTL: 144 * time.Second, HasTTL: true},
			map[string]string{"out": "json", "encrypt": "1"}},
		{"encrypted text A", httpdns.Query{Host: "www.yunaq.com", Text: true}, true,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a},
			map[string]string{"out": "text", "encrypt": "1"}},
		{"host normalised", httpdns.Query{Host: "WWW.Yunaq.com."}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a},
			map[string]string{"host": "www.yunaq.com"}},
		{"client ip", httpdns.Query{Host: "www.yunaq.com", ClientIP: netip.MustParseAddr("192.168.12.4")}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a},
			map[string]string{"ip": "192.168.12.4"}},
		{"client ip IPv4-mapped", httpdns.Query{Host: "www.yunaq.com", ClientIP: netip.MustParseAddr("::ffff:1.2.3.4")}, false,
			httpdns.Answer{Host: "www.yunaq.com", Type: "A", Addrs: a},
			map[string]string{"ip": "1.2.3.4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			e.c.Encrypt = tc.encrypt
			got, err := e.c.Resolve(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got.Host != tc.want.Host || got.Type != tc.want.Type || !slices.Equal(got.Addrs, tc.want.Addrs) ||
				got.TTL != tc.want.TTL || got.HasTTL != tc.want.HasTTL {
				t.Errorf("answer = %+v, want %+v", got, tc.want)
			}
			p := e.fake.LastQuery()
			for k, v := range tc.params {
				if p.Get(k) != v {
					t.Errorf("param %s = %q, want %q", k, p.Get(k), v)
				}
			}
			if tc.q.ClientIP.IsValid() == false && p.Has("ip") {
				t.Errorf("ip sent without a client ip: %q", p.Get("ip"))
			}
			checkSigned(t, p, epoch.Add(httpdns.DefaultLifetime))
		})
	}
}

// checkSigned verifies the signed parameters independently of the fake.
func checkSigned(t *testing.T, p url.Values, expiry time.Time) {
	t.Helper()
	if p.Get("account_id") != account {
		t.Errorf("account_id = %q", p.Get("account_id"))
	}
	if p.Get("t") != strconv.FormatInt(expiry.Unix(), 10) {
		t.Errorf("t = %s, want %d", p.Get("t"), expiry.Unix())
	}
	ts, _ := strconv.ParseInt(p.Get("t"), 10, 64)
	if p.Get("sign") != httpdns.Sign(p.Get("host"), secret, ts) {
		t.Errorf("sign = %s does not match host %s and t %s", p.Get("sign"), p.Get("host"), p.Get("t"))
	}
}

func TestResolveNoResult(t *testing.T) {
	for _, tc := range []struct {
		name          string
		text, encrypt bool
	}{{"json", false, false}, {"text", true, false}, {"encrypted json", false, true}, {"encrypted text", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			e.c.Encrypt = tc.encrypt
			e.fake.SetRecord("www.yunaq.com", "A") // removed
			got, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com", Text: tc.text, TTL: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Addrs) != 0 || got.HasTTL || got.Host != "www.yunaq.com" {
				t.Errorf("answer = %+v, want no result", got)
			}
			if got.String() != "www.yunaq.com\tA\tno result\n" {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}

func TestResolveSecondSecret(t *testing.T) {
	e := setup(t)
	e.fake.AddAccount(account, secret2)
	e.c.Secret = config.NewSecret(secret2)
	e.c.Encrypt = true // the answer is encrypted with the secret that signed
	got, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com", Type: "AAAA"})
	if err != nil || !got.Contains(netip.MustParseAddr("2408:8741:0:1::27")) {
		t.Fatalf("Resolve = %+v, %v", got, err)
	}
}

func TestResolveRefusedLocally(t *testing.T) {
	good := httpdns.Query{Host: "www.yunaq.com"}
	for _, tc := range []struct {
		name   string
		mutate func(*httpdns.Client, *httpdns.Query)
		want   error
		text   string
	}{
		{"IPv6 client ip", func(c *httpdns.Client, q *httpdns.Query) { q.ClientIP = netip.MustParseAddr("2001:db8::1") }, httpdns.ErrInvalidQuery, "only an IPv4 client address"},
		{"type MX", func(c *httpdns.Client, q *httpdns.Query) { q.Type = "MX" }, httpdns.ErrInvalidQuery, "only A and AAAA"},
		{"empty host", func(c *httpdns.Client, q *httpdns.Query) { q.Host = "" }, httpdns.ErrInvalidQuery, "empty host"},
		{"host with space", func(c *httpdns.Client, q *httpdns.Query) { q.Host = "www yunaq.com" }, httpdns.ErrInvalidQuery, "character"},
		{"host empty label", func(c *httpdns.Client, q *httpdns.Query) { q.Host = "www..com" }, httpdns.ErrInvalidQuery, "label"},
		{"host too long", func(c *httpdns.Client, q *httpdns.Query) { q.Host = strings.Repeat("a.", 130) + "com" }, httpdns.ErrInvalidQuery, "253"},
		{"no url", func(c *httpdns.Client, q *httpdns.Query) { c.URL = "" }, httpdns.ErrConfig, "url"},
		{"ftp url", func(c *httpdns.Client, q *httpdns.Query) { c.URL = "ftp://x/sign_d" }, httpdns.ErrConfig, "http://"},
		{"url with credentials not quoted", func(c *httpdns.Client, q *httpdns.Query) { c.URL = "gopher://user:" + secret + "@x/" }, httpdns.ErrConfig, "url"},
		{"no account", func(c *httpdns.Client, q *httpdns.Query) { c.AccountID = "" }, httpdns.ErrConfig, "account_id"},
		{"no secret", func(c *httpdns.Client, q *httpdns.Query) { c.Secret = config.Secret{} }, httpdns.ErrConfig, "secret"},
		{"encrypt with short secret", func(c *httpdns.Client, q *httpdns.Query) { c.Secret = config.NewSecret("0123456789"); c.Encrypt = true }, httpdns.ErrConfig, "20-character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			q := good
			tc.mutate(e.c, &q)
			_, err := e.c.Resolve(context.Background(), q)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tc.want, tc.text)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the secret: %v", err)
			}
			if n := e.fake.Requests(); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// rewrite is a Doer standing for a misbehaving proxy.
type rewrite struct {
	req  func(*httpc.Request)
	resp func(*httpc.Response)
}

func (r rewrite) Do(ctx context.Context, req *httpc.Request) (*httpc.Response, error) {
	if r.req != nil {
		r.req(req)
	}
	resp, err := (&httpc.Client{}).Do(ctx, req)
	if err == nil && r.resp != nil {
		r.resp(resp)
	}
	return resp, err
}

// TestErrorCodes provokes every documented code from the fake by a real
// cause where the client can have one, and checks the typed error.
func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
		kind   providers.Kind
		hint   string // a phrase of the hint a user acts on
		cause  func(e *env, q *httpdns.Query)
	}{
		{httpdns.CodeMissingArgument, 403, providers.KindPermanent, "account_id and secret", func(e *env, q *httpdns.Query) {
			e.c.HTTP = rewrite{req: func(r *httpc.Request) { // a proxy dropping a parameter
				v := r.URL.Query()
				v.Del("sign")
				r.URL.RawQuery = v.Encode()
			}}
		}},
		{httpdns.CodeInvalidParam, 403, providers.KindPermanent, "32-hex-digit", func(e *env, q *httpdns.Query) {
			e.c.AccountID = "not-an-md5-account-id"
		}},
		{httpdns.CodeInvalidSignature, 403, providers.KindAuth, "secret option", func(e *env, q *httpdns.Query) {
			e.c.Secret = config.NewSecret(secret2)
		}},
		{httpdns.CodeSignatureExpired, 403, providers.KindClockSkew, "clock is behind", func(e *env, q *httpdns.Query) {
			// Local clock an hour slow, and a proxy strips Date so the
			// client cannot learn the offset.
			slow := func() time.Time { return e.clock.Now().Add(-time.Hour) }
			e.c.Clock = providers.NewClock(slow)
			e.c.HTTP = rewrite{resp: func(r *httpc.Response) { r.Header.Del("Date") }}
		}},
		{httpdns.CodeDnNotInWhitelist, 403, providers.KindPermanent, "whitelist", func(e *env, q *httpdns.Query) {
			q.Host = "www.example.com"
		}},
		{httpdns.CodeInvalidAccountID, 403, providers.KindAuth, "account_id is unknown", func(e *env, q *httpdns.Query) {
			e.c.AccountID = "7cf125ce0190b2fe2bb6bbb6ab386c15"
		}},
		{httpdns.CodeInvalidURLPath, 404, providers.KindPermanent, "/sign_d", func(e *env, q *httpdns.Query) {
			e.c.URL = strings.TrimSuffix(e.url, "/sign_d") + "/d"
		}},
		{httpdns.CodeMethodNotAllowed, 405, providers.KindPermanent, "proxy", func(e *env, q *httpdns.Query) {
			e.c.HTTP = rewrite{req: func(r *httpc.Request) { r.Method = "POST" }}
		}},
		{httpdns.CodeAccessRestricted, 503, providers.KindThrottled, "less often", func(e *env, q *httpdns.Query) {
			e.fake.SetRateLimit(1, time.Minute)
			if _, err := e.c.Resolve(context.Background(), *q); err != nil {
				t.Fatalf("first request under the limit: %v", err)
			}
		}},
		{httpdns.CodeInternalError, 500, providers.KindTransient, "retry later", func(e *env, q *httpdns.Query) {
			e.fake.Faults().Push(providertest.Fault{Code: "InternalError"})
		}},
	} {
		t.Run(tc.code, func(t *testing.T) {
			for _, format := range []struct {
				name          string
				text, encrypt bool
			}{{"json", false, false}, {"text", true, false}, {"encrypted", false, true}} {
				e := setup(t)
				q := httpdns.Query{Host: "www.yunaq.com", Text: format.text}
				e.c.Encrypt = format.encrypt
				tc.cause(e, &q)
				_, err := e.c.Resolve(context.Background(), q)
				var he *httpdns.Error
				if !errors.As(err, &he) {
					t.Fatalf("%s: err = %v, want *httpdns.Error", format.name, err)
				}
				if he.Code != tc.code || he.HTTPStatus != tc.status || he.Kind() != tc.kind {
					t.Errorf("%s: got code %q status %d kind %v, want %q %d %v", format.name, he.Code, he.HTTPStatus, he.Kind(), tc.code, tc.status, tc.kind)
				}
				if !strings.Contains(he.Hint(), tc.hint) || !strings.Contains(err.Error(), he.Hint()) || !strings.Contains(err.Error(), tc.code) {
					t.Errorf("%s: error %q lacks code or hint %q", format.name, err, tc.hint)
				}
				noSecret(t, err)
			}
		})
	}
}

// noSecret fails if err's text holds either test secret.
func noSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{secret, secret2} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error text leaks a secret: %q", err)
		}
	}
}

func TestClockCorrection(t *testing.T) {
	for _, tc := range []struct {
		name     string
		skew     time.Duration // local clock minus the service's
		requests int
	}{
		{"in step", 0, 1},
		{"4 minutes slow: within the lifetime", -4 * time.Minute, 1},
		{"4 minutes fast: within the lifetime", 4 * time.Minute, 1},
		{"an hour slow: SignatureExpired, learn, retry", -time.Hour, 2},
		{"a year slow (no RTC)", -365 * 24 * time.Hour, 2},
		{"6 minutes fast: InvalidParam, learn, retry", 6 * time.Minute, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			e.c.Clock = providers.NewClock(func() time.Time { return e.clock.Now().Add(tc.skew) })
			for i := range 2 { // the second query uses the learned offset
				if _, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com"}); err != nil {
					t.Fatalf("query %d: %v", i, err)
				}
			}
			if got := e.fake.Requests(); got != tc.requests+1 {
				t.Errorf("requests = %d, want %d", got, tc.requests+1)
			}
		})
	}
}

func TestNoRetryWhenClockIsRight(t *testing.T) {
	// A real InvalidParam (bad account id shape) with a correct clock is
	// not retried: the Date header teaches nothing new.
	e := setup(t)
	e.c.AccountID = "XYZ"
	if _, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com"}); err == nil {
		t.Fatal("want error")
	}
	if n := e.fake.Requests(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestLifetime(t *testing.T) {
	for _, tc := range []struct{ set, want time.Duration }{
		{0, httpdns.DefaultLifetime}, {10 * time.Second, 10 * time.Second}, {time.Hour, httpdns.MaxLifetime},
	} {
		e := setup(t)
		e.c.Lifetime = tc.set
		if _, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com"}); err != nil {
			t.Fatalf("lifetime %v: %v", tc.set, err)
		}
		checkSigned(t, e.fake.LastQuery(), epoch.Add(tc.want))
	}
}

func TestMalformedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name          string
		body          string
		status        int
		text, encrypt bool
		want          string
	}{
		{name: "html", body: "<html>", want: "not an object"},
		{name: "truncated json", body: `{"ips":["1.1.1.1"`, want: "json"},
		{name: "wrong family", body: `{"host":"www.yunaq.com","ips":["2001:db8::1"]}`, want: "non-IPv4"},
		{name: "other host", body: `{"host":"evil.example","ips":["192.0.2.1"]}`, want: "another host"},
		{name: "bad text", body: "1.2.3.4;x", text: true, want: "ttl"},
		{name: "odd hex", body: "abc", encrypt: true, want: "odd number"},
		{name: "plain answer when encrypted", body: `{"host":"www.yunaq.com","ips":["192.0.2.1"]}`, encrypt: true, want: "not hex"},
		{name: "not whole blocks", body: strings.Repeat("00", 20), encrypt: true, want: "AES blocks"},
		{name: "bad padding", body: strings.Repeat("00", 32), encrypt: true, want: "padding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			e.c.Encrypt = tc.encrypt
			e.fake.Faults().Push(providertest.Fault{Body: tc.body})
			_, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com", Text: tc.text})
			if !errors.Is(err, httpdns.ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrMalformed mentioning %q", err, tc.want)
			}
			noSecret(t, err)
		})
	}
}

func TestUnexpectedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  providertest.Fault
		code   string
		status int
		kind   providers.Kind
	}{
		{"proxy 502", providertest.Fault{Status: 502, Body: "<html>bad gateway</html>"}, "", 502, providers.KindTransient},
		{"unknown code", providertest.Fault{Code: "QuotaExceeded", Status: 403}, "QuotaExceeded", 403, providers.KindAuth},
		{"code with status 200", providertest.Fault{Status: 200, Body: `{"code":"InternalError"}`}, "InternalError", 200, providers.KindTransient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t)
			e.fake.Faults().Push(tc.fault)
			_, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com"})
			var he *httpdns.Error
			if !errors.As(err, &he) || he.Code != tc.code || he.HTTPStatus != tc.status || he.Kind() != tc.kind || he.Hint() == "" {
				t.Fatalf("err = %#v (%v)", he, err)
			}
			if strings.Contains(err.Error(), "bad gateway") {
				t.Errorf("error quotes the body: %v", err)
			}
		})
	}
}

func TestTransportErrorHidesURL(t *testing.T) {
	e := setup(t)
	e.fake.Faults().Push(providertest.Fault{Reset: true})
	_, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com"})
	if err == nil {
		t.Fatal("want error")
	}
	for _, s := range []string{"sign=", "account_id", secret} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

func TestSecretRedactedInClient(t *testing.T) {
	e := setup(t)
	for _, s := range []string{e.c.Secret.String(), func() string { b, _ := e.c.Secret.MarshalText(); return string(b) }()} {
		if strings.Contains(s, secret) {
			t.Errorf("secret printed: %s", s)
		}
	}
}

func TestAnswerString(t *testing.T) {
	a := httpdns.Answer{Host: "www.yunaq.com", Type: "AAAA", Addrs: addrs("2408:8741:0:1::27", "2001:db8::1"), TTL: 144 * time.Second, HasTTL: true}
	want := "www.yunaq.com\tAAAA\t2408:8741:0:1::27\tttl=144s\nwww.yunaq.com\tAAAA\t2001:db8::1\tttl=144s\n"
	if a.String() != want {
		t.Errorf("String() = %q, want %q", a.String(), want)
	}
}

func TestNowFieldKeepsLearnedOffset(t *testing.T) {
	// Without a shared Clock, the Client's private clock reads Now and keeps
	// what it learns across queries.
	e := setup(t)
	e.c.Clock = nil
	e.c.Now = func() time.Time { return e.clock.Now().Add(-48 * time.Hour) }
	for i := range 3 {
		if _, err := e.c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com"}); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
	}
	if n := e.fake.Requests(); n != 4 {
		t.Errorf("requests = %d, want 4 (one retry, then corrected)", n)
	}
}
