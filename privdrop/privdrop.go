// Package privdrop lets a daemon started as root become an unprivileged user
// that keeps exactly one capability, on every thread of the process.
//
// Why: procd applies `procd_set_param capabilities` only through ujail
// (procd service/instance.c jail_run passes it as `ujail -C`), and without
// ujail it switches user with plain initgroups/setgid/setuid
// (instance_run), which clears every capability. procd-ujail is a separate
// package, so on a default image the daemon would run with CapEff 0 and no
// NDP socket. Started as root without ujail, the daemon calls Drop itself.
//
// Capabilities, the keep-caps flag and the bounding set are per thread in
// Linux, and a Go program has several threads before main runs; every change
// is therefore made with syscall.AllThreadsSyscall (and Go's own
// Setgroups/Setgid/Setuid, which apply to all threads since Go 1.16). That
// needs a CGO_ENABLED=0 build, which is how eddns ships.
package privdrop

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Creds is the account to switch to.
type Creds struct {
	Name   string
	UID    int
	GID    int
	Groups []int // supplementary groups, as initgroups(3) would set them
}

// Drop switches every thread of the process to c and leaves it with keep
// (for eddns: CAP_NET_RAW) as its only effective and permitted capability,
// and the bounding set trimmed to keep. The inheritable and ambient sets are
// left empty: programs the daemon runs (ubus) get no capability, and
// no_new_privs stops them from gaining any through set-user-ID or file
// capabilities. Drop then reads /proc/self/task/*/status to prove that
// every thread changed, and fails if one did not.
func Drop(c Creds, keep ...uintptr) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("privdrop: switching to user %s needs root (running as uid %d)", c.Name, os.Geteuid())
	}
	last, err := lastCap()
	if err != nil {
		return err
	}
	var mask uint64
	for _, k := range keep {
		if k > last {
			return fmt.Errorf("privdrop: capability %d is unknown to this kernel (last %d)", k, last)
		}
		mask |= 1 << k
	}
	// Trim the bounding set first: dropping needs CAP_SETPCAP, which goes next.
	for cap := uintptr(0); cap <= last; cap++ {
		if mask&(1<<cap) != 0 {
			continue
		}
		if err := allThreads("drop bounding capability "+strconv.Itoa(int(cap)), unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, cap, 0); err != nil {
			return err
		}
	}
	// Keep the permitted set across setuid (otherwise the kernel clears it
	// when no uid stays 0: capabilities(7), "Effect of user ID changes").
	if err := allThreads("keep capabilities across setuid", unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 1, 0); err != nil {
		return err
	}
	if err := syscall.Setgroups(c.Groups); err != nil {
		return fmt.Errorf("privdrop: setgroups %v: %w", c.Groups, err)
	}
	// Setgid/Setuid as root set the real, effective and saved ids.
	if err := syscall.Setgid(c.GID); err != nil {
		return fmt.Errorf("privdrop: setgid %d: %w", c.GID, err)
	}
	if err := syscall.Setuid(c.UID); err != nil {
		return fmt.Errorf("privdrop: setuid %d: %w", c.UID, err)
	}
	if err := allThreads("clear keep-caps", unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 0, 0); err != nil {
		return err
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(mask), Permitted: uint32(mask)},
		{Effective: uint32(mask >> 32), Permitted: uint32(mask >> 32)},
	}
	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	runtime.KeepAlive(&hdr)
	runtime.KeepAlive(&data)
	if errno != 0 {
		return fmt.Errorf("privdrop: capset: %w", errno)
	}
	if err := allThreads("clear the ambient set", unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0); err != nil {
		return err
	}
	if err := allThreads("set no_new_privs", unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0); err != nil {
		return err
	}
	return Verify(c.UID, mask)
}

// allThreads runs a syscall on every thread; it fails under cgo, where the
// C library's threads cannot be reached.
func allThreads(what string, trap, a1, a2, a3 uintptr) error {
	if _, _, errno := syscall.AllThreadsSyscall(trap, a1, a2, a3); errno != 0 {
		if errno == syscall.ENOTSUP {
			return fmt.Errorf("privdrop: %s: not possible in a cgo build (build with CGO_ENABLED=0): %w", what, errno)
		}
		return fmt.Errorf("privdrop: %s: %w", what, errno)
	}
	return nil
}

// Verify checks every thread of this process: all uids are uid and the
// effective, permitted and bounding sets are exactly mask, and the
// inheritable and ambient sets are empty.
func Verify(uid int, mask uint64) error {
	tasks, err := filepath.Glob("/proc/self/task/*/status")
	if err != nil || len(tasks) == 0 {
		return fmt.Errorf("privdrop: cannot list this process's threads: %v", err)
	}
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			// A thread may have exited since the glob.
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
				continue
			}
			return fmt.Errorf("privdrop: %w", err)
		}
		st, err := ParseStatus(b)
		if err != nil {
			return fmt.Errorf("privdrop: %s: %w", p, err)
		}
		want := Status{UIDs: [4]int{uid, uid, uid, uid}, CapEff: mask, CapPrm: mask, CapBnd: mask}
		if st != want {
			return fmt.Errorf("privdrop: thread %s has %+v after the switch, want %+v", filepath.Base(filepath.Dir(p)), st, want)
		}
	}
	return nil
}

// Status is the credential part of /proc/PID/status (proc(5)).
type Status struct {
	UIDs                                   [4]int // real, effective, saved, filesystem
	CapInh, CapPrm, CapEff, CapBnd, CapAmb uint64
}

// ParseStatus reads the Uid and Cap* lines of a /proc/PID/status file.
func ParseStatus(b []byte) (Status, error) {
	var st Status
	seen := 0
	for _, line := range strings.Split(string(b), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		var dst *uint64
		switch key {
		case "Uid":
			f := strings.Fields(val)
			if len(f) != 4 {
				return st, fmt.Errorf("malformed Uid line %q", line)
			}
			for i := range f {
				n, err := strconv.Atoi(f[i])
				if err != nil {
					return st, fmt.Errorf("malformed Uid line %q", line)
				}
				st.UIDs[i] = n
			}
			seen++
			continue
		case "CapInh":
			dst = &st.CapInh
		case "CapPrm":
			dst = &st.CapPrm
		case "CapEff":
			dst = &st.CapEff
		case "CapBnd":
			dst = &st.CapBnd
		case "CapAmb":
			dst = &st.CapAmb
		default:
			continue
		}
		n, err := strconv.ParseUint(val, 16, 64)
		if err != nil {
			return st, fmt.Errorf("malformed %s line %q", key, line)
		}
		*dst = n
		seen++
	}
	if seen != 6 {
		return st, errors.New("missing Uid or Cap* lines")
	}
	return st, nil
}

// lastCap is the highest capability number this kernel knows.
func lastCap() (uintptr, error) {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return 0, fmt.Errorf("privdrop: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 || n > 63 {
		return 0, fmt.Errorf("privdrop: cap_last_cap %q", b)
	}
	return uintptr(n), nil
}
