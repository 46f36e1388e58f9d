package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ubusTimeout bounds one ubus call; netifd answers in milliseconds.
const ubusTimeout = 5 * time.Second

// ubusPath is the ubus CLI, by absolute path: ujail starts the daemon with
// an environment holding only container=ujail (procd jail/jail.c), so there
// is no PATH to look it up in. A variable so that tests can point it at a
// stand-in.
var ubusPath = UbusPath

// Exit statuses of `ubus call` (ubus cli.c). A failed lookup of the object
// returns libubus's UBUS_STATUS_* as is (main: "Command failed: <strerror>",
// exit N); a failed invoke goes through ubus_cli_error, which prints
// "Command failed: ubus call ... (<strerror>)" and returns -N, so the shell
// sees 256-N. Failing to connect to ubusd returns -1. The status numbers are
// enum ubus_msg_status in ubusmsg.h, the words libubus.c __ubus_strerror.
const (
	ubusExitLookupNotFound   = 4       // UBUS_STATUS_NOT_FOUND from the lookup: no such object
	ubusExitNotFound         = 256 - 4 // invoke: netifd knows no such interface, or see below
	ubusExitPermissionDenied = 256 - 6 // invoke: ubusd's ACL refuses this method
	ubusExitTimeout          = 256 - 7 // invoke: UBUS_STATUS_TIMEOUT
	ubusExitNoConnection     = 256 - 1 // "Failed to connect to ubus"
)

// aclHint says how the daemon's ubus permission is granted.
const aclHint = "/usr/share/acl.d/eddns.json (installed with eddns) grants it once ubusd has reloaded: " +
	"killall -HUP ubusd, or use option device"

// ResolveNetwork returns the Linux device behind an OpenWrt logical
// interface (UCI `option network 'wan6'`), as netifd reports it:
// `ubus call network.interface status {"interface":"<name>"}`, field
// l3_device, or device when there is no l3_device. It fails when ubus is not
// installed, when netifd does not know the interface, or when the interface
// is down.
func ResolveNetwork(ctx context.Context, name string) (string, error) {
	if _, err := os.Stat(ubusPath); err != nil {
		return "", fmt.Errorf("%s not found: option network needs OpenWrt's ubus; use option device instead", ubusPath)
	}
	arg, err := json.Marshal(map[string]string{"interface": name})
	if err != nil {
		return "", fmt.Errorf("network %q: %w", name, err)
	}
	stdout, code, msg, err := runUbus(ctx, "call", "network.interface", "status", string(arg))
	switch {
	case err != nil:
		return "", fmt.Errorf("network %q: ubus call network.interface status: %w", name, err)
	case code == 0:
		return parseIfStatus(name, stdout)
	case code == ubusExitNotFound && !objectVisible(ctx, "network.interface"):
		// ubusd hides an object from a lookup when its ACL allows the
		// caller none of the object's methods (ubusd_proto.c
		// ubusd_send_obj); the CLI then invokes an id that does not
		// exist and reports "Not found" (252), not "Permission denied".
		// `ubus list` shows the same hiding, which tells the two apart.
		return "", fmt.Errorf("network %q: ubusd hides network.interface from this user (its ACL); %s", name, aclHint)
	case code == ubusExitNotFound:
		return "", fmt.Errorf("network %q: no such interface (ubus: not found)", name)
	case code == ubusExitPermissionDenied:
		return "", fmt.Errorf("network %q: ubusd denied network.interface status to this user; %s", name, aclHint)
	case code == ubusExitLookupNotFound:
		return "", fmt.Errorf("network %q: ubus has no network.interface object (is netifd running?)", name)
	case code == ubusExitNoConnection:
		return "", fmt.Errorf("network %q: cannot connect to ubusd (in ujail the ubus socket must be mounted): %s", name, msg)
	case code == ubusExitTimeout:
		return "", fmt.Errorf("network %q: netifd did not answer within %v", name, ubusTimeout)
	default:
		return "", fmt.Errorf("network %q: ubus call network.interface status: exit status %d: %s", name, code, msg)
	}
}

// objectVisible reports whether `ubus list OBJ` names it: ubusd lists only
// objects the caller may call at least one method of.
func objectVisible(ctx context.Context, object string) bool {
	out, code, _, err := runUbus(ctx, "list", object)
	if err != nil || code != 0 {
		return false
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(l) == object {
			return true
		}
	}
	return false
}

// runUbus runs the ubus CLI. It returns stdout, the exit status and the
// first line of stderr; err only when ubus could not be run at all.
func runUbus(ctx context.Context, args ...string) (stdout []byte, code int, msg string, err error) {
	return runUbusAt(ctx, ubusPath, args...)
}

// runUbusAt is runUbus with the CLI at path.
func runUbusAt(ctx context.Context, path string, args ...string) (stdout []byte, code int, msg string, err error) {
	ctx, cancel := context.WithTimeout(ctx, ubusTimeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	msg = firstLine(strings.TrimSpace(stderr.String()))
	if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.Exited() {
		return out.Bytes(), ee.ExitCode(), msg, nil
	}
	if err != nil {
		if msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, -1, msg, err
	}
	return out.Bytes(), 0, msg, nil
}

// ifStatus is the part of netifd's interface status (ubus.c
// netifd_dump_status) that names the device.
type ifStatus struct {
	Up       *bool  `json:"up"`
	L3Device string `json:"l3_device"`
	Device   string `json:"device"`
}

// parseIfStatus extracts the device from the JSON that
// `ubus call network.interface status` prints.
func parseIfStatus(name string, b []byte) (string, error) {
	var st ifStatus
	if err := json.Unmarshal(b, &st); err != nil {
		return "", fmt.Errorf("network %q: unreadable interface status: %w", name, err)
	}
	if st.Up == nil {
		return "", fmt.Errorf("network %q: interface status has no \"up\" field", name)
	}
	if !*st.Up {
		return "", fmt.Errorf("network %q: interface is down", name)
	}
	dev := st.L3Device
	if dev == "" {
		dev = st.Device
	}
	if dev == "" {
		return "", fmt.Errorf("network %q: interface is up but has no device", name)
	}
	if !validDeviceName(dev) {
		return "", fmt.Errorf("network %q: netifd reported an invalid device name %q", name, dev)
	}
	return dev, nil
}

// validDeviceName applies the kernel's rules for interface names
// (dev_valid_name): 1 to 15 bytes, not "." or "..", no '/', ':' or space.
func validDeviceName(s string) bool {
	if len(s) == 0 || len(s) > 15 || s == "." || s == ".." {
		return false
	}
	for _, c := range []byte(s) {
		if c == '/' || c == ':' || c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
