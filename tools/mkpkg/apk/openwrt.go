package apk

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/eddns/eddns/tools/mkpkg/ipk"
)

// MetaDir is where OpenWrt 25.12's package-pack.mk puts a package's
// metadata files inside its payload (read by /lib/functions.sh and
// sysupgrade).
const MetaDir = "/lib/apk/packages"

// FromSpec turns a package description into the package OpenWrt's own
// build (include/package-pack.mk, the CONFIG_USE_APK branch) would make
// from the same Makefile: the same info fields, the metadata files under
// /lib/apk/packages/ and the generated maintainer scripts.
func FromSpec(s *ipk.Spec, baseDir string, epoch int64) (*Package, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	arch := s.Architecture
	if arch == "all" {
		arch = "noarch" // PKGARCH all
	}
	p := &Package{
		Name:    s.Package,
		Version: s.Version + "-r" + s.Release, // package-defaults.mk VERSION for apk
		// $(strip) of the description: whitespace runs become one space.
		Description: strings.Join(strings.Fields(s.Description), " "),
		Arch:        arch,
		License:     s.License,
		Origin:      s.Source,
		URL:         s.URL,
		Maintainer:  s.Maintainer,
		// Non-kmod packages depend on libc (package-defaults.mk) and
		// provide <name>-any (package.mk).
		Depends:  append([]string{"libc"}, s.Depends...),
		Provides: append([]string{s.Package + "-any"}, s.Provides...),
		Epoch:    epoch,
	}
	bodies := map[string][]byte{}
	for _, f := range s.Files {
		body, err := ipk.ReadFile(f, baseDir)
		if err != nil {
			return nil, fmt.Errorf("apk: %s: %w", f.Dst, err)
		}
		mode, err := parseMode(f.Mode)
		if err != nil {
			return nil, fmt.Errorf("apk: %s: %w", f.Dst, err)
		}
		p.Files = append(p.Files, File{Path: f.Dst, Mode: mode, Body: body})
		bodies[f.Dst] = body
	}
	meta := func(suffix string, body string) {
		p.Files = append(p.Files, File{Path: MetaDir + "/" + s.Package + suffix, Mode: 0o644, Body: []byte(body)})
	}
	if s.RequireUser != "" {
		meta(".rusers", s.RequireUser+"\n")
	}
	// .list: every file so far (find -type f,l | sort), not itself and not
	// the conffiles lists written after it.
	var list []string
	for _, f := range p.Files {
		list = append(list, f.Path)
	}
	sort.Strings(list)
	meta(".list", strings.Join(list, "\n")+"\n")
	if len(s.Conffiles) > 0 {
		meta(".conffiles", strings.Join(s.Conffiles, "\n")+"\n")
		var static strings.Builder
		for _, c := range s.Conffiles {
			if b, ok := bodies[c]; ok {
				sum := sha256.Sum256(b)
				fmt.Fprintf(&static, "%s %s\n", c, hex.EncodeToString(sum[:]))
			}
		}
		meta(".conffiles_static", static.String())
	}
	var err error
	p.Scripts, err = openwrtScripts(s, baseDir)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func parseMode(m string) (uint32, error) {
	var v uint32
	if len(m) != 4 {
		return 0, fmt.Errorf("mode %q must be four octal digits", m)
	}
	for _, c := range m {
		if c < '0' || c > '7' {
			return 0, fmt.Errorf("mode %q must be four octal digits", m)
		}
		v = v*8 + uint32(c-'0')
	}
	return v, nil
}

// shebang is sed '/^\s*#!/d', which package-pack.mk applies to every
// package-specific script part it splices in.
var shebang = regexp.MustCompile(`(?m)^[ \t\r\f\v]*#!.*(\n|$)`)

func dropShebangs(s string) string { return shebang.ReplaceAllString(s, "") }

func readPart(src, baseDir string) (string, error) {
	if src == "" {
		return "", nil
	}
	if !filepath.IsAbs(src) {
		src = filepath.Join(baseDir, src)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("apk: script part: %w", err)
	}
	return dropShebangs(string(b)), nil
}

// openwrtScripts are package-pack.mk's post-install, post-upgrade and
// pre-deinstall: they call add_group_and_user, default_postinst and
// default_prerm from /lib/functions.sh with $pkgname (not "$0 $@" as the
// opkg scripts do), followed by the package's own postinst / prerm part.
func openwrtScripts(s *ipk.Spec, baseDir string) (map[string]string, error) {
	post, err := readPart(s.PostinstPkg, baseDir)
	if err != nil {
		return nil, err
	}
	prerm, err := readPart(s.PrermPkg, baseDir)
	if err != nil {
		return nil, err
	}
	install := "#!/bin/sh\n" +
		"[ \"${IPKG_NO_SCRIPT}\" = \"1\" ] && exit 0\n" +
		"[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n" +
		". ${IPKG_INSTROOT}/lib/functions.sh\n" +
		"export root=\"${IPKG_INSTROOT}\"\n" +
		"export pkgname=\"" + s.Package + "\"\n" +
		"add_group_and_user\n" +
		"default_postinst\n" + post
	deinstall := "#!/bin/sh\n" +
		"[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n" +
		". ${IPKG_INSTROOT}/lib/functions.sh\n" +
		"export root=\"${IPKG_INSTROOT}\"\n" +
		"export pkgname=\"" + s.Package + "\"\n" +
		"default_prerm\n" + prerm
	return map[string]string{
		"post-install":  install,
		"post-upgrade":  "#!/bin/sh\nexport PKG_UPGRADE=1\n" + dropShebangs(install),
		"pre-deinstall": deinstall,
	}, nil
}
