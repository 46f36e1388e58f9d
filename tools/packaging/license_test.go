package packaging

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/ipk"
)

// apacheSHA256 is the sha256 of the Apache License 2.0 text as published at
// https://www.apache.org/licenses/LICENSE-2.0.txt (Debian ships the same
// bytes as /usr/share/common-licenses/Apache-2.0).
const apacheSHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"

// TestLicense: the tree carries the full Apache-2.0 text, every package
// description and the SDK Makefile declare it, so every .ipk (License,
// LicenseFiles) and .apk (license) says so.
func TestLicense(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != apacheSHA256 {
		t.Errorf("LICENSE is not the Apache-2.0 text (sha256 %x)", sum)
	}
	for _, spec := range []string{"openwrt/eddns.json", "luci-app-eddns/ipk.json", "luci-app-eddns/i18n-zh-cn.json"} {
		s, err := ipk.LoadSpec(filepath.Join(root, spec))
		if err != nil {
			t.Fatal(err)
		}
		if s.License != "Apache-2.0" || s.LicenseFiles != "LICENSE" {
			t.Errorf("%s: license %q, license_files %q", spec, s.License, s.LicenseFiles)
		}
	}
	mk, err := os.ReadFile(filepath.Join(root, "openwrt/Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`(?m)^PKG_LICENSE:=Apache-2.0$`, `(?m)^PKG_LICENSE_FILES:=LICENSE$`} {
		if !regexp.MustCompile(re).Match(mk) {
			t.Errorf("openwrt/Makefile lacks %s", re)
		}
	}
}
