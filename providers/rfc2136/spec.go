package rfc2136

import "github.com/eddns/eddns/providers"

// Spec declares the rfc2136 provider type (see providers.Spec). The
// record's zone is the zone named in the UPDATE message.
var Spec = &providers.Spec{
	Type:  Name,
	Title: "RFC 2136 dynamic update (BIND, Knot, ...) with TSIG",
	Options: []providers.Option{
		{Name: "server", Kind: providers.OptString, Format: "host_port", Required: true, Label: "Server",
			Help: "Primary name server taking the updates: host or host:port (port 53 by default)."},
		{Name: "key_name", Kind: providers.OptString, Required: true, Label: "TSIG key name",
			Help: "Name of the TSIG key as the server knows it (key \"name\" { ... } in named.conf)."},
		{Name: "key_secret", Kind: providers.OptSecret, Format: "base64", Required: true, Label: "TSIG secret",
			Help: "The key's secret, base64 as tsig-keygen prints it."},
		{Name: "key_algorithm", Kind: providers.OptEnum, Default: DefaultAlgorithm, Label: "TSIG algorithm",
			Values: []string{"hmac-sha256", "hmac-sha512", "hmac-sha384", "hmac-sha224", "hmac-sha1", "hmac-md5"},
			Help:   "HMAC algorithm of the key."},
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(s.Get("server"), s.Get("key_name"), s.Get("key_algorithm"), s.Get("key_secret"), opts)
	},
}
