// Package registry is the one place that knows every provider package: it
// registers their declarations (providers.Spec) and builds a provider from
// its configuration section.
//
// Adding a provider type is one new package under providers/ and one line
// in builtin below; see providers.Spec for the whole recipe.
package registry

import (
	"fmt"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/alidns"
	"github.com/eddns/eddns/providers/cloudflare"
	"github.com/eddns/eddns/providers/huaweicloud"
	"github.com/eddns/eddns/providers/powerdns"
	"github.com/eddns/eddns/providers/qcloudcns"
	"github.com/eddns/eddns/providers/rfc2136"
	"github.com/eddns/eddns/providers/tencentcloud"
	"github.com/eddns/eddns/providers/webhook"
)

// builtin lists the provider types eddns is built with, in the order the
// schema and the LuCI form show them.
var builtin = []*providers.Spec{
	alidns.Spec,
	tencentcloud.Spec,
	qcloudcns.Spec,
	cloudflare.Spec,
	huaweicloud.Spec,
	rfc2136.Spec,
	powerdns.Spec,
	webhook.Spec,
}

func init() {
	for _, s := range builtin {
		providers.Register(s)
	}
}

// New returns the provider configured by p.
func New(p *config.Provider, opts providers.Options) (providers.Provider, error) {
	if p.Endpoint != "" {
		opts.Endpoint = p.Endpoint
	}
	if p.Timeout > 0 {
		opts.Timeout = p.Timeout
	}
	spec := providers.Lookup(p.Type)
	if spec == nil {
		return nil, fmt.Errorf("provider %s: unknown type %q", p.Name, p.Type)
	}
	prov, err := spec.New(p.Settings, opts)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.Name, err)
	}
	return prov, nil
}
