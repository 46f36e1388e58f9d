package config

import (
	"errors"
	"strings"
	"testing"
)

const txProvider = "config provider 'tx'\n\toption type 'tencentcloud'\n\toption secret_id 'id'\n\toption secret_key 'sec'\n"
const cnsProvider = "config provider 'cns'\n\toption type 'qcloud_cns'\n\toption secret_id 'id'\n\toption secret_key 'sec'\n"

func recordWith(provider string, extra string) string {
	return "config record 'r'\n\toption provider '" + provider + "'\n\toption zone 'example.com'\n\toption type 'A'\n\toption device 'eth0'\n" + extra
}

func TestLineOption(t *testing.T) {
	cases := []struct {
		name, in, problem string
	}{
		{"alidns code", okProvider + recordWith("p", "\toption line 'telecom'\n"), ""},
		{"alidns regional code", okProvider + recordWith("p", "\toption line 'cn_telecom_beijing'\n"), ""},
		{"alidns Chinese name", okProvider + recordWith("p", "\toption line '电信'\n"), "is not an alidns line code"},
		{"dnspod line id", txProvider + recordWith("tx", "\toption line '10=0'\n"), ""},
		{"dnspod default id", txProvider + recordWith("tx", "\toption line '0'\n"), ""},
		{"dnspod line name", txProvider + recordWith("tx", "\toption line '电信'\n"), "is not a DNSPod RecordLineId"},
		{"cns line name", cnsProvider + recordWith("cns", "\toption line '电信'\n"), ""},
		{"spaces", okProvider + recordWith("p", "\toption line 'tele com'\n"), "a line has no spaces"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("f", []byte(c.in))
			if c.problem == "" {
				if err != nil {
					t.Fatalf("want accepted: %v", err)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].String(), "r.line: ") || !strings.Contains(ps[0].String(), c.problem) {
				t.Fatalf("got %v, %v; want one r.line problem with %q", cfg, err, c.problem)
			}
		})
	}
	// The same name and type on two lines are two records.
	two := okProvider + recordWith("p", "\toption line 'telecom'\n") + strings.Replace(recordWith("p", ""), "'r'", "'r2'", 1)
	cfg, err := Parse("f", []byte(two))
	if err != nil || cfg.Records[0].Key() == cfg.Records[1].Key() {
		t.Fatalf("two lines: %v", err)
	}
}

// Issue 10 items 4 and 7: `eddns check` warns about TTLs free plans refuse
// or above a provider's maximum, and about qcloud_cns on the retired
// official endpoint.
func TestWarnings(t *testing.T) {
	in := okProvider + cnsProvider + txProvider +
		strings.Replace(recordWith("p", "\toption ttl '60'\n"), "'r'", "'low'", 1) +
		strings.Replace(recordWith("p", "\toption ttl '172800'\n\toption name 'www'\n"), "'r'", "'high'", 1) +
		strings.Replace(recordWith("tx", "\toption ttl '172800'\n"), "'r'", "'txok'", 1) +
		"config httpdns 'h'\n\toption url 'https://dns.example/d'\n\toption account_id '21de58ae91bf3ab77e32aeb8fae95291'\n\toption secret 's'\n\toption verify_window '120'\n" +
		strings.Replace(recordWith("tx", "\toption name 'v'\n\toption verify 'h'\n"), "'r'", "'verified'", 1) +
		"config provider 'cns2'\n\toption type 'qcloud_cns'\n\toption secret_id 'id'\n\toption secret_key 'sec'\n\toption endpoint 'https://cns.example.net/v2/index.php'\n"
	cfg, err := Parse("f", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(cfg.Warnings(), "\n")
	for _, want := range []string{
		"record low: option ttl '60' is below 600, which free plans of alidns refuse; set ttl to 600 or more",
		"record high: option ttl '172800' is above alidns's maximum; set ttl to 86400 or less",
		"record verified: httpdns h's verify_window (120s) is shorter than the record's ttl plus 150 s (750s)",
		"provider cns: qcloud_cns without option endpoint uses cns.api.qcloud.com, which Tencent shut down in 2023; use type tencentcloud",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if strings.Contains(w, "txok") || strings.Contains(w, "cns2") {
		t.Errorf("warnings about fine settings:\n%s", w)
	}
}
