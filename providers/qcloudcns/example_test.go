package qcloudcns_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/qcloudcns"
	"github.com/eddns/eddns/providers/qcloudcns/qcloudcnstest"
)

// Publishing an address: list the name, create it when missing, update it
// when it differs. Here the API is the package's fake.
func Example() {
	fake := qcloudcnstest.New("AKIDexample", "example-key")
	fake.AddZone("example.com")
	srv := httptest.NewServer(fake)
	defer srv.Close()

	p, err := qcloudcns.New("AKIDexample", "example-key", providers.Options{Endpoint: srv.URL})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	recs, _ := p.List(ctx, "example.com", "nas", "AAAA")
	fmt.Println("existing:", len(recs))
	rec, err := p.Create(ctx, "example.com", providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600})
	if err != nil {
		panic(err)
	}
	rec.Value = "2001:db8::2"
	if _, err := p.Update(ctx, "example.com", rec); err != nil {
		panic(err)
	}
	fmt.Println(fake.Records("example.com")[0].Value, "after", fake.Writes(), "writes")
	// Output:
	// existing: 0
	// 2001:db8::2 after 2 writes
}
