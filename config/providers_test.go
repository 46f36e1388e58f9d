package config_test

import (
	"strings"
	"testing"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
)

func option(t *testing.T, name string) config.OptionDoc {
	t.Helper()
	for _, s := range config.Schema().Sections {
		if s.Type != "provider" {
			continue
		}
		for _, o := range s.Options {
			if o.Name == name {
				return o
			}
		}
	}
	t.Fatalf("no provider option %s", name)
	return config.OptionDoc{}
}

// Two test-only types share an option; one requires it, the other does
// not, and one takes a list of header lines. The schema merges the shared
// option, requires it only for its type, and the parser checks each item.
func TestProviderSectionDerivedFromSpecs(t *testing.T) {
	a := &providers.Spec{Type: "test_a", Title: "A", Options: []providers.Option{
		{Name: "test_shared", Kind: providers.OptString, Required: true, Help: "Shared."},
		{Name: "test_header", Kind: providers.OptList, Item: providers.OptString, Format: "http_header", Secret: true, Help: "Headers."},
	}}
	b := &providers.Spec{Type: "test_b", Title: "B", Options: []providers.Option{
		{Name: "test_shared", Kind: providers.OptString, Help: "Shared."},
	}}
	providers.Register(a)
	providers.Register(b)
	defer providers.Unregister("test_a")
	defer providers.Unregister("test_b")

	o := option(t, "test_shared")
	if o.Required || strings.Join(o.RequiredFor, ",") != "test_a" || strings.Join(o.DependsOn["type"], ",") != "test_a,test_b" || !o.Exclusive {
		t.Errorf("merged option: %+v", o)
	}
	if o := option(t, "endpoint"); len(o.DependsOn["type"]) == 0 || !o.Exclusive {
		t.Errorf("endpoint should now apply only to the types declaring it: %+v", o)
	}
	const secret = "Bearer SECRET-HEADER-42"
	parse := func(body string) string {
		_, err := config.Parse("f", []byte("config global 'global'\n\nconfig provider 'p'\n"+body))
		if err == nil {
			return ""
		}
		return err.Error()
	}
	if msg := parse("\toption type 'test_b'\n"); msg != "" {
		t.Errorf("test_b needs no test_shared: %s", msg)
	}
	if msg := parse("\toption type 'test_a'\n"); !strings.Contains(msg, "p.test_shared: is required when type is test_a") {
		t.Errorf("test_a without test_shared: %q", msg)
	}
	msg := parse("\toption type 'test_a'\n\toption test_shared 'x'\n\tlist test_header 'Authorization: " + secret + "'\n\tlist test_header 'no colon " + secret + "'\n")
	if !strings.Contains(msg, "p.test_header: element 2 must be an HTTP header line") || strings.Contains(msg, "SECRET-HEADER") {
		t.Errorf("bad header item: %q", msg)
	}
	cfg, err := config.Parse("f", []byte("config global 'global'\n\nconfig provider 'p'\n\toption type 'test_a'\n\toption test_shared 'x'\n\tlist test_header 'X-A: 1'\n\tlist test_header 'X-B:2'\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Providers["p"].Settings
	if s.Get("test_shared") != "x" || strings.Join(s.List("test_header"), "|") != "X-A: 1|X-B:2" || s.Get("endpoint") != "" {
		t.Errorf("settings: shared %q headers %q", s.Get("test_shared"), s.List("test_header"))
	}
}

// Declarations that cannot be one UCI option are a programming error the
// schema refuses at once.
func TestProviderOptionsMustAgree(t *testing.T) {
	providers.Register(&providers.Spec{Type: "test_c", Options: []providers.Option{{Name: "timeout", Kind: providers.OptString, Help: "x"}}})
	defer providers.Unregister("test_c")
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "timeout of test_c disagrees") {
			t.Errorf("recovered %v", r)
		}
	}()
	config.Schema()
}

func TestFormatsOfProviderOptions(t *testing.T) {
	for _, c := range []struct {
		format, value string
		ok            bool
	}{
		{"http_header", "X-Api-Key: abc", true}, {"http_header", "Bad Name: x", false}, {"http_header", ": x", false},
		{"host_port", "ns1.example.com", true}, {"host_port", "192.0.2.1:5353", true}, {"host_port", "[2001:db8::1]:53", true},
		{"host_port", "2001:db8::1", true}, {"host_port", "host:0", false}, {"host_port", "host:70000", false}, {"host_port", "a b", false},
		{"base64", "c2VjcmV0", true}, {"base64", "not base64!", false},
		{"label", "cn-north-4", true}, {"label", "CN_north", false},
	} {
		providers.Register(&providers.Spec{Type: "test_f", Options: []providers.Option{{Name: "test_v", Kind: providers.OptString, Format: c.format, Help: "x"}}})
		_, err := config.Parse("f", []byte("config global 'global'\n\nconfig provider 'p'\n\toption type 'test_f'\n\toption test_v '"+c.value+"'\n"))
		providers.Unregister("test_f")
		if (err == nil) != c.ok {
			t.Errorf("%s %q: %v", c.format, c.value, err)
		}
	}
}
