package packaging

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/target"
)

// TestSDKMakefileIsStatic evaluates openwrt/Makefile with minimal stand-ins
// for the SDK's rules.mk, package.mk and the feed's golang-package.mk (which
// set CGO_ENABLED=1, external linking and PIE exactly as the feed does) and
// checks that our overrides win, and that the install recipe installs every
// file from the source tree.
func TestSDKMakefileIsStatic(t *testing.T) {
	need(t, "make")
	sdk := t.TempDir()
	writeFile(t, filepath.Join(sdk, "rules.mk"), "INCLUDE_DIR:=$(TOPDIR)/include\nSOURCE_DATE_EPOCH:=1700000000\n"+
		"INSTALL_DIR:=install -d -m0755\nINSTALL_BIN:=install -m0755\nINSTALL_DATA:=install -m0644\nINSTALL_CONF:=install -m0600\n", 0o644)
	writeFile(t, filepath.Join(sdk, "include/package.mk"), `PKG_BUILD_DIR:=/build/eddns
define BuildPackage
$(info TARGET_VARS=$(GO_PKG_TARGET_VARS))
$(info LDFLAGS=$(GO_PKG_DEFAULT_LDFLAGS) $(GO_PKG_LDFLAGS))
$(info LDFLAGS_X=$(GO_PKG_LDFLAGS_X))
$(info PIE=[$(GO_PKG_ENABLE_PIE)])
$(info BUILD_PKG=$(GO_PKG_BUILD_PKG))
$(info TAGS=$(GO_PKG_TAGS))
$(info PACKAGE=$(Package/eddns))
$(info CONFFILES=$(Package/eddns/conffiles))
$(info INSTALL=$(call Package/eddns/install,/root))
endef
.PHONY: fixture
fixture:
	@true
`, 0o644)
	writeFile(t, filepath.Join(sdk, "feeds/packages/lang/golang/golang-package.mk"), `GO_ARCH_DEPENDS:=@(mipsel||x86_64)
GO_PKG_BUILD_BIN_DIR=/build/eddns/.go_work/build/bin/linux_mipsle
GO_PKG_TARGET_VARS=GOOS=linux GOARCH=mipsle GOMIPS=softfloat CGO_ENABLED=1 CC=mipsel-openwrt-linux-musl-gcc
GO_PKG_DEFAULT_LDFLAGS=-buildid '$(SOURCE_DATE_EPOCH)' -linkmode external -extldflags '-Wl,-z,now'
GO_PKG_ENABLE_PIE:=1
GoBinPackage=
`, 0o644)
	pkgDir := filepath.Join(sdk, "feeds/packages/net/eddns")
	mk := filepath.Join(repoRoot(t), "openwrt/Makefile")
	// The Makefile includes ../../lang/golang/golang-package.mk relative to
	// the feed package directory, as in openwrt/packages.
	writeFile(t, filepath.Join(pkgDir, "Makefile"), "include "+mk+"\n", 0o644)
	cmd := exec.Command("make", "--no-print-directory", "TOPDIR="+sdk, "fixture")
	cmd.Dir = pkgDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"CGO_ENABLED=0",
		"LDFLAGS=-buildid '1700000000' -s -w",
		// The build time: TLS certificates are never checked earlier.
		"github.com/eddns/eddns/httpc.buildEpoch=1700000000",
		"PIE=[]",
		"BUILD_PKG=github.com/eddns/eddns\n",
		"TAGS=\n",
		"USERID:=eddns:eddns",
		"DEPENDS:=@(mipsel||x86_64) +ca-bundle",
		"CONFFILES=/etc/config/eddns",
		"install -m0755 /build/eddns/.go_work/build/bin/linux_mipsle/eddns /root/usr/sbin/eddns",
		"install -m0755 /build/eddns/init.d/eddns /root/etc/init.d/eddns",
		"install -m0600 /build/eddns/openwrt/files/etc/config/eddns /root/etc/config/eddns",
		"/root/etc/capabilities/eddns.json",
		"install -m0644 /build/eddns/openwrt/files/usr/share/acl.d/eddns.json /root/usr/share/acl.d/eddns.json",
		"/root/etc/hotplug.d/iface/95-eddns",
		"/root/etc/hotplug.d/ntp/95-eddns",
		"/root/etc/uci-defaults/80-eddns",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("evaluated Makefile lacks %q:\n%s", want, got)
		}
	}
	// The release -gcflags reach the SDK build through GOFLAGS.
	var gc []string
	for _, f := range target.GoFlags() {
		if strings.HasPrefix(f, "-gcflags=") {
			gc = append(gc, f)
		}
	}
	if want := `GOFLAGS="` + strings.Join(gc, " ") + `"`; !strings.Contains(got, want) {
		t.Errorf("evaluated Makefile lacks %s:\n%s", want, got)
	}
	// golang-package.mk puts GO_PKG_VARS in front of its build command as
	// shell assignments; go must see the flags intact.
	for _, line := range strings.Split(got, "\n") {
		vars, ok := strings.CutPrefix(line, "TARGET_VARS=")
		if !ok {
			continue
		}
		out, err := exec.Command("sh", "-c", vars+" go env GOFLAGS").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != strings.Join(gc, " ") {
			t.Errorf("go env GOFLAGS under TARGET_VARS = %q (%v), want %q", out, err, strings.Join(gc, " "))
		}
	}
	for _, bad := range []string{"CGO_ENABLED=1", "-linkmode external", "-extldflags"} {
		if strings.Contains(got, bad) {
			t.Errorf("evaluated Makefile still has %q:\n%s", bad, got)
		}
	}
}
