package e2e

import (
	"strings"
	"testing"
)

// onceRecords is a static AAAA record and an A record read from the
// "WAN" device wan0.
func onceRecords(static string) string {
	return Record("web", "name", "www", "type", "AAAA", "source", "static", "value", static) +
		Record("gw4", "name", "gw", "type", "A", "source", "interface", "device", "wan0")
}

// TestOncePerProvider runs `eddns once` against each provider's fake:
// the first pass creates, a changed value costs exactly one write per
// record, an unchanged world costs nothing at all.
func TestOncePerProvider(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, kind)
			e.AddLink("wan0")
			e.NS.Run(t, "ip", "addr", "add", "192.0.2.10/24", "dev", "wan0")

			e.WriteConfig(onceRecords("2001:db8::1"))
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("first once: exit %d, want 0", r.Code)
			}
			assertValue(t, e, "www", "AAAA", "2001:db8::1")
			assertValue(t, e, "gw", "A", "192.0.2.10")
			if w := e.Fake.Writes(); w != 2 {
				t.Errorf("first once: %d writes, want 2 creates", w)
			}

			// Both values change: one update each, no lookups needed
			// (record ids are cached in the state directory).
			e.WriteConfig(onceRecords("2001:db8::2"))
			e.NS.Run(t, "ip", "addr", "del", "192.0.2.10/24", "dev", "wan0")
			e.NS.Run(t, "ip", "addr", "add", "192.0.2.11/24", "dev", "wan0")
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("second once: exit %d, want 0", r.Code)
			}
			assertValue(t, e, "www", "AAAA", "2001:db8::2")
			assertValue(t, e, "gw", "A", "192.0.2.11")
			if w := e.Fake.Writes(); w != 4 {
				t.Errorf("after the change: %d writes in all, want 4 (2 creates + 2 updates)", w)
			}

			// Nothing changed: not a single request.
			before := e.Requests()
			if r := e.Exec("once"); r.Code != 0 {
				t.Fatalf("third once: exit %d, want 0", r.Code)
			}
			if n := e.Requests() - before; n != 0 {
				t.Errorf("unchanged once made %d requests, want 0", n)
			}
			if w := e.Fake.Writes(); w != 4 {
				t.Errorf("unchanged once: %d writes in all, want still 4", w)
			}
			if n := len(e.Records()); n != 2 {
				t.Errorf("%d records at the fake, want 2: %v", n, e.Records())
			}
		})
	}
}

// wrongSecretCode is the error code each real API answers a request signed
// with the wrong secret with.
var wrongSecretCode = map[Kind]string{
	AliDNS:       "SignatureDoesNotMatch",
	TencentCloud: "AuthFailure.SignatureFailure",
	QcloudCNS:    "4100",
}

// TestOnceWrongSecret: a wrong secret fails the record with exit status 1,
// and the error names the provider, the record and the provider's code,
// without the secret (right or wrong) anywhere in the output or state.
func TestOnceWrongSecret(t *testing.T) {
	const wrong = "e2e-WRONG-0badc0ffee"
	for _, kind := range Kinds {
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
			for _, want := range []string{providerWord(kind), "www.example.com", wrongSecretCode[kind]} {
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
				t.Errorf("%d writes with a wrong secret", w)
			}
		})
	}
}

// providerWord is how errors name the provider: its type.
func providerWord(kind Kind) string { return string(kind) }

func assertValue(t *testing.T, e *Env, name, typ, want string) {
	t.Helper()
	if v, ok := e.Value(name, typ); !ok || v != want {
		t.Errorf("%s/%s at the fake = %q (present %v), want %q; records: %v", name, typ, v, ok, want, e.Records())
	}
}
