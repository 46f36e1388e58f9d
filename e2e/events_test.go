package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddns/eddns/events"
)

// ubusStubScript stands in for /bin/ubus. It models `ubus send` of ubus
// cli.c (ubus_cli_send, main): "send" with one or two arguments, else the
// usage text and exit status 254 (-2); `ubus call hotplug.eddns call` on a
// system whose procd has no such object ("Command failed: Not found", exit
// 4: UBUS_STATUS_NOT_FOUND), so the daemon runs the scripts itself. A sent event is appended to the log as
// "<type>\t<message>"; the test checks the message is a JSON object, as
// blobmsg_add_json_from_string would (UBUS_STATUS_PARSE_ERROR otherwise).
const ubusStubScript = `#!/bin/sh
if [ "$1 $2 $3" = "call hotplug.eddns call" ]; then
	# No procd hotplug-dispatch here: ubus's answer for a missing object.
	echo "Command failed: Not found" >&2
	exit 4
fi
if [ "$1" != send ] || [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "Usage: ubus [<options>] <command> [arguments...]" >&2
	exit 254
fi
printf '%s\t%s\n' "$2" "$3" >> "$(dirname "$0")/ubus.log"
`

// eventsEnv installs the ubus stub and a hotplug directory whose script
// appends its environment's facts to a file; it returns readers for both.
func eventsEnv(t *testing.T, e *Env) (ubusEvents func() []events.Record, hotplugLines func() []string) {
	t.Helper()
	bin := filepath.Join(e.Dir, "bin")
	hp := filepath.Join(e.Dir, "hotplug.d", "eddns")
	for _, d := range []string{bin, hp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "ubus"), []byte(ubusStubScript), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.Dir, "hotplug.out")
	// A user's notification script, as README shows (not executable:
	// hotplug-call sources it).
	script := `[ "$ACTION" = updated ] || [ "$ACTION" = created ] || [ "$ACTION" = failed ] || exit 0
echo "$ACTION $NAME $TYPE old=$OLD new=$NEW err=$ERROR" >> "` + out + `"
`
	if err := os.WriteFile(filepath.Join(hp, "50-notify"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	e.Environ = append(e.Environ, "EDDNS_UBUS="+filepath.Join(bin, "ubus"), "EDDNS_HOTPLUG_DIR="+hp)
	ubusEvents = func() []events.Record {
		b, _ := os.ReadFile(filepath.Join(bin, "ubus.log"))
		var recs []events.Record
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			typ, msg, ok := strings.Cut(line, "\t")
			if !ok {
				continue
			}
			var r events.Record
			if typ != events.UbusEvent || json.Unmarshal([]byte(msg), &r) != nil {
				t.Errorf("ubus send %q %q: not an %s event with a JSON object", typ, msg, events.UbusEvent)
				continue
			}
			recs = append(recs, r)
		}
		return recs
	}
	hotplugLines = func() []string {
		b, _ := os.ReadFile(out)
		if len(b) == 0 {
			return nil
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	return ubusEvents, hotplugLines
}

// TestEventsOut: every change of a published value reaches ubus as an
// eddns.record event and a hotplug script with old and new; an unchanged
// renewal sends nothing; a failure that needs a person (wrong credentials)
// is announced once.
func TestEventsOut(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, AliDNS)
	e.AddLink("wan0")
	ubusEvents, hotplug := eventsEnv(t, e)
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0"))
	d := e.Start()
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:1::10")
	e.NS.AddrReplace(t, "wan0", "2001:db8:1::10/64", 0, 7200)
	e.NS.AddrReplace(t, "wan0", "2001:db8:2::10/64", 3600, 7200)
	e.WaitPublished("nas6", "nas", "AAAA", "2001:db8:2::10")
	e.NS.AddrReplace(t, "wan0", "2001:db8:2::10/64", 3000, 7000) // a renewal: no event
	want := []string{
		"created nas.example.com AAAA old= new=2001:db8:1::10 err=",
		"updated nas.example.com AAAA old=2001:db8:1::10 new=2001:db8:2::10 err=",
	}
	e.WaitFor(lazy(func() any { return "two hotplug runs; have " + strings.Join(hotplug(), " | ") }), func() bool { return len(hotplug()) >= 2 })
	d.Stop() // delivers what is queued
	if got := hotplug(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hotplug script saw:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	evs := ubusEvents()
	if len(evs) != 2 || evs[1].Old != "2001:db8:1::10" || evs[1].New != "2001:db8:2::10" || evs[1].Result != "updated" ||
		evs[1].Name != "nas.example.com" || evs[1].Type != "AAAA" || evs[0].Result != "created" {
		t.Errorf("ubus events %+v, want created then updated with old and new", evs)
	}
}

// TestEventOnFailureNeedingAPerson: wrong credentials are announced once,
// with the error (which never holds the secret).
func TestEventOnFailureNeedingAPerson(t *testing.T) {
	t.Parallel()
	const wrong = "e2e-WRONG-5ca1ab1e77"
	e := NewEnv(t, AliDNS)
	ubusEvents, hotplug := eventsEnv(t, e)
	e.WriteRaw(e.Global(3600) + e.ProviderSection("p", wrong) + staticRecord("web", "2001:db8::7"))
	d := e.Start()
	e.WaitFor(lazy(func() any { return "a failure event" }), func() bool { return len(hotplug()) >= 1 })
	d.Stop()
	got := hotplug()
	if len(got) != 1 || !strings.HasPrefix(got[0], "failed www.example.com AAAA old= new=2001:db8::7 err=alidns") {
		t.Errorf("hotplug script saw %q, want one failure", got)
	}
	evs := ubusEvents()
	if len(evs) != 1 || evs[0].Result != "failed" || evs[0].Error == "" {
		t.Errorf("ubus events %+v, want one failure with its error", evs)
	}
	for _, s := range append(got, evs[0].Error) {
		if strings.Contains(s, wrong) {
			t.Errorf("the secret reached an event: %q", s)
		}
	}
}
