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
