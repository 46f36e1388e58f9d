package reconciler

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/webhook"
	"github.com/eddns/eddns/providers/webhook/webhooktest"
	"github.com/eddns/eddns/state"
)

// A webhook cannot be read back: a full check (fresh) with a cached value
// must not send it again, even from a new provider instance (a reload or
// restart), while a changed value is still sent once.
func TestApplyBlindProviderTrustsTheCache(t *testing.T) {
	const token = "wh-token"
	fake := webhooktest.New(token)
	fake.AddZone("example.com")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	newProv := func() providers.Provider {
		p, err := webhook.New(webhook.Config{URL: srv.URL + "/u", Headers: []string{"Authorization: Bearer " + token}, Body: webhooktest.BodyTemplate},
			providers.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	store, _, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(&strings.Builder{}, nil))
	r := &Reconciler{Name: "hook", Provider: newProv(), Store: store, Log: log}
	ctx := context.Background()
	rr := rec("nas", "AAAA")
	if res := r.Apply(ctx, rr, addr("2001:db8::1"), true); res.Outcome != Created || fake.Writes() != 1 {
		t.Fatalf("first = %+v, %d writes", res, fake.Writes())
	}
	r.Provider = newProv() // reload: the provider's own memory is gone
	if res := r.Apply(ctx, rr, addr("2001:db8::1"), true); res.Outcome != Unchanged || fake.Writes() != 1 || fake.Calls("update") != 1 {
		t.Fatalf("full check after reload = %+v, %d writes; want unchanged and nothing sent", res, fake.Writes())
	}
	if res := r.Apply(ctx, rr, addr("2001:db8::2"), true); res.Outcome != Updated || fake.Writes() != 2 {
		t.Fatalf("changed = %+v, %d writes", res, fake.Writes())
	}
	if !providers.IsBlind(r.Provider) {
		t.Fatal("the webhook should be blind")
	}
}
