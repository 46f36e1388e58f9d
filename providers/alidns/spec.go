package alidns

import "github.com/eddns/eddns/providers"

// Spec declares the alidns provider type (see providers.Spec).
var Spec = &providers.Spec{
	Type:  "alidns",
	Title: "Alibaba Cloud DNS",
	Options: []providers.Option{
		{Name: "access_key_id", Kind: providers.OptString, Required: true, Label: "AccessKey ID", Help: "Alibaba Cloud AccessKey ID."},
		{Name: "access_key_secret", Kind: providers.OptSecret, Required: true, Label: "AccessKey secret", Help: "Alibaba Cloud AccessKey secret."},
		providers.EndpointOption,
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(s.Get("access_key_id"), s.Get("access_key_secret"), opts)
	},
}
