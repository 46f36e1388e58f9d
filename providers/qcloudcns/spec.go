package qcloudcns

import "github.com/eddns/eddns/providers"

// Spec declares the qcloud_cns provider type (legacy CNS v2). It takes
// the same credentials as tencentcloud, written out here so that this
// package does not import that one.
var Spec = &providers.Spec{
	Type:  "qcloud_cns",
	Title: "Tencent Cloud CNS, legacy v2, shut down in 2023",
	Options: []providers.Option{
		{Name: "secret_id", Kind: providers.OptString, Required: true, Label: "SecretId", Help: "Tencent Cloud SecretId."},
		{Name: "secret_key", Kind: providers.OptSecret, Required: true, Label: "SecretKey", Help: "Tencent Cloud SecretKey."},
		endpointOption,
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(s.Get("secret_id"), s.Get("secret_key"), opts)
	},
}

// endpointOption adds to the shared endpoint help what CNS users must know.
var endpointOption = func() providers.Option {
	o := providers.EndpointOption
	o.Help = "Tencent shut down the official CNS v2 API (qcloud_cns) in 2023: qcloud_cns needs a compatible private endpoint here; new accounts use tencentcloud."
	return o
}()
