package httpdns_test

import (
	"context"
	"fmt"
	"github.com/eddns/eddns/config"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/eddns/eddns/httpdns"
	"github.com/eddns/eddns/httpdns/httpdnstest"
	"github.com/eddns/eddns/providers"
)

// Resolve asks the service for a name's addresses, here against the fake.
func ExampleClient_Resolve() {
	fake := httpdnstest.New()
	fake.AddAccount("21de58ae91bf3ab77e32aeb8fae95291", "oB1q6EF8rGUpd1qxBtcm")
	fake.AllowDomain("yunaq.com")
	fake.SetRecord("www.yunaq.com", "AAAA", netip.MustParseAddr("2408:8741:0:1::27"))
	fake.SetTTL(144)
	srv := httptest.NewServer(fake)
	defer srv.Close()

	c := &httpdns.Client{
		URL:       srv.URL + httpdnstest.Path,
		AccountID: "21de58ae91bf3ab77e32aeb8fae95291",
		Secret:    config.NewSecret("oB1q6EF8rGUpd1qxBtcm"),
		Encrypt:   true,
	}
	ans, err := c.Resolve(context.Background(), httpdns.Query{Host: "www.yunaq.com", Type: "AAAA", TTL: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(ans)
	// Output: www.yunaq.com	AAAA	2408:8741:0:1::27	ttl=144s
}

// WaitVisible checks that a just-published address is handed out; the
// service caches answers, so it may take up to two minutes.
func ExampleClient_WaitVisible() {
	clock := httpdnstest.NewManualClock(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	fake := httpdnstest.New()
	fake.SetNow(clock.Now)
	fake.AddAccount("21de58ae91bf3ab77e32aeb8fae95291", "oB1q6EF8rGUpd1qxBtcm")
	fake.AllowDomain("example.com")
	fake.SetCacheDelay(90 * time.Second)
	fake.SetRecord("nas.example.com", "AAAA", netip.MustParseAddr("2001:db8::211"))
	srv := httptest.NewServer(fake)
	defer srv.Close()

	c := &httpdns.Client{
		URL:       srv.URL + httpdnstest.Path,
		AccountID: "21de58ae91bf3ab77e32aeb8fae95291",
		Secret:    config.NewSecret("oB1q6EF8rGUpd1qxBtcm"),
		Clock:     providers.NewClock(clock.Now),
	}
	took, err := c.WaitVisible(context.Background(), "nas.example.com", "AAAA",
		netip.MustParseAddr("2001:db8::211"), httpdns.SuggestedWindow, clock.Sleep)
	fmt.Println(took, err)
	// Output: 1m35s <nil>
}
