package alidns_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/alidns"
	"github.com/eddns/eddns/providers/alidns/alidnstest"
)

// Example publishes an address: list the name, then update the record
// found or create one. Here the API is the local fake.
func Example() {
	fake := alidnstest.New("LTAIexample", "example-secret")
	fake.AddZone("example.com")
	srv := httptest.NewServer(fake)
	defer srv.Close()

	p, err := alidns.New("LTAIexample", "example-secret", providers.Options{Endpoint: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	want := providers.Record{Name: "nas", Type: "AAAA", Value: "2001:db8::1", TTL: 600}
	recs, err := p.List(ctx, "example.com", want.Name, want.Type)
	if err != nil {
		fmt.Println(err)
		return
	}
	if len(recs) == 0 {
		_, err = p.Create(ctx, "example.com", want)
	} else {
		want.ID = recs[0].ID
		_, err = p.Update(ctx, "example.com", want)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range fake.Records("example.com") {
		fmt.Println(r.Name, r.Type, r.Value, r.TTL)
	}
	// Output: nas AAAA 2001:db8::1 600
}
