package config

import (
	"strings"
	"testing"
)

const verifyBase = `
config provider 'ali'
	option type 'alidns'
	option access_key_id 'LTAIexample'
	option access_key_secret 'secret0123'

config record 'nas'
	option provider 'ali'
	option zone 'example.com'
	option type 'AAAA'
	option device 'br-lan'
`

func TestVerifyAuthoritative(t *testing.T) {
	cfg, err := Parse("eddns", []byte(verifyBase+"\toption verify 'authoritative'\n"))
	if err != nil {
		t.Fatalf("verify 'authoritative': %v", err)
	}
	if got := cfg.Records[0].Verify; got != VerifyAuthoritative {
		t.Fatalf("Verify = %q", got)
	}
	// Any other name must still be an httpdns section.
	_, err = Parse("eddns", []byte(verifyBase+"\toption verify 'authoritativ'\n"))
	if err == nil || !strings.Contains(err.Error(), "there is no httpdns section named \"authoritativ\"") {
		t.Fatalf("verify 'authoritativ': %v", err)
	}
	// The name is reserved: an httpdns section cannot take it.
	_, err = Parse("eddns", []byte(verifyBase+`
config httpdns 'authoritative'
	option url 'http://dns.example.net/sign_d'
	option account_id '21de58ae91bf3ab77e32aeb8fae95291'
	option secret 'x'
`))
	if err == nil || !strings.Contains(err.Error(), "reserved for option verify 'authoritative'") {
		t.Fatalf("httpdns 'authoritative': %v", err)
	}
}

// TestDNSServerProviders: the rfc2136 and powerdns sections as the UCI
// contract has them; a key_secret that is not base64 is refused by eddns
// check without quoting it; powerdns needs its endpoint.
func TestDNSServerProviders(t *testing.T) {
	const rfc = `
config provider 'bind'
	option type 'rfc2136'
	option server 'ns1.example.org'
	option key_name 'eddns-key'
	option key_secret '%s'
`
	cfg, err := Parse("eddns", []byte(strings.Replace(rfc, "%s", "c2VjcmV0LWtleQ==", 1)))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Providers["bind"].Settings
	if s.Get("server") != "ns1.example.org" || s.Get("key_algorithm") != "hmac-sha256" || s.Get("key_secret") != "c2VjcmV0LWtleQ==" {
		t.Fatalf("settings: server %q algorithm %q", s.Get("server"), s.Get("key_algorithm"))
	}
	const bad = "not-base64-Secret!"
	_, err = Parse("eddns", []byte(strings.Replace(rfc, "%s", bad, 1)))
	if err == nil || !strings.Contains(err.Error(), "bind.key_secret: must be base64") || strings.Contains(err.Error(), bad) {
		t.Fatalf("bad key_secret: %v", err)
	}
	_, err = Parse("eddns", []byte("config provider 'pdns'\n\toption type 'powerdns'\n\toption api_key 'k'\n"))
	if err == nil || !strings.Contains(err.Error(), "pdns.endpoint: is required") {
		t.Fatalf("powerdns without endpoint: %v", err)
	}
	_, err = Parse("eddns", []byte("config provider 'bind'\n\toption type 'rfc2136'\n\toption server 'ns1:99999'\n\toption key_name 'k'\n\toption key_secret 'c2VjcmV0'\n\toption endpoint 'http://x'\n"))
	if err == nil || !strings.Contains(err.Error(), "bind.server: must be a host name") || !strings.Contains(err.Error(), "bind.endpoint: does not apply") {
		t.Fatalf("rfc2136 with a bad server and an endpoint: %v", err)
	}
}
