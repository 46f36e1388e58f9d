package luciapp

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/eddns/eddns/config"
)

// defaultsBase has one section of every type, each with only what it
// needs, so that every option with a default applies somewhere.
var defaultsBase = map[string]string{
	"global":   "config global 'global'\n",
	"provider": "config provider 'p'\n\toption type 'alidns'\n\toption access_key_id 'LTAIexample'\n\toption access_key_secret 'secret'\n",
	"record": "config record 'r'\n\toption provider 'p'\n\toption zone 'example.com'\n\toption type 'AAAA'\n" +
		"\toption device 'eth0'\n",
	"httpdns": "config httpdns 'h'\n\toption url 'http://203.0.113.1/d'\n\toption account_id '0123456789abcdef0123456789abcdef'\n\toption secret 'secret'\n",
}

// providerBase is a minimal section of each provider type: an option with
// a default may apply to some types only.
var providerBase = map[string]string{
	"alidns":       defaultsBase["provider"],
	"tencentcloud": "config provider 'p'\n\toption type 'tencentcloud'\n\toption secret_id 'AKIDexample'\n\toption secret_key 'secret'\n",
	"qcloud_cns":   "config provider 'p'\n\toption type 'qcloud_cns'\n\toption secret_id 'AKIDexample'\n\toption secret_key 'secret'\n\toption endpoint 'https://cns.example.net/v2/index.php'\n",
	"cloudflare":   "config provider 'p'\n\toption type 'cloudflare'\n\toption api_token 'token'\n",
	"huaweicloud":  "config provider 'p'\n\toption type 'huaweicloud'\n\toption access_key_id 'AKexample'\n\toption access_key_secret 'secret'\n",
	"rfc2136":      "config provider 'p'\n\toption type 'rfc2136'\n\toption server '192.0.2.53'\n\toption key_name 'eddns'\n\toption key_secret 'c2VjcmV0c2VjcmV0c2VjcmV0'\n",
	"powerdns":     "config provider 'p'\n\toption type 'powerdns'\n\toption endpoint 'http://192.0.2.1:8081'\n\toption api_key 'key'\n",
	"webhook":      "config provider 'p'\n\toption type 'webhook'\n\toption url 'https://hooks.example.net/ddns'\n",
}

func defaultsConfig(section, extra string) string { return defaultsConfigFor("alidns", section, extra) }

func defaultsConfigFor(providerType, section, extra string) string {
	var b strings.Builder
	for _, typ := range []string{"global", "provider", "record", "httpdns"} {
		if typ == "provider" {
			b.WriteString(providerBase[providerType])
		} else {
			b.WriteString(defaultsBase[typ])
		}
		if typ == section {
			b.WriteString(extra)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// zeroPos clears every config.Pos in v: adding a line moves positions.
func zeroPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			zeroPos(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(config.Pos{}) {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				zeroPos(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			zeroPos(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			zeroPos(e)
			v.SetMapIndex(k, e)
		}
	}
}

// TestDaemonDefaultsAreTheSchemaDefaults: LuCI removes an option whose
// value equals the view's default when the option may be empty (form.js
// AbstractValue.parse: `fval == this.default && (this.optional ||
// this.rmempty)` → remove), and the view's defaults are the schema's
// (tests/lib/compare.js). So the daemon must read a missing option exactly
// as it reads the schema's default, or a LuCI save changes what it does.
func TestDaemonDefaultsAreTheSchemaDefaults(t *testing.T) {
	n := 0
	for _, sec := range config.Schema().Sections {
		for _, o := range sec.Options {
			if o.Default == "" {
				continue
			}
			n++
			ptype := "alidns"
			if ts := o.DependsOn["type"]; sec.Type == "provider" && len(ts) > 0 {
				ptype = ts[0]
			}
			if providerBase[ptype] == "" {
				t.Errorf("%s.%s: no minimal provider section of type %q in this test", sec.Type, o.Name, ptype)
				continue
			}
			base, err := config.Parse("eddns", []byte(defaultsConfigFor(ptype, "", "")))
			if err != nil {
				t.Fatalf("base config (%s): %v", ptype, err)
			}
			zeroPos(reflect.ValueOf(base))
			cfg, err := config.Parse("eddns", []byte(defaultsConfigFor(ptype, sec.Type, "\toption "+o.Name+" '"+o.Default+"'\n")))
			if err != nil {
				t.Errorf("%s.%s = %q (its default) is refused: %v", sec.Type, o.Name, o.Default, err)
				continue
			}
			zeroPos(reflect.ValueOf(cfg))
			if !reflect.DeepEqual(base, cfg) {
				t.Errorf("%s.%s: the daemon reads %q differently from a missing option (the schema's default)", sec.Type, o.Name, o.Default)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d options with defaults compared", n)
	}
}

// TestInitScriptDefaultsAreTheSchemaDefaults: init.d/eddns reads some
// global options itself (config_get VAR global OPTION DEFAULT); a missing
// option must mean the schema's default there too.
func TestInitScriptDefaultsAreTheSchemaDefaults(t *testing.T) {
	b, err := os.ReadFile("../init.d/eddns")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, sec := range config.Schema().Sections {
		if sec.Type == "global" {
			for _, o := range sec.Options {
				want[o.Name] = o.Default
			}
		}
	}
	vars := map[string]string{"$DEFAULT_STATE_DIR": ""}
	if m := regexp.MustCompile(`(?m)^DEFAULT_STATE_DIR=(\S+)$`).FindSubmatch(b); m != nil {
		vars["$DEFAULT_STATE_DIR"] = string(m[1])
	}
	re := regexp.MustCompile(`config_get(_bool)? \w+ global (\w+) "?([^"\s]*)"?`)
	seen := 0
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		opt, def := m[2], m[3]
		if v, ok := vars[def]; ok {
			def = v
		}
		seen++
		if def != want[opt] {
			t.Errorf("init.d/eddns reads a missing global.%s as %q, the schema's default is %q", opt, def, want[opt])
		}
	}
	if seen == 0 {
		t.Fatal("no config_get of a global option found in init.d/eddns")
	}
}
