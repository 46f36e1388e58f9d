package packaging

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/version"
)

// TestMakeVersionIsValidForBoth: the version `make` stamps on packages of
// this checkout is a valid apk version and parses as an opkg one
// (issue: 0.0.0+git.<hash> was neither ordered nor valid for apk).
func TestMakeVersionIsValidForBoth(t *testing.T) {
	need(t, "make")
	need(t, "git")
	cmd := exec.Command("make", "--no-print-directory", "-s", "version")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make version: %v\n%s", err, out)
	}
	v := strings.TrimSpace(string(out))
	if !version.ValidAPK(v + "-r1") {
		t.Errorf("make version = %q: %q is not a valid apk version", v, v+"-r1")
	}
	if strings.ContainsAny(v, ": -") || v == "" {
		t.Errorf("make version = %q: would not survive opkg's epoch:version-revision split", v)
	}
	if version.CompareOpkg(v+"-1", v+"-2") >= 0 || version.CompareAPK(v+"-r1", v+"-r2") >= 0 {
		t.Errorf("a release bump of %q is not an upgrade", v)
	}
}
