package tencentcloud

import "github.com/eddns/eddns/providers"

// Spec declares the tencentcloud provider type (DNSPod API 3.0).
var Spec = &providers.Spec{
	Type:  "tencentcloud",
	Title: "Tencent Cloud DNSPod API 3.0",
	Options: []providers.Option{
		{Name: "secret_id", Kind: providers.OptString, Required: true, Label: "SecretId", Help: "Tencent Cloud SecretId."},
		{Name: "secret_key", Kind: providers.OptSecret, Required: true, Label: "SecretKey", Help: "Tencent Cloud SecretKey."},
		providers.EndpointOption,
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(s.Get("secret_id"), s.Get("secret_key"), opts)
	},
}
