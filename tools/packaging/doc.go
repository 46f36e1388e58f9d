// Package packaging tests the OpenWrt side of eddns: the procd init script
// (run against faithful stubs of /lib/functions.sh and procd.sh), the
// hotplug scripts, the config-copy permission design, every shell script
// under shellcheck, the .ipk files `make ipk` writes, and each cross-built
// binary under qemu-user.
//
// Tests skip when a tool (busybox, shellcheck, qemu-*-static) is missing,
// except under CI=true, where a missing tool is a failure.
package packaging
