package main

import (
	"os"
	"strings"
	"testing"

	"github.com/eddns/eddns/providers"
)

// testOnlySpec is a provider type no build of eddns contains. Registering
// it is all a new provider does besides its own package; the tests below
// show it then reaches `eddns schema` and `eddns check` with no other edit.
var testOnlySpec = &providers.Spec{
	Type:  "testonly",
	Title: "Test-only provider",
	Options: []providers.Option{
		{Name: "test_token", Kind: providers.OptSecret, Required: true, Label: "Test token", Help: "Token of the test-only provider."},
		{Name: "test_region", Kind: providers.OptString, Format: "label", Default: "north-1", Label: "Test region", Help: "Region of the test-only provider."},
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) { return nil, nil },
}

func TestSeamTestOnlyProviderInSchemaAndCheck(t *testing.T) {
	providers.Register(testOnlySpec)
	defer providers.Unregister(testOnlySpec.Type)

	code, out, errs := run(t, "schema")
	if code != 0 {
		t.Fatalf("schema: %d %s", code, errs)
	}
	for _, want := range []string{`"testonly"`, `"test_token"`, `"test_region"`, `"Token of the test-only provider."`} {
		if !strings.Contains(out, want) {
			t.Errorf("eddns schema lacks %s", want)
		}
	}

	dir := t.TempDir()
	const secret = "tok-SEAM-1234567890"
	good := dir + "/good"
	os.WriteFile(good, []byte("config global 'global'\n\nconfig provider 't'\n\toption type 'testonly'\n\toption test_token '"+secret+"'\n\n"+
		"config record\n\toption provider 't'\n\toption zone 'example.com'\n\toption type 'A'\n\toption source 'static'\n\toption value '192.0.2.1'\n"), 0o600)
	if code, out, errs := run(t, "-c", good, "check"); code != 0 {
		t.Errorf("check of a testonly provider: %d\n%s%s", code, out, errs)
	}
	bad := dir + "/bad"
	os.WriteFile(bad, []byte("config global 'global'\n\nconfig provider 't'\n\toption type 'testonly'\n\toption test_region 'Bad Region'\n\toption access_key_secret '"+secret+"'\n"), 0o600)
	code, out, errs = run(t, "-c", bad, "check")
	all := out + errs
	if code == 0 || !strings.Contains(all, "t.test_region:") ||
		!strings.Contains(all, "t.access_key_secret: does not apply when type is testonly; use test_token") {
		t.Errorf("check of a bad testonly provider: %d\n%s", code, all)
	}
	if strings.Contains(all, secret) {
		t.Errorf("check printed the secret:\n%s", all)
	}
	missing := dir + "/missing"
	os.WriteFile(missing, []byte("config global 'global'\n\nconfig provider 't'\n\toption type 'testonly'\n"), 0o600)
	if code, out, errs := run(t, "-c", missing, "check"); code == 0 || !strings.Contains(out+errs, "t.test_token: is required when type is testonly") {
		t.Errorf("check of a testonly provider without its token: %d\n%s%s", code, out, errs)
	}
}
