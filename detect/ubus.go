package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ubusTimeout bounds one ubus call; netifd answers in milliseconds.
const ubusTimeout = 5 * time.Second

// Exit statuses of the ubus CLI (libubus's UBUS_STATUS_*): NOT_FOUND for an
// unknown interface, PERMISSION_DENIED when ubusd's ACLs do not let this
// user call the method.
const (
	ubusStatusNotFound         = 4
	ubusStatusPermissionDenied = 6
)

// ResolveNetwork returns the Linux device behind an OpenWrt logical
// interface (UCI `option network 'wan6'`), as netifd reports it:
// `ubus call network.interface status {"interface":"<name>"}`, field
// l3_device, or device when there is no l3_device. It fails when ubus is not
// installed, when netifd does not know the interface, or when the interface
// is down.
func ResolveNetwork(ctx context.Context, name string) (string, error) {
	path, err := exec.LookPath("ubus")
	if err != nil {
		return "", errors.New("ubus not found: option network needs OpenWrt's ubus; use option device instead")
	}
	arg, err := json.Marshal(map[string]string{"interface": name})
	if err != nil {
		return "", fmt.Errorf("network %q: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, ubusTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, "call", "network.interface", "status", string(arg))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			switch ee.ExitCode() {
			case ubusStatusNotFound:
				return "", fmt.Errorf("network %q: no such interface (ubus: not found)", name)
			case ubusStatusPermissionDenied:
				return "", fmt.Errorf("network %q: ubusd denied network.interface status to this user; "+
					"/usr/share/acl.d/eddns.json (installed with eddns) grants it once ubusd has reloaded: "+
					"killall -HUP ubusd, or use option device", name)
			}
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, firstLine(msg))
		}
		return "", fmt.Errorf("network %q: ubus call network.interface status: %w", name, err)
	}
	return parseIfStatus(name, stdout.Bytes())
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
