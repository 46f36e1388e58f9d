package target

import (
	"reflect"
	"testing"
)

// The expected settings are the ones golang-values.mk derives for each
// OpenWrt architecture (see the package comment).
func TestBuildEnv(t *testing.T) {
	tests := []struct {
		arch string
		want []string
	}{
		{"mipsel_24kc", []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=mipsle", "GOMIPS=softfloat"}},
		{"mips_24kc", []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=mips", "GOMIPS=softfloat"}},
		{"arm_cortex-a7_neon-vfpv4", []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm", "GOARM=7"}},
		{"aarch64_cortex-a53", []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "GOARM64=v8.0"}},
		{"aarch64_generic", []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "GOARM64=v8.0"}},
		{"x86_64", []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOAMD64=v1"}},
	}
	for _, tt := range tests {
		tg, err := Lookup(tt.arch)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tt.arch, err)
			continue
		}
		if got := tg.BuildEnv(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: BuildEnv = %q, want %q", tt.arch, got, tt.want)
		}
	}
	if len(All()) != len(tests) {
		t.Errorf("All() has %d targets, the table above %d", len(All()), len(tests))
	}
}

func TestLookupUnknown(t *testing.T) {
	if _, err := Lookup("sparc_v8"); err == nil {
		t.Fatal("unknown architecture accepted")
	}
}

func TestAllIsACopy(t *testing.T) {
	a := All()
	a[0].Arch = "changed"
	if All()[0].Arch == "changed" {
		t.Fatal("All returns shared state")
	}
}
