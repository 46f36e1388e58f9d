package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseIfStatus(t *testing.T) {
	tests := []struct {
		fixture string
		want    string // device, or "" for an error
		errHas  string
	}{
		{"ifstatus_wan6_pppoe.json", "pppoe-wan", ""}, // wan6 on '@wan': l3_device, not "@wan"
		{"ifstatus_lan.json", "br-lan", ""},
		{"ifstatus_wan_dhcp_no_l3.json", "wan", ""}, // falls back to device
		{"ifstatus_wan6_down.json", "", "is down"},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseIfStatus("x", b)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("got %q, %v; want error containing %q", got, err, tc.errHas)
			}
		})
	}
}

func TestParseIfStatusMalformed(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `{"l3_device":"eth0"}`, `{"up":true}`, `{"up":true,"l3_device":"../etc"}`,
		`{"up":true,"device":"a-name-longer-than-15"}`, `{"up":true,"device":"eth 0"}`, `{"up":"yes","device":"eth0"}`,
	} {
		if dev, err := parseIfStatus("wan", []byte(body)); err == nil {
			t.Errorf("%s: accepted %q", body, dev)
		}
	}
}

// fakeUbus installs a stand-in for /bin/ubus that answers like the real
// CLI (ubus cli.c) talking to netifd and ubusd, and points ubusPath at it.
// It prints the fixture for interface wan6. Everything else fails with the
// real exit status and stderr; acl chooses what ubusd's ACL does:
//
//   - "allow": network.interface is callable. An unknown interface:
//     netifd's status handler returns UBUS_STATUS_NOT_FOUND (netifd ubus.c),
//     the CLI's ubus_cli_error prints "Command failed: ubus call ...
//     (Not found)" and returns -4: exit 252 (stderr is not a tty here).
//   - "hide": the ACL grants none of the object's methods, so ubusd leaves
//     it out of lookups (ubusd_proto.c ubusd_send_obj): `ubus list
//     network.interface` prints nothing and exits 0, and `ubus call` ends
//     in the same "(Not found)", exit 252.
//   - "method": the object is visible (another method allowed) but status
//     is not: ubusd_handle_invoke returns UBUS_STATUS_PERMISSION_DENIED,
//     exit 250 "(Permission denied)".
//   - "noobject": no network.interface at all (netifd not running): the
//     lookup fails, main prints "Command failed: Not found", exit 4.
//   - "nosocket": ubus_connect fails: "Failed to connect to ubus", exit 255.
//
// The script uses no PATH (the jail has none): only shell built-ins.
func fakeUbus(t *testing.T, fixture, acl string) {
	t.Helper()
	dir := t.TempDir()
	abs, err := filepath.Abs(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	script := `#!/bin/sh
acl='` + acl + `'
[ "$acl" = nosocket ] && { echo "Failed to connect to ubus" >&2; exit 255; }
if [ "$1 $2" = "list network.interface" ]; then
	case "$acl" in allow|method) echo network.interface ;; noobject) echo "Command failed: Not found" >&2; exit 4 ;; esac
	exit 0
fi
[ "$1 $2 $3" = "call network.interface status" ] || { echo "usage" >&2; exit 2; }
failed() { echo "Command failed: ubus call network.interface status $4 ($1)" >&2; }
case "$acl" in
noobject) echo "Command failed: Not found" >&2; exit 4 ;;
hide) failed "Not found" "$@"; exit 252 ;;
method) failed "Permission denied" "$@"; exit 250 ;;
esac
case "$4" in
'{"interface":"wan6"}') while IFS= read -r l; do printf '%s\n' "$l"; done < '` + abs + `' ;;
*) failed "Not found" "$@"; exit 252 ;;
esac
`
	path := filepath.Join(dir, "ubus")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	old := ubusPath
	ubusPath = path
	t.Cleanup(func() { ubusPath = old })
}

// emptyEnv runs the rest of the test with no environment at all, the way
// ujail starts the daemon (only container=ujail: procd jail/jail.c).
func emptyEnv(t *testing.T) {
	t.Helper()
	saved := os.Environ()
	os.Clearenv()
	os.Setenv("container", "ujail")
	t.Cleanup(func() {
		os.Clearenv()
		for _, kv := range saved {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
	})
}

func TestResolveNetwork(t *testing.T) {
	fakeUbus(t, "ifstatus_wan6_pppoe.json", "allow")
	emptyEnv(t)
	dev, err := ResolveNetwork(context.Background(), "wan6")
	if err != nil || dev != "pppoe-wan" {
		t.Fatalf("wan6 = %q, %v; want pppoe-wan", dev, err)
	}
	_, err = ResolveNetwork(context.Background(), "nope")
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "no such interface") {
		t.Fatalf("unknown interface: %v", err)
	}
}

func TestResolveNetworkUbusFailures(t *testing.T) {
	for _, tc := range []struct{ acl, want string }{
		{"hide", "hides network.interface from this user"},
		{"method", "denied network.interface status"},
		{"noobject", "no network.interface object"},
		{"nosocket", "cannot connect to ubusd"},
	} {
		t.Run(tc.acl, func(t *testing.T) {
			fakeUbus(t, "ifstatus_lan.json", tc.acl)
			_, err := ResolveNetwork(context.Background(), "wan6")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if tc.acl == "hide" || tc.acl == "method" {
				if !strings.Contains(err.Error(), "acl.d/eddns.json") {
					t.Errorf("no hint about the ACL file: %v", err)
				}
			}
		})
	}
}

// TestUbusACLGrantsTheCall keeps the package's ubusd ACL and the calls the
// daemon makes in step: the unprivileged daemon may call exactly
// network.interface status (ResolveNetwork), dhcp ipv6leases
// (ReadDHCPv6Leases), dhcp ipv4leases (ReadDHCPv4Leases) and hotplug.eddns call (events), send the event
// eddns.record (events), and nothing else.
func TestUbusACLGrantsTheCall(t *testing.T) {
	b, err := os.ReadFile("../openwrt/files/usr/share/acl.d/eddns.json")
	if err != nil {
		t.Fatal(err)
	}
	var acl struct {
		User   string                         `json:"user"`
		Access map[string]map[string][]string `json:"access"`
		Send   []string                       `json:"send"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // no publish/subscribe/listen grants
	if err := dec.Decode(&acl); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string][]string{
		"network.interface": {"methods": {"status"}},
		"dhcp":              {"methods": {"ipv4leases", "ipv6leases"}},
		"hotplug.eddns":     {"methods": {"call"}},
	}
	if acl.User != "eddns" || !reflect.DeepEqual(acl.Access, want) || !reflect.DeepEqual(acl.Send, []string{"eddns.record"}) {
		t.Errorf("ACL grants %q %v, send %v; want user eddns with %v, send [eddns.record]", acl.User, acl.Access, acl.Send, want)
	}
	// What the daemon actually runs (the fake ubus refuses anything else).
	fakeUbus(t, "ifstatus_lan.json", "allow")
	if _, err := ResolveNetwork(context.Background(), "wan6"); err != nil {
		t.Fatalf("the call the ACL is for: %v", err)
	}
}

func TestResolveNetworkWithoutUbus(t *testing.T) {
	old := ubusPath
	ubusPath = filepath.Join(t.TempDir(), "ubus")
	t.Cleanup(func() { ubusPath = old })
	_, err := ResolveNetwork(context.Background(), "wan6")
	want := ubusPath + " not found: option network needs OpenWrt's ubus; use option device instead"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// FuzzParseIfStatus: whatever ubus prints, the parser must not panic and may
// only return a name the kernel would accept as a device name.
func FuzzParseIfStatus(f *testing.F) {
	for _, name := range []string{"ifstatus_wan6_pppoe.json", "ifstatus_lan.json", "ifstatus_wan6_down.json", "ifstatus_wan_dhcp_no_l3.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"up":true,"device":"eth0/1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dev, err := parseIfStatus("wan", b)
		if err == nil && !validDeviceName(dev) {
			t.Fatalf("returned invalid device %q", dev)
		}
	})
}
