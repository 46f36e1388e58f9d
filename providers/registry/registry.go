// Package registry builds a provider from its configuration section. It is
// the one place that knows every provider package.
package registry

import (
	"fmt"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/alidns"
	"github.com/eddns/eddns/providers/qcloudcns"
	"github.com/eddns/eddns/providers/tencentcloud"
)

// New returns the provider configured by p.
func New(p *config.Provider, opts providers.Options) (providers.Provider, error) {
	if p.Endpoint != "" {
		opts.Endpoint = p.Endpoint
	}
	if p.Timeout > 0 {
		opts.Timeout = p.Timeout
	}
	var (
		prov providers.Provider
		err  error
	)
	switch p.Type {
	case "alidns":
		prov, err = alidns.New(p.KeyID, p.Secret.Reveal(), opts)
	case "tencentcloud":
		prov, err = tencentcloud.New(p.KeyID, p.Secret.Reveal(), opts)
	case "qcloud_cns":
		prov, err = qcloudcns.New(p.KeyID, p.Secret.Reveal(), opts)
	default:
		return nil, fmt.Errorf("provider %s: unknown type %q", p.Name, p.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.Name, err)
	}
	return prov, nil
}
