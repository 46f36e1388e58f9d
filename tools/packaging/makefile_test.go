package packaging

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/target"
)

// TestMakeBuildUsesReleaseFlags keeps `make build` (the README's host
// binary) built like the packages: the Makefile cannot import target.GoFlags.
func TestMakeBuildUsesReleaseFlags(t *testing.T) {
	need(t, "make")
	cmd := exec.Command("make", "-n", "--no-print-directory", "build", "VERSION=test", "SOURCE_DATE_EPOCH=1700000000")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, out)
	}
	want := "CGO_ENABLED=0 go build " + strings.Join(target.GoFlags(), " ") + ` -ldflags "-s -w -X main.version=test -X github.com/eddns/eddns/httpc.buildEpoch=1700000000"`
	if !strings.Contains(string(out), want) {
		t.Errorf("make build runs\n%s\nwant it to contain\n%s", out, want)
	}
}
