package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/httpdns/httpdnstest"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
	"github.com/eddns/eddns/state"
)

// Distinctive secrets, one per secret option of the schema, so that a leak
// of any of them, from any code path, is found by substring.
const (
	leakAli     = "LEAK-alidns-7f3e9c1b2d"  // provider access_key_secret
	leakTC      = "LEAK-tencent-4a8d6e2f0b" // tencentcloud secret_key
	leakCNS     = "LEAK-cns-9b1c5d7e3a"     // qcloud_cns secret_key
	leakHTTPDNS = "LEAKhttpdnsSecret042"    // httpdns secret: 20 characters
	leakWrong   = "LEAKwrongHTTPDNS0000"    // a wrong httpdns secret
)

var allLeakSecrets = []string{leakAli, leakTC, leakCNS, leakHTTPDNS, leakWrong}

// leakWorld is a namespace with a fake of every provider type and an
// HTTPDNS fake, each accepting one of the secrets above, and a
// configuration using all of them.
type leakWorld struct {
	e       *Env
	fakes   map[Kind]providertest.Fake
	httpdns *httpdnstest.Fake
	conf    string // the good configuration
	// texts collects every output seen, by where it came from.
	texts map[string]string
}

func newLeakWorld(t *testing.T) *leakWorld {
	w := &leakWorld{e: NewEnv(t, AliDNS), fakes: map[Kind]providertest.Fake{}, texts: map[string]string{}}
	e := w.e
	e.AddLink("wan0")
	e.NS.Run(t, "ip", "addr", "add", "192.0.2.10/24", "dev", "wan0")
	secrets := map[Kind]string{AliDNS: leakAli, TencentCloud: leakTC, QcloudCNS: leakCNS}
	urls := map[Kind]string{}
	for _, k := range Kinds {
		f := NewFake(k, KeyID, secrets[k])
		f.AddZone(Zone)
		w.fakes[k] = f
		urls[k] = serveInNS(t, e.NS, f)
	}
	hf, httpdnsSection := startHTTPDNS(t, e, leakHTTPDNS, 5)
	hf.SetRecord("www."+Zone, "AAAA", netip.MustParseAddr("2001:db8::a"))
	w.httpdns = hf

	var b strings.Builder
	b.WriteString(e.Global(3600))
	fmt.Fprintf(&b, "config provider 'ali'\n\toption type 'alidns'\n\toption access_key_id '%s'\n\toption access_key_secret '%s'\n\toption endpoint '%s'\n\toption timeout '2'\n\n", KeyID, leakAli, urls[AliDNS])
	fmt.Fprintf(&b, "config provider 'tc'\n\toption type 'tencentcloud'\n\toption secret_id '%s'\n\toption secret_key '%s'\n\toption endpoint '%s'\n\toption timeout '2'\n\n", KeyID, leakTC, urls[TencentCloud])
	fmt.Fprintf(&b, "config provider 'cns'\n\toption type 'qcloud_cns'\n\toption secret_id '%s'\n\toption secret_key '%s'\n\toption endpoint '%s'\n\toption timeout '2'\n\n", KeyID, leakCNS, urls[QcloudCNS])
	b.WriteString(httpdnsSection)
	rec := func(section, provider, name, typ, extra string) {
		fmt.Fprintf(&b, "config record '%s'\n\toption provider '%s'\n\toption zone '%s'\n\toption name '%s'\n\toption type '%s'\n%s\n", section, provider, Zone, name, typ, extra)
	}
	rec("a", "ali", "www", "AAAA", "\toption source 'static'\n\toption value '2001:db8::a'\n\toption verify 'h'\n")
	rec("t", "tc", "www", "AAAA", "\toption source 'static'\n\toption value '2001:db8::b'\n")
	rec("c", "cns", "www", "AAAA", "\toption source 'static'\n\toption value '2001:db8::c'\n")
	rec("w", "tc", "gw", "A", "\toption device 'wan0'\n")
	w.conf = b.String()
	e.WriteRaw(w.conf)
	return w
}

// exec runs one command and keeps its output; want is the expected exit
// status.
func (w *leakWorld) exec(t *testing.T, want int, args ...string) Result {
	t.Helper()
	r := w.e.Exec(args...)
	w.texts[fmt.Sprintf("stdout of eddns %s", strings.Join(args, " "))] += r.Stdout
	w.texts[fmt.Sprintf("stderr of eddns %s", strings.Join(args, " "))] += r.Stderr
	if r.Code != want {
		t.Errorf("eddns %s: exit %d, want %d", strings.Join(args, " "), r.Code, want)
	}
	return r
}

// keepFiles adds status.json and the state directory to what is checked.
func (w *leakWorld) keepFiles(when string) {
	w.texts["status.json "+when] = w.e.StatusJSON()
	w.texts["state directory "+when] = w.e.StateFiles()
}

// TestNoSecretLeaks runs every command, the daemon through signals and
// faults, and the configuration checker on configurations broken in ways
// that involve the secrets, with a distinctive secret in every secret
// option, and searches all output, the daemon's log, status.json and the
// state directory for any of them.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	w := newLeakWorld(t)
	e := w.e

	// Commands before anything was published.
	if r := w.exec(t, 0, "check"); !strings.Contains(r.Stdout, "OK: 3 provider(s)") {
		t.Errorf("check on the good config: %q", r.Stdout)
	}
	if r := w.exec(t, 0, "detect"); !strings.Contains(r.Stdout, "192.0.2.10") {
		t.Errorf("detect does not show wan0's address:\n%s", r.Stdout)
	}
	w.exec(t, 0, "--dry-run", "once")

	// The daemon creates every record and verifies one through HTTPDNS
	// (after one failed query).
	w.httpdns.Faults().Push(providertest.Fault{Code: "InternalError"})
	d := e.Start()
	for _, sec := range []string{"a", "t", "c", "w"} {
		e.WaitStatus(sec, "published", func(rs state.RecordStatus) bool { return rs.Published != "" && rs.Published == rs.Desired })
	}
	e.WaitStatus("a", "verified", func(rs state.RecordStatus) bool { return strings.HasPrefix(rs.Verify, "verified") })
	w.keepFiles("after the daemon's first writes")

	// Then faults on every API with the providers' clocks 400 days behind,
	// a full check (SIGUSR1) that runs into them, the clock signal (SIGUSR2),
	// and a reload (SIGHUP).
	w.fakes[AliDNS].Faults().Push(providertest.Fault{Status: 500}, providertest.Fault{Code: "Throttling.User", Status: 400})
	w.fakes[TencentCloud].Faults().Push(providertest.Fault{Code: "AuthFailure.SignatureFailure"})
	w.fakes[QcloudCNS].Faults().Push(providertest.Fault{Status: 200, Body: `{"code":0,"data":{"rec`})
	for _, f := range w.fakes {
		f.SetNow(func() time.Time { return time.Now().Add(-400 * 24 * time.Hour) })
	}
	d.Signal(syscall.SIGUSR1)
	d.WaitLog("full check requested")
	for _, sec := range []string{"a", "t", "c"} {
		e.WaitStatus(sec, "an error from the injected faults", func(rs state.RecordStatus) bool { return rs.LastError != "" })
	}
	w.keepFiles("with errors")
	for _, f := range w.fakes {
		f.SetNow(time.Now)
	}
	d.Signal(syscall.SIGUSR2) // also retries the auth failure at once
	for _, sec := range []string{"a", "t", "c"} {
		e.WaitStatus(sec, "recovered", func(rs state.RecordStatus) bool { return rs.LastError == "" && rs.NextRetry == nil })
	}
	d.Signal(syscall.SIGHUP)
	d.WaitLog("configuration reloaded")
	d.Stop()
	w.texts["the daemon's log"] = d.Log()
	w.keepFiles("after the daemon")
	for k, f := range w.fakes {
		if n := len(f.Records(Zone)); n != 1+btoi(k == TencentCloud) {
			t.Errorf("%s fake holds %v", k, f.Records(Zone))
		}
	}

	// One-shot commands on the published state.
	w.exec(t, 0, "--log-level", "debug", "once")
	w.exec(t, 0, "status")
	if r := w.exec(t, 0, "status", "--json"); !strings.Contains(r.Stdout, `"eddns-status/1"`) {
		t.Errorf("status --json: %q", r.Stdout)
	}
	if r := w.exec(t, 0, "resolve", "www."+Zone, "--type", "AAAA", "--ttl"); !strings.Contains(r.Stdout, "2001:db8::a") {
		t.Errorf("resolve: %q", r.Stdout)
	}
	w.exec(t, 0, "resolve", "--text", "www."+Zone, "--type", "AAAA")
	w.exec(t, 0, "schema")
	w.exec(t, 0, "version")
	w.exec(t, 0, "--help")
	w.exec(t, 0, "run", "--help")
	w.keepFiles("after once")

	// A wrong HTTPDNS secret: resolve fails and says why.
	e.WriteRaw(strings.Replace(w.conf, leakHTTPDNS, leakWrong, 1))
	if r := w.exec(t, 1, "resolve", "www."+Zone); !strings.Contains(r.Stderr, "InvalidSignature") {
		t.Errorf("resolve with a wrong secret: %q", r.Stderr)
	}

	// Broken configurations, each involving a secret: every command that
	// reads the configuration refuses them with exit status 2.
	for _, bc := range []struct{ name, from, to string }{
		{"misspelled secret option", "option access_key_secret '" + leakAli + "'", "option access_key_secert '" + leakAli + "'"},
		{"secret under a made-up name", "option secret_key '" + leakTC + "'", "option secret_id_key '" + leakTC + "'\n\toption password '" + leakTC + "'"},
		{"secret given as a list", "option secret_key '" + leakCNS + "'", "list secret_key '" + leakCNS + "'\n\tlist secret_key 'x'"},
		{"secret with a line break", "option secret '" + leakHTTPDNS + "'", "option secret '" + leakHTTPDNS + "\nmore'"},
		{"secret in an unterminated quote", "option access_key_secret '" + leakAli + "'", "option access_key_secret '" + leakAli},
		{"secret with extra words", "option secret_key '" + leakTC + "'", "option secret_key '" + leakTC + "' extra"},
		{"secret of the other provider type", "option access_key_secret '" + leakAli + "'", "option secret_key '" + leakAli + "'"},
		{"broken ttl beside the secrets", "option value '2001:db8::c'", "option value '2001:db8::c'\n\toption ttl 'soon'"},
	} {
		broken := strings.Replace(w.conf, bc.from, bc.to, 1)
		if broken == w.conf {
			t.Fatalf("%s: nothing replaced", bc.name)
		}
		e.WriteRaw(broken)
		if r := w.exec(t, 2, "check"); !strings.Contains(r.Stderr, e.Config+":") {
			t.Errorf("%s: check does not point into the file: %q", bc.name, r.Stderr)
		}
		for _, args := range [][]string{{"once"}, {"--dry-run", "once"}, {"detect"}, {"status"}, {"resolve", "www." + Zone}, {"run"}} {
			w.exec(t, 2, args...)
		}
	}
	// A configuration that cannot be read at all.
	if err := os.Remove(e.Config); err != nil {
		t.Fatal(err)
	}
	w.exec(t, 2, "check")

	if len(w.texts) < 30 {
		t.Errorf("only %d outputs collected", len(w.texts))
	}
	for where, text := range w.texts {
		assertNoSecret(t, where, text, allLeakSecrets...)
	}
}

// TestSecretFormatting: a configuration's secrets print as [redacted]
// through every formatting path a log line, an error or a panic could take:
// fmt verbs, encoding/json, log/slog's text and JSON handlers, and the Go
// runtime's own panic message.
func TestSecretFormatting(t *testing.T) {
	cfg := parsedLeakConfig(t)
	p, h := cfg.Providers["ali"], cfg.HTTPDNS["h"]
	if p.Settings.Get("access_key_secret") != leakAli || h.Secret.Reveal() != leakHTTPDNS {
		t.Fatal("the configuration did not keep the secrets")
	}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		out = append(out, fmt.Sprintf(verb, p.Settings), fmt.Sprintf(verb, *p), fmt.Sprintf(verb, cfg))
	}
	for _, verb := range []string{"%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, p.Settings), fmt.Sprintf(verb, *p))
	}
	out = append(out, fmt.Sprint(p, h, cfg), fmt.Errorf("wrapped: %v", p).Error())
	for _, v := range []any{cfg, p, h, p.Settings, map[string]providers.Settings{"s": p.Settings}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json: %v", err)
		}
		out = append(out, string(b))
	}
	var buf bytes.Buffer
	for _, hd := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(hd)
		l.Info("config", "provider", p, "httpdns", h, "secret", p.Settings, "cfg", cfg)
		l.Info("group", slog.Group("g", slog.Any("p", *p), slog.String("s", p.Settings.String())))
	}
	out = append(out, buf.String())
	for _, s := range out {
		assertNoSecret(t, "formatted output", s, allLeakSecrets...)
	}
	if !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("slog output does not show the redaction:\n%s", buf.String())
	}

	// A panic in a child process: the runtime prints the panic value.
	for _, what := range []string{"secret", "provider", "error"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSecretPanicChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "EDDNS_E2E_PANIC="+what, "GOTRACEBACK=all")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		err := cmd.Run()
		if err == nil || !strings.Contains(stderr.String(), "panic:") {
			t.Fatalf("child did not panic (%v):\n%s", err, stderr.String())
		}
		assertNoSecret(t, "a panic with a "+what, stderr.String(), allLeakSecrets...)
	}
}

// TestSecretFormattingWrongVerbs: a verb that does not suit a value (%d on
// a struct, %s on a struct holding pointers) makes fmt print it as
// %!d(TYPE=VALUE) with String methods switched off; a Secret of string kind
// showed the credential itself there, so config.Secret holds a pointer.
func TestSecretFormattingWrongVerbs(t *testing.T) {
	cfg := parsedLeakConfig(t)
	p := cfg.Providers["ali"]
	for _, verb := range []string{"%d", "%s", "%q", "%x", "%t"} {
		for _, v := range []any{p.Settings, *p, p, cfg, cfg.HTTPDNS["h"]} {
			assertNoSecret(t, "fmt "+verb, fmt.Sprintf(verb, v), allLeakSecrets...)
		}
	}
}

// TestSecretPanicChild panics with a secret-bearing value when run as the
// child of TestSecretFormatting; otherwise it does nothing.
func TestSecretPanicChild(t *testing.T) {
	what := os.Getenv("EDDNS_E2E_PANIC")
	if what == "" {
		t.Skip("only run as a child of TestSecretFormatting")
	}
	cfg := parsedLeakConfig(t)
	p := cfg.Providers["ali"]
	switch what {
	case "secret":
		panic(p.Settings)
	case "provider":
		panic(*p)
	default:
		panic(fmt.Errorf("provider %+v, httpdns %+v", p, cfg.HTTPDNS["h"]))
	}
}

// parsedLeakConfig parses a configuration holding every secret option.
func parsedLeakConfig(t *testing.T) *config.Config {
	t.Helper()
	text := fmt.Sprintf("config provider 'ali'\n\toption type 'alidns'\n\toption access_key_id 'id'\n\toption access_key_secret '%s'\n\n"+
		"config provider 'tc'\n\toption type 'tencentcloud'\n\toption secret_id 'id'\n\toption secret_key '%s'\n\n"+
		"config provider 'cns'\n\toption type 'qcloud_cns'\n\toption secret_id 'id'\n\toption secret_key '%s'\n\n"+
		"config httpdns 'h'\n\toption url 'https://dns.example/sign_d'\n\toption account_id '%s'\n\toption secret '%s'\n",
		leakAli, leakTC, leakCNS, httpdnsAccount, leakHTTPDNS)
	cfg, err := config.Parse("leak.conf", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg
}
