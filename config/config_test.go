package config

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eddns/eddns/providers"
)

func TestLoadSample(t *testing.T) {
	cfg, err := Load("testdata/sample.conf")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	wantGlobal := Global{Enabled: true, LogLevel: "info", StateDir: "/var/run/eddns", ResyncInterval: time.Hour}
	if cfg.Global != wantGlobal {
		t.Errorf("Global = %+v, want %+v", cfg.Global, wantGlobal)
	}
	wantProviders := map[string]Provider{
		"ali": {Name: "ali", Type: "alidns", Settings: settings("access_key_id", "LTAI5tExampleKeyId", "access_key_secret", "ExampleAccessKeySecret0123456789", "timeout", "15"),
			Timeout: 15 * time.Second, Pos: Pos{"testdata/sample.conf", 11}},
		"tx": {Name: "tx", Type: "tencentcloud", Settings: settings("secret_id", "AKIDExampleSecretId0123456789", "secret_key", "ExampleSecretKey0123456789abcd",
			"endpoint", "https://dnspod.tencentcloudapi.com", "timeout", "15"),
			Endpoint: "https://dnspod.tencentcloudapi.com", Timeout: 15 * time.Second, Pos: Pos{"testdata/sample.conf", 18}},
		"txlegacy": {Name: "txlegacy", Type: "qcloud_cns", Settings: settings("secret_id", "AKIDLegacyExample0123456789", "secret_key", "LegacySecretKeyExample0123456", "timeout", "30"),
			Timeout: 30 * time.Second, Pos: Pos{"testdata/sample.conf", 25}},
		"cf": {Name: "cf", Type: "cloudflare", Settings: settings("api_token", "ExampleCloudflareApiToken0123456789abcdef", "timeout", "15"),
			Timeout: 15 * time.Second, Pos: Pos{"testdata/sample.conf", 93}},
		"hw": {Name: "hw", Type: "huaweicloud", Settings: settings("access_key_id", "HPUAEXAMPLEAK0123456", "access_key_secret", "ExampleHuaweiSecretAccessKey0123456789",
			"region", "cn-north-4", "timeout", "15"), Timeout: 15 * time.Second, Pos: Pos{"testdata/sample.conf", 98}},
		"hook": {Name: "hook", Type: "webhook", Settings: providers.NewSettings(map[string][]string{"url": {"https://ddns.example.net/update?host={fqdn}"},
			"method": {"POST"}, "token": {"ExampleWebhookToken"}, "header": {"Authorization: Bearer {token}"}, "timeout": {"15"},
			"body": {`{"name":"{fqdn}","type":"{type}","value":"{value}","ttl":{ttl}}`}}), Timeout: 15 * time.Second, Pos: Pos{"testdata/sample.conf", 105}},
		"bind": {Name: "bind", Type: "rfc2136", Settings: settings("server", "ns1.example.org:53", "key_name", "eddns-key",
			"key_secret", "c2VjcmV0LWZvci1lZGRucy10ZXN0cy0wMTIzNDU2Nzg5", "key_algorithm", "hmac-sha256", "timeout", "15"),
			Timeout: 15 * time.Second, Pos: Pos{"testdata/sample.conf", 114}},
		"pdns": {Name: "pdns", Type: "powerdns", Settings: settings("endpoint", "http://ns1.example.org:8081", "api_key", "ExamplePowerDNSApiKey",
			"server_id", "localhost", "timeout", "15"),
			Endpoint: "http://ns1.example.org:8081", Timeout: 15 * time.Second, Pos: Pos{"testdata/sample.conf", 122}},
	}
	if len(cfg.Providers) != len(wantProviders) {
		t.Errorf("%d providers, want %d", len(cfg.Providers), len(wantProviders))
	}
	for name, want := range wantProviders {
		if got := cfg.Providers[name]; got == nil || !sameProvider(*got, want) {
			t.Errorf("provider %s = %+v, want %+v", name, got, want)
		}
	}
	f := "testdata/sample.conf"
	wantRecords := []Record{
		{Section: "nas6", Enabled: true, Provider: "ali", Zone: "example.com", Name: "nas", Type: "AAAA", TTL: 600,
			Source: "interface", Device: "pppoe-wan", Prefer: "stable", Verify: "yunaq", Pos: Pos{f, 32}},
		{Section: "router4", Enabled: true, Provider: "tx", Zone: "example.org", Name: "@", Type: "A", TTL: 600,
			Source: "interface", Network: "wan", Prefer: "stable", Pos: Pos{f, 45}},
		{Section: "printer", Enabled: true, Provider: "tx", Zone: "example.org", Name: "printer.home", Type: "AAAA", TTL: 600,
			Source: "prefix", Network: "lan", Prefer: "stable", Suffix: netip.MustParseAddr("::211:32ff:fe12:3456"), Pos: Pos{f, 53}},
		{Section: "cfg08f824", Enabled: true, Provider: "txlegacy", Zone: "example.net", Name: "office", Type: "A", TTL: 600,
			Source: "url", Prefer: "stable", URLs: []string{"https://ipv4.example.net/ip", "http://ip.example.org/"}, Pos: Pos{f, 63}},
		{Section: "static4", Enabled: false, Provider: "ali", Zone: "example.com", Name: "www", Type: "A", TTL: 3600, Line: "telecom",
			Source: "static", Prefer: "stable", Value: netip.MustParseAddr("192.0.2.1"), Pos: Pos{f, 73}},
		{Section: "nas", Enabled: true, Provider: "ali", Zone: "example.com", Name: "nas.home", Type: "AAAA", TTL: 600,
			Source: "host", Device: "br-lan", MAC: "02:11:32:12:34:56", Prefer: "stable", Pos: Pos{f, 129}},
	}
	if len(cfg.Records) != len(wantRecords) {
		t.Fatalf("%d records, want %d", len(cfg.Records), len(wantRecords))
	}
	for i, want := range wantRecords {
		if got := cfg.Records[i]; !reflect.DeepEqual(*got, want) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, *got, want)
		}
	}
	wantH := HTTPDNS{Name: "yunaq", URL: "http://dns.example.net/sign_d", AccountID: "21de58ae91bf3ab77e32aeb8fae95291",
		Secret: NewSecret("ExampleHttpdnsSecret"), Encrypt: true, Timeout: 5 * time.Second, Window: 2 * time.Minute, Pos: Pos{f, 84}}
	if got := cfg.HTTPDNS["yunaq"]; got == nil || !sameHTTPDNS(*got, wantH) || len(cfg.HTTPDNS) != 1 {
		t.Errorf("httpdns = %+v, want only %+v", got, wantH)
	}
	if cfg.File != f {
		t.Errorf("File = %q", cfg.File)
	}
}

// TestSampleUsesEveryOption keeps the sample honest as the schema grows.
func TestSampleUsesEveryOption(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, sd := range Schema().Sections {
		for _, od := range sd.Options {
			if !strings.Contains(string(data), "option "+od.Name+" ") && !strings.Contains(string(data), "list "+od.Name+" ") {
				t.Errorf("sample.conf never sets %s.%s", sd.Type, od.Name)
			}
		}
	}
}

func TestLoadBroken(t *testing.T) {
	_, err := Load("testdata/broken.conf")
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	f := "testdata/broken.conf:"
	want := []string{
		f + `2: @global[0]: a global section must be named "global": config global 'global'`,
		f + `3: @global[0].enabled: "maybe" is not a boolean; use 1 or 0`,
		f + `4: @global[0].log_level: "verbose" is not one of debug, info, warn or error`,
		f + `5: @global[0].resync_interval: 30 seconds is too aggressive; use 0 (off) or at least 60`,
		f + `6: @global[0].state_dir: "var/run" is not an absolute path`,
		f + `10: ali.secret_id: does not apply when type is alidns; use access_key_id`,
		f + `11: ali.access_key_secrte: unknown option; did you mean access_key_secret?`,
		f + `12: ali.timeout: "soon" is not a whole number`,
		f + `13: ali.enabled: unknown option: providers cannot be disabled; disable the records that use this provider instead`,
		f + `16: tx.type: "tencentclod" is not one of alidns, tencentcloud, qcloud_cns, cloudflare, huaweicloud, rfc2136, powerdns or webhook; did you mean tencentcloud?`,
		f + `17: tx.secret_key: must not contain line breaks or control characters`,
		f + `19: tx.endpoint: must be an http:// or https:// URL with a host`,
		f + `21: @provider[2]: provider sections need a name that records can refer to, e.g. config provider 'name'`,
		f + `26: typo: unknown section type "recrod"; did you mean record?`,
		f + `30: r1.provider: there is no provider section named "alii"; did you mean ali?`,
		f + `31: r1.zone: "example" is not a domain name like example.com`,
		f + `33: r1.type: "AAA" is not one of A or AAAA; did you mean AAAA?`,
		f + `34: r1.ttl: 0 is out of range 1..604800`,
		f + `36: r1.network: cannot be used together with device; set only one of device or network`,
		f + `37: r1.prefer: "newest" is not one of stable, temporary or any`,
		f + `43: r2.source: prefix works only for AAAA records: an IPv4 address has no delegated prefix`,
		f + `45: r2.suffix: "2001:db8::1" is not an IPv6 host part: the upper 64 bits must be zero, e.g. ::211:32ff:fe12:3456`,
		f + `50: r3.name: is relative to the zone example.com: write "r3"`,
		f + `53: r3.value: 192.0.2.1 is an IPv4 address, but type is AAAA`,
		f + `54: r3.verify: "ali" is a section of type provider; verify must name a section of type httpdns`,
		f + `56: r4.url: is required when source is url`,
		f + `62: r4.lifetime: unknown option for record sections; known options are enabled, provider, zone, name, type, ttl, source, device, mac, network, prefer, suffix, url, value, verify, line`,
		f + `71: r6: same provider, zone, name and type as record r5 (line 64); only one may be enabled`,
		f + `77: r6.ttl: takes a single value: write ` + "`option ttl`, not `list ttl`",
		f + `79: h.secret: is required`,
		f + `80: h.url: must not contain a user name or password`,
		f + `81: h.account_id: must be 32 hexadecimal characters`,
		f + `83: too many arguments`,
	}
	got := strings.Split(err.Error(), "\n")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems differ:\n%s", diffLines(got, want))
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Pos.Line < ps[i-1].Pos.Line {
			t.Errorf("problems not sorted by line at %d", i)
		}
	}
}

func diffLines(got, want []string) string {
	var b strings.Builder
	g := map[string]bool{}
	for _, l := range got {
		g[l] = true
	}
	w := map[string]bool{}
	for _, l := range want {
		w[l] = true
		if !g[l] {
			b.WriteString("missing: " + l + "\n")
		}
	}
	for _, l := range got {
		if !w[l] {
			b.WriteString("extra:   " + l + "\n")
		}
	}
	if b.Len() == 0 {
		b.WriteString("same lines, different order")
	}
	return b.String()
}

const okProvider = "config provider 'p'\n\toption type 'alidns'\n\toption access_key_id 'id'\n\toption access_key_secret 'sec'\n"

// TestRules checks one rule per case: either the problems a snippet
// yields (without the "f:" prefix), or that it is accepted.
func TestRules(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // nil: must be accepted
	}{
		{"empty file gives defaults", "", nil},
		{"booleans the UCI way", "config global 'global'\n\toption enabled 'off'\nconfig global 'global'\n\toption enabled 'Yes'\n", nil},
		{"resync 0 turns it off", "config global 'global'\n\toption resync_interval '0'\n", nil},
		{"resync 59 refused", "config global 'global'\n\toption resync_interval '59'\n",
			[]string{"2: global.resync_interval: 59 seconds is too aggressive; use 0 (off) or at least 60"}},
		{"resync negative", "config global 'global'\n\toption resync_interval '-5'\n",
			[]string{"2: global.resync_interval: -5 is out of range 0..604800"}},
		{"plus sign is not a number", "config global 'global'\n\toption resync_interval '+60'\n",
			[]string{`2: global.resync_interval: "+60" is not a whole number`}},
		{"unknown global option hint", "config global 'global'\n\toption loglevel 'info'\n",
			[]string{"2: global.loglevel: unknown option; did you mean log_level?"}},
		{"option of another section type", "config global 'global'\n\toption zone 'example.com'\n",
			[]string{"2: global.zone: unknown option for global sections (it belongs in record sections)"}},
		{"tencent names on alidns", "config provider 'p'\n\toption type 'alidns'\n\toption secret_id 'i'\n\toption secret_key 'k'\n",
			[]string{
				"3: p.secret_id: does not apply when type is alidns; use access_key_id",
				"4: p.secret_key: does not apply when type is alidns; use access_key_secret",
			}},
		{"alidns names on tencentcloud", "config provider 'p'\n\toption type 'tencentcloud'\n\toption access_key_id 'i'\n\toption access_key_secret 'k'\n",
			[]string{
				"3: p.access_key_id: does not apply when type is tencentcloud; use secret_id",
				"4: p.access_key_secret: does not apply when type is tencentcloud; use secret_key",
			}},
		{"provider without credentials", "config provider 'p'\n\toption type 'qcloud_cns'\n",
			[]string{
				"1: p.secret_id: is required when type is tencentcloud or qcloud_cns",
				"1: p.secret_key: is required when type is tencentcloud or qcloud_cns",
			}},
		{"provider without type", "config provider 'p'\n\toption access_key_id 'i'\n", []string{"1: p.type: is required"}},
		{"bad type hides credential rules", "config provider 'p'\n\toption type 'aws'\n\toption secret_id 'i'\n",
			[]string{`2: p.type: "aws" is not one of alidns, tencentcloud, qcloud_cns, cloudflare, huaweicloud, rfc2136, powerdns or webhook`}},
		{"endpoint must be http(s)", okProvider + "\toption endpoint 'dnspod.example'\n",
			[]string{"5: p.endpoint: must be an http:// or https:// URL with a host"}},
		{"timeout range", okProvider + "\toption timeout '0'\n", []string{"5: p.timeout: 0 is out of range 1..300"}},
		{"anonymous record is fine, default source interface needs a device",
			okProvider + "config record\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n",
			[]string{"5: @record[0]: one of device or network is required when source is interface or prefix"}},
		{"record minimal", okProvider + "config record\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption device 'eth0'\n", nil},
		{"disabled record may be incomplete", "config record 'r'\n\toption enabled '0'\n\toption source 'url'\n", nil},
		{"disabled record still checks values", "config record 'r'\n\toption enabled '0'\n\toption ttl 'x'\n",
			[]string{`3: r.ttl: "x" is not a whole number`}},
		{"record without provider zone type", "config record 'r'\n\toption device 'eth0'\n",
			[]string{"1: r.provider: is required", "1: r.zone: is required", "1: r.type: is required"}},
		{"suffix on an A record", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption device 'eth0'\n\toption suffix '::1'\n",
			[]string{"10: r.suffix: an IPv6 suffix cannot be used in an A record"}},
		{"prefix needs suffix", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'AAAA'\n\toption source 'prefix'\n\toption network 'lan'\n",
			[]string{"5: r.suffix: is required when source is prefix"}},
		{"host needs mac", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'AAAA'\n\toption source 'host'\n",
			[]string{"5: r.mac: is required when source is host"}},
		{"host mac must be a unicast MAC", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'AAAA'\n\toption source 'host'\n\toption mac '01:00:5e:00:00:01'\n",
			[]string{`10: r.mac: "01:00:5e:00:00:01" is not a MAC address like aa:bb:cc:dd:ee:ff`}},
		{"host mac any case and dashes, no device needed", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption source 'host'\n\toption mac '02-AB-cd-00-00-01'\n", nil},
		{"suffix must be IPv6", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'AAAA'\n\toption source 'prefix'\n\toption network 'lan'\n\toption suffix '10.0.0.1'\n",
			[]string{`11: r.suffix: "10.0.0.1" is not an IPv6 host part: the upper 64 bits must be zero, e.g. ::211:32ff:fe12:3456`}},
		{"static value family", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption source 'static'\n\toption value '2001:db8::1'\n",
			[]string{"10: r.value: 2001:db8::1 is not an IPv4 address, but type is A"}},
		{"static value must be an address", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption source 'static'\n\toption value 'fe80::1%eth0'\n",
			[]string{`10: r.value: "fe80::1%eth0" is not an IP address`}},
		{"url list elements checked", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption source 'url'\n\tlist url 'https://ok.example/'\n\tlist url 'ftp://no.example/'\n",
			[]string{"11: r.url: element 2 must be an http:// or https:// URL with a host"}},
		{"single url as option", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption source 'url'\n\toption url 'https://ok.example/'\n", nil},
		{"zone needs ASCII", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'bücher.example'\n\toption type 'A'\n\toption device 'eth0'\n",
			[]string{"7: r.zone: must be an ASCII domain name; write internationalised names in their xn-- form"}},
		{"name labels", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption name 'a..b'\n\toption type 'A'\n\toption device 'eth0'\n",
			[]string{`8: r.name: "a..b" is not a valid host name: empty label (use @ for the zone apex)`}},
		{"wildcard and service labels", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption name '*._srv.home'\n\toption type 'A'\n\toption device 'eth0'\n", nil},
		{"device name length", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption device 'a-very-long-device-name'\n",
			[]string{`9: r.device: "a-very-long-device-name" is not a Linux device name (at most 15 characters, no '/', ':' or spaces)`}},
		{"network is a UCI name", okProvider + "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption network 'wan-6'\n",
			[]string{`9: r.network: "wan-6" is not a UCI interface name like wan6`}},
		{"duplicate only among enabled", okProvider +
			"config record 'a'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption device 'eth0'\n" +
			"config record 'b'\n\toption enabled '0'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption device 'eth1'\n", nil},
		{"same name different type is fine", okProvider +
			"config record 'a'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'A'\n\toption device 'eth0'\n" +
			"config record 'b'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'AAAA'\n\toption device 'eth0'\n", nil},
		{"httpdns account id", "config httpdns 'h'\n\toption url 'https://dns.example/d'\n\toption account_id '21DE58AE91BF3AB77E32AEB8FAE9529Z'\n\toption secret 's'\n",
			[]string{"3: h.account_id: must be 32 hexadecimal characters"}},
		{"httpdns must be named", "config httpdns\n\toption url 'https://dns.example/d'\n\toption account_id '21de58ae91bf3ab77e32aeb8fae95291'\n\toption secret 's'\n",
			[]string{"1: @httpdns[0]: httpdns sections need a name that records can refer to, e.g. config httpdns 'name'"}},
		{"unknown section type without a close match", "config wireguard 'w'\n",
			[]string{`1: w: unknown section type "wireguard"; known types are global, provider, record or httpdns`}},
		{"syntax errors and meaning together", "config global 'global'\n\toption log_level 'loud'\nbogus\n",
			[]string{`2: global.log_level: "loud" is not one of debug, info, warn or error`, "3: invalid command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("f", []byte(tt.in))
			if tt.want == nil {
				if err != nil || cfg == nil {
					t.Fatalf("want accepted, got %v", err)
				}
				return
			}
			if cfg != nil {
				t.Errorf("got a Config along with problems")
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, strings.TrimPrefix(p.String(), "f:"))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNormalisation(t *testing.T) {
	cfg, err := Parse("f", []byte(okProvider+"config record 'r'\n\toption provider 'p'\n\toption zone 'Example.COM.'\n\toption name 'NAS'\n\toption type 'AAAA'\n\toption device 'eth0'\n\toption suffix '::0001'\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Records[0]
	if r.Zone != "example.com" || r.Name != "nas" || r.FQDN() != "nas.example.com" || r.Key() != "p/nas.example.com/AAAA" {
		t.Errorf("zone %q name %q fqdn %q key %q", r.Zone, r.Name, r.FQDN(), r.Key())
	}
	if r.Suffix != netip.MustParseAddr("::1") {
		t.Errorf("suffix %v", r.Suffix)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"))
	var pe *os.PathError
	if !errors.As(err, &pe) {
		t.Errorf("err = %v, want a wrapped *os.PathError", err)
	}
}

func TestCheckPermissions(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "eddns")
	if err := os.WriteFile(p, []byte(okProvider), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode os.FileMode
		want []string // substrings; nil: no warning
	}{
		{0o600, nil},
		{0o400, nil},
		{0o640, []string{"0640", "its group", "chmod 600 " + p}},
		{0o604, []string{"0604", "everyone", "chmod 600"}},
		{0o644, []string{"0644", "its group and everyone"}},
	}
	for _, tt := range tests {
		if err := os.Chmod(p, tt.mode); err != nil {
			t.Fatal(err)
		}
		got := CheckPermissions(p)
		if tt.want == nil && got != "" {
			t.Errorf("mode %04o: unexpected warning %q", tt.mode, got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("mode %04o: warning %q lacks %q", tt.mode, got, w)
			}
		}
	}
	if got := CheckPermissions(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("missing file: %q", got)
	}
}

// sameProvider compares providers, settings by value (they hold a pointer).
func sameProvider(a, b Provider) bool {
	if !a.Settings.Equal(b.Settings) {
		return false
	}
	a.Settings, b.Settings = providers.Settings{}, providers.Settings{}
	return reflect.DeepEqual(a, b)
}

// settings builds provider settings from name, value pairs.
func settings(kv ...string) providers.Settings {
	m := map[string][]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = []string{kv[i+1]}
	}
	return providers.NewSettings(m)
}

func sameHTTPDNS(a, b HTTPDNS) bool {
	if !a.Secret.Equal(b.Secret) {
		return false
	}
	a.Secret, b.Secret = Secret{}, Secret{}
	return a == b
}
