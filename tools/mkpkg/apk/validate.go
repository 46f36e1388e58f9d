package apk

import (
	"fmt"
	"strings"

	"github.com/eddns/eddns/tools/mkpkg/version"
)

// ValidVersion is apk_version_validate.
func ValidVersion(v string) bool { return version.ValidAPK(v) }

// VersionCompare is apk_version_compare.
func VersionCompare(a, b string) int { return version.CompareAPK(a, b) }

// Name characters (src/ctype.c: PKGNAME; DEPNAME adds , : / [ ]).
func isNameChar(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strings.IndexByte("+-._", c) >= 0
}

// validName is name_fromstring: an alphanumeric first, then PKGNAME chars.
func validName(n string) bool {
	if n == "" || !isNameChar(n[0]) || strings.IndexByte("+-._", n[0]) >= 0 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if !isNameChar(n[i]) {
			return false
		}
	}
	return true
}

func validDepName(n string) bool {
	for i := 0; i < len(n); i++ {
		if !isNameChar(n[i]) && strings.IndexByte(",:/[]", n[i]) < 0 {
			return false
		}
	}
	return n != ""
}

// validate refuses what `apk mkpkg` would refuse, and what apk-tools would
// store but could not read back sensibly (newlines in one-line fields).
func (p *Package) validate() error {
	var errs []string
	if !validName(p.Name) {
		errs = append(errs, fmt.Sprintf("name %q is not a valid package name", p.Name))
	}
	if !ValidVersion(p.Version) {
		errs = append(errs, fmt.Sprintf("version %q is not a valid apk version (e.g. 1.2.3-r1)", p.Version))
	}
	if p.Arch == "" {
		errs = append(errs, "arch is empty")
	}
	for _, f := range []string{p.Name, p.Arch, p.License, p.Origin, p.Maintainer, p.URL, p.Description} {
		if strings.ContainsAny(f, "\n") {
			errs = append(errs, fmt.Sprintf("info field %q contains a newline", f))
		}
	}
	for name := range p.Scripts {
		ok := false
		for _, n := range scriptNames {
			ok = ok || (n == name && n != "")
		}
		if !ok {
			errs = append(errs, fmt.Sprintf("unknown script %q", name))
		}
	}
	if p.Epoch < 0 {
		errs = append(errs, "epoch (SOURCE_DATE_EPOCH) is negative")
	}
	if len(errs) > 0 {
		return fmt.Errorf("apk: %s: %s", p.Name, strings.Join(errs, "; "))
	}
	return nil
}
