// Package target maps OpenWrt package architectures to the Go settings that
// build a static binary for them, following openwrt/packages
// lang/golang/golang-values.mk (MIPS without an FPU is softfloat, ARM with a
// "+neon-vfpv4"-style FPU is GOARM=7, Cortex-A53 is GOARM64=v8.0, x86_64 is
// GOAMD64=v1).
package target

import (
	"fmt"
	"sort"
	"strings"
)

// Target is one OpenWrt architecture and how to build for it.
type Target struct {
	Arch   string   // OpenWrt package architecture, e.g. "mipsel_24kc"
	GOARCH string   // Go architecture
	Env    []string // extra Go environment, e.g. "GOMIPS=softfloat"
	QEMU   string   // qemu-user binary that runs it ("" = runs natively on amd64)
}

// all is kept in a function so that no caller can mutate shared state.
func all() []Target {
	return []Target{
		{Arch: "mipsel_24kc", GOARCH: "mipsle", Env: []string{"GOMIPS=softfloat"}, QEMU: "qemu-mipsel-static"},
		{Arch: "mips_24kc", GOARCH: "mips", Env: []string{"GOMIPS=softfloat"}, QEMU: "qemu-mips-static"},
		{Arch: "arm_cortex-a7_neon-vfpv4", GOARCH: "arm", Env: []string{"GOARM=7"}, QEMU: "qemu-arm-static"},
		{Arch: "aarch64_cortex-a53", GOARCH: "arm64", Env: []string{"GOARM64=v8.0"}, QEMU: "qemu-aarch64-static"},
		{Arch: "aarch64_generic", GOARCH: "arm64", Env: []string{"GOARM64=v8.0"}, QEMU: "qemu-aarch64-static"},
		{Arch: "x86_64", GOARCH: "amd64", Env: []string{"GOAMD64=v1"}},
	}
}

// All returns every supported target, in a fixed order.
func All() []Target { return all() }

// Lookup returns the target for an OpenWrt architecture name.
func Lookup(arch string) (Target, error) {
	for _, t := range all() {
		if t.Arch == arch {
			return t, nil
		}
	}
	var names []string
	for _, t := range all() {
		names = append(names, t.Arch)
	}
	sort.Strings(names)
	return Target{}, fmt.Errorf("target: unknown architecture %q (known: %s)", arch, strings.Join(names, " "))
}

// BuildEnv is the complete environment (on top of the caller's) for a
// static cross build: no cgo, so no libc and no external linker.
func (t Target) BuildEnv() []string {
	return append([]string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + t.GOARCH}, t.Env...)
}

// GoFlags are the `go build` flags of every release binary, besides
// -ldflags. Inlining is off (-l) except in the runtime and crypto: on
// mipsle that takes about 0.45 MB off the stripped binary, which the
// DESIGN.md size target needs, while TLS handshakes on slow MIPS cores keep
// their speed. The e2e tests and the benchmark build with the same flags,
// so what they measure is what ships.
func GoFlags() []string {
	return []string{
		"-trimpath", "-buildvcs=false",
		"-gcflags=all=-l",
		"-gcflags=runtime=",
		"-gcflags=crypto/...=",
		"-gcflags=vendor/golang.org/x/crypto/...=",
	}
}
