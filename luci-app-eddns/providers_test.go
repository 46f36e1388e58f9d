package luciapp

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
)

var updateJS = flag.Bool("update", false, "rewrite "+ProvidersFile)

// The committed providers.js must be the one the current schema renders.
func TestProvidersJSIsCurrent(t *testing.T) {
	got, err := ProvidersJS(config.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if *updateJS {
		if err := os.WriteFile(ProvidersFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(ProvidersFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the schema; run: go generate ./luci-app-eddns", ProvidersFile)
	}
}

// testOnlySpec is a provider type no build of eddns contains; registering
// it is all a new provider does besides its own package.
var testOnlySpec = &providers.Spec{
	Type:  "testonly",
	Title: "Test-only provider",
	Options: []providers.Option{
		{Name: "test_token", Kind: providers.OptSecret, Required: true, Label: "Test token", Help: "Token of the test-only provider."},
		{Name: "test_region", Kind: providers.OptString, Format: "label", Default: "north-1", Label: "Test region", Help: "Region of the test-only provider."},
		providers.EndpointOption,
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) { return nil, nil },
}

// The seam: a test-only provider type appears in the schema the LuCI app is
// built from and in the form, as a password field for its secret shown
// for its type only, with no edit of the view. The same schema without the
// regenerated providers.js is caught as drift, so the form really is
// built from that file.
func TestSeamTestOnlyProviderReachesTheForm(t *testing.T) {
	node := nodeOrSkip(t)
	providers.Register(testOnlySpec)
	defer providers.Unregister(testOnlySpec.Type)
	schema := config.Schema()
	js, err := ProvidersJS(schema)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	schemaFile, jsFile := filepath.Join(dir, "schema.json"), filepath.Join(dir, "providers.js")
	raw, _ := json.MarshalIndent(schema, "", "  ")
	if err := os.WriteFile(schemaFile, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsFile, js, 0o644); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`"test_token"`)) || !bytes.Contains(js, []byte(`name: 'test_token'`)) {
		t.Fatalf("the test-only option is missing from the schema or providers.js:\n%s", js)
	}
	compare := func(providersJS string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "tests/lib/compare.js", schemaFile)
		cmd.Env = append(os.Environ(), "EDDNS_PROVIDERS_JS="+providersJS)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := compare(jsFile); err != nil {
		t.Fatalf("the form built from the regenerated providers.js disagrees with the schema (%v):\n%s", err, out)
	}
	out, err := compare("")
	if err == nil || !strings.Contains(out, "provider.test_token: view misses this option") {
		t.Fatalf("the shipped providers.js should lack the test-only type (%v):\n%s", err, out)
	}
}
