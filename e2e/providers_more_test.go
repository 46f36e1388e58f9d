package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/providers/cloudflare/cloudflaretest"
	"github.com/eddns/eddns/providers/huaweicloud/huaweicloudtest"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/providers/webhook/webhooktest"
	"github.com/eddns/eddns/state"
)

// The provider types added on the declaration seam (providers.Spec):
// Cloudflare, Huawei Cloud DNS and the webhook. The harness asks
// moreKinds for their fakes and provider sections.
const (
	Cloudflare  Kind = "cloudflare"
	HuaweiCloud Kind = "huaweicloud"
	Webhook     Kind = "webhook"
)

// MoreKinds lists them, for scenarios run once per provider.
var MoreKinds = []Kind{Cloudflare, HuaweiCloud, Webhook}

type moreKind struct {
	fake    func(keyID, secret string) providertest.Fake
	section func(e *Env, name, secret string) string
	// wrongCode is what the real service answers a wrong credential with.
	wrongCode string
	// throttle is the answer of a rate-limited service.
	throttle providertest.Fault
	// limit, when set, throttles with the fake's own model of the
	// service's rate limit instead (on: a tiny limit; off: the real one).
	limit func(f providertest.Fake, on bool)
}

var moreKinds = map[Kind]moreKind{
	Cloudflare: {
		fake: func(_, secret string) providertest.Fake { return cloudflaretest.New(secret) },
		section: func(e *Env, name, secret string) string {
			return fmt.Sprintf("config provider '%s'\n\toption type 'cloudflare'\n\toption api_token '%s'\n\toption endpoint '%s/client/v4'\n\toption timeout '5'\n\n",
				name, secret, e.Endpoint)
		},
		wrongCode: "10000",
		limit: func(f providertest.Fake, on bool) {
			if on {
				f.(*cloudflaretest.Fake).SetRateLimit(1, 5*time.Minute) // the zone lookup, then 429
			} else {
				f.(*cloudflaretest.Fake).SetRateLimit(1200, 5*time.Minute)
			}
		},
	},
	HuaweiCloud: {
		fake: func(keyID, secret string) providertest.Fake { return huaweicloudtest.New(keyID, secret) },
		section: func(e *Env, name, secret string) string {
			return fmt.Sprintf("config provider '%s'\n\toption type 'huaweicloud'\n\toption access_key_id '%s'\n\toption access_key_secret '%s'\n\toption endpoint '%s'\n\toption timeout '5'\n\n",
				name, KeyID, secret, e.Endpoint)
		},
		wrongCode: "APIG.0301",
		throttle:  providertest.Fault{Status: 429, Code: "APIG.0308"},
	},
	Webhook: {
		fake: func(_, secret string) providertest.Fake { return webhooktest.New(secret) },
		section: func(e *Env, name, secret string) string {
			// The secret also rides in the URL, as many update URLs
			// carry a token: it must not leak from there either.
			return fmt.Sprintf("config provider '%s'\n\toption type 'webhook'\n\toption url '%s/update?host={fqdn}&key=%s'\n\toption method 'POST'\n"+
				"\tlist header 'Authorization: Bearer %s'\n\toption body '%s'\n\toption timeout '5'\n\n",
				name, e.Endpoint, secret, secret, webhooktest.BodyTemplate)
		},
		wrongCode: "401",
		throttle:  providertest.Fault{Status: 429, RetryAfter: "60"},
	},
}

// TestOnceMoreProviders: `eddns once` against each new provider's fake
// creates, then updates with exactly one write per changed record, then
// sends nothing at all when nothing changed.
func TestOnceMoreProviders(t *testing.T) {
	for _, kind := range MoreKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			e.AddLink("wan0")
			e.NS.Run(t, "ip", "addr", "add", "192.0.2.10/24", "dev", "wan0")

			e.WriteConfig(onceRecords("2001:db8::1"))
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("first once: exit %d, want 0\n%s%s", r.Code, r.Stdout, r.Stderr)
			}
			assertValue(t, e, "www", "AAAA", "2001:db8::1")
			assertValue(t, e, "gw", "A", "192.0.2.10")
			if w := e.Fake.Writes(); w != 2 {
				t.Errorf("first once: %d writes, want 2 creates", w)
			}

			e.WriteConfig(onceRecords("2001:db8::2"))
			e.NS.Run(t, "ip", "addr", "del", "192.0.2.10/24", "dev", "wan0")
			e.NS.Run(t, "ip", "addr", "add", "192.0.2.11/24", "dev", "wan0")
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("second once: exit %d, want 0\n%s%s", r.Code, r.Stdout, r.Stderr)
			}
			assertValue(t, e, "www", "AAAA", "2001:db8::2")
			assertValue(t, e, "gw", "A", "192.0.2.11")
			if w := e.Fake.Writes(); w != 4 {
				t.Errorf("after the change: %d writes in all, want 4 (2 creates + 2 updates)", w)
			}
			if n := len(e.Records()); n != 2 {
				t.Errorf("%d records at the fake, want 2: %v", n, e.Records())
			}

			before := e.Requests()
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("third once: exit %d, want 0", r.Code)
			}
			if n := e.Requests() - before; n != 0 {
				t.Errorf("unchanged once made %d requests, want 0", n)
			}
		})
	}
}

// TestOnceMoreProvidersWrongCredentials: a wrong token or key fails the
// record with exit status 1 and the service's own code, and no credential
// (right or wrong) appears in the output or the state directory.
func TestOnceMoreProvidersWrongCredentials(t *testing.T) {
	const wrong = "e2e-WRONG-0badc0ffee"
	for _, kind := range MoreKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			e.WriteRaw(e.Global(3600) + e.ProviderSection("p", wrong) +
				Record("web", "name", "www", "type", "AAAA", "source", "static", "value", "2001:db8::1"))
			r := e.Exec("once")
			if r.Code != 1 {
				t.Errorf("exit %d, want 1", r.Code)
			}
			out := r.Stdout + r.Stderr
			for _, want := range []string{string(kind), "www.example.com", moreKinds[kind].wrongCode, "auth"} {
				if !strings.Contains(out, want) {
					t.Errorf("output does not name %q:\n%s", want, out)
				}
			}
			for _, secret := range []string{wrong, Secret} {
				for where, text := range map[string]string{"output": out, "state dir": e.StateFiles()} {
					if strings.Contains(text, secret) {
						t.Errorf("a secret appears in the %s:\n%s", where, text)
					}
				}
			}
			if w := e.Fake.Writes(); w != 0 {
				t.Errorf("%d writes with a wrong credential", w)
			}
		})
	}
}

// TestOnceMoreProvidersThrottled: a rate-limited answer fails the record
// as throttled without a write; the next run publishes.
func TestOnceMoreProvidersThrottled(t *testing.T) {
	for _, kind := range MoreKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			e.WriteConfig(Record("web", "name", "www", "type", "AAAA", "source", "static", "value", "2001:db8::1"))
			m := moreKinds[kind]
			if m.limit != nil {
				m.limit(e.Fake, true)
			} else {
				e.Fake.Faults().Push(m.throttle)
			}
			r := e.Exec("once")
			out := r.Stdout + r.Stderr
			if r.Code != 1 || !strings.Contains(out, "throttled") {
				t.Errorf("throttled once: exit %d, want 1 and a throttled error:\n%s", r.Code, out)
			}
			if w := e.Fake.Writes(); w != 0 {
				t.Errorf("%d writes while throttled", w)
			}
			if m.limit != nil {
				m.limit(e.Fake, false)
			}
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("once after the limit: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
			}
			assertValue(t, e, "www", "AAAA", "2001:db8::1")
		})
	}
}

// TestDaemonWebhookSendsOncePerChange: a webhook cannot be read back, so
// the daemon decides from its state cache. A full check (SIGUSR1), a
// reload (SIGHUP, which builds a new provider) and a restart of the
// daemon send nothing for an unchanged value; a change sends once.
func TestDaemonWebhookSendsOncePerChange(t *testing.T) {
	e := NewEnv(t, Webhook)
	web := func(v string) string {
		return Record("web", "name", "www", "type", "AAAA", "source", "static", "value", v)
	}
	e.WriteConfig(web("2001:db8::1"))
	d := e.Start()
	e.WaitPublished("web", "www", "AAAA", "2001:db8::1")
	if w := e.Fake.Writes(); w != 1 {
		t.Fatalf("%d deliveries after start, want 1", w)
	}
	// checked waits until the record was looked at after since.
	checked := func(since time.Time) {
		e.WaitStatus("web", "a check after "+since.String(), func(rs state.RecordStatus) bool {
			return rs.LastSuccess != nil && rs.LastSuccess.After(since)
		})
	}
	before := e.Requests()
	t0 := time.Now()
	d.Signal(syscall.SIGUSR1)
	checked(t0)
	d.Signal(syscall.SIGHUP)
	d.WaitLog("configuration reloaded")
	t1 := time.Now()
	d.Signal(syscall.SIGUSR1)
	checked(t1)
	d.Stop()
	d = e.Start()
	t2 := time.Now()
	d.Signal(syscall.SIGUSR1)
	checked(t2)
	if n := e.Requests() - before; n != 0 || e.Fake.Writes() != 1 {
		t.Fatalf("full checks, a reload and a restart sent %d requests (%d deliveries in all), want none", n, e.Fake.Writes())
	}
	e.WriteConfig(web("2001:db8::2"))
	d.Signal(syscall.SIGHUP)
	e.WaitPublished("web", "www", "AAAA", "2001:db8::2")
	if w := e.Fake.Writes(); w != 2 {
		t.Errorf("%d deliveries after the change, want 2", w)
	}
	d.Stop()
}
