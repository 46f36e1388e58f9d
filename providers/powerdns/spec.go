package powerdns

import "github.com/eddns/eddns/providers"

// Spec declares the powerdns provider type (see providers.Spec).
var Spec = &providers.Spec{
	Type:  Name,
	Title: "PowerDNS Authoritative Server HTTP API",
	Options: []providers.Option{
		{Name: "api_key", Kind: providers.OptSecret, Required: true, Label: "API key",
			Help: "The server's api-key (pdns.conf), sent as X-API-Key."},
		{Name: "server_id", Kind: providers.OptString, Format: "label", Default: DefaultServerID, Label: "Server id",
			Help: "Server id in the API path; the Authoritative Server only has localhost."},
		withRequired(providers.EndpointOption, "PowerDNS: the webserver's base URL, e.g. http://ns1.example.net:8081 (required)."),
		providers.TimeoutOption,
	},
	New: func(s providers.Settings, opts providers.Options) (providers.Provider, error) {
		return New(opts.Endpoint, s.Get("api_key"), s.Get("server_id"), opts)
	},
}

// withRequired is the shared endpoint option, required here: PowerDNS has
// no official endpoint to fall back to.
func withRequired(o providers.Option, help string) providers.Option {
	o.Required = true
	o.Help = help
	return o
}
