package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/eddns/eddns/providers"
)

func TestSecretNeverPrints(t *testing.T) {
	const raw = "s3cr3t-value-XYZ"
	p := &Provider{Name: "ali", Type: "alidns", Settings: providers.NewSettings(map[string][]string{"access_key_id": {"id"}, "access_key_secret": {raw}})}
	sec := NewSecret(raw)
	cfg := &Config{Providers: map[string]*Provider{"ali": p}}
	var outs []string
	// %q and %d are bad verbs for these values: fmt then prints by
	// reflection without calling String, which is what Secret's layout is for.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
		for _, v := range []any{p, *p, cfg, sec, []Secret{sec}, p.Settings, []providers.Settings{p.Settings}} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
	}
	j, _ := json.Marshal(p)
	outs = append(outs, string(j))
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "provider", p, "secret", sec, "settings", p.Settings)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "provider", p, "secret", sec, "settings", p.Settings)
	outs = append(outs, b.String())
	for _, o := range outs {
		if strings.Contains(o, raw) {
			t.Fatalf("secret printed: %s", o)
		}
	}
	if sec.Reveal() != raw || p.Settings.Get("access_key_secret") != raw || NewSecret("").Reveal() != "" || !NewSecret("").IsZero() {
		t.Fatal("Reveal/IsZero do not round-trip")
	}
}
