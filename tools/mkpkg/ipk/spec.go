// Package ipk writes and reads OpenWrt .ipk packages in exactly the form
// opkg-lede accepts: a gzip'd tar (GNU headers, never PAX) holding
// ./debian-binary, ./data.tar.gz and ./control.tar.gz, in that order.
//
// A package is described by data (a Spec, usually loaded from JSON) so that a
// second package is a new description file, not new code. Output is
// reproducible: the same inputs and epoch give byte-identical archives.
package ipk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Spec describes one package: its control fields, the files it installs and
// the files opkg must treat as configuration.
type Spec struct {
	Package      string   `json:"package"`
	Version      string   `json:"version"` // upstream version, without the release
	Release      string   `json:"release"`
	Architecture string   `json:"architecture"` // "all" for arch-independent packages; empty = chosen per build
	Depends      []string `json:"depends,omitempty"`
	Conflicts    []string `json:"conflicts,omitempty"`
	Provides     []string `json:"provides,omitempty"`
	Source       string   `json:"source,omitempty"`
	SourceName   string   `json:"source_name,omitempty"`
	License      string   `json:"license,omitempty"`
	LicenseFiles string   `json:"license_files,omitempty"`
	Section      string   `json:"section,omitempty"`
	RequireUser  string   `json:"require_user,omitempty"` // e.g. "eddns:eddns"; read back by default_postinst
	URL          string   `json:"url,omitempty"`
	Maintainer   string   `json:"maintainer,omitempty"`
	Description  string   `json:"description"` // first line is the summary
	Conffiles    []string `json:"conffiles,omitempty"`
	Files        []File   `json:"files"`

	// PostinstPkg and PrermPkg are optional package-specific script bodies
	// (paths to files). Like OpenWrt's package-pack.mk they are shipped as
	// postinst-pkg / prerm-pkg and sourced by default_postinst/default_prerm.
	PostinstPkg string `json:"postinst_pkg,omitempty"`
	PrermPkg    string `json:"prerm_pkg,omitempty"`
}

// File is one regular file installed by the package; Convert names a build
// step applied to its source.
type File struct {
	Src     string `json:"src"`               // path on the build host; ${VAR} is expanded
	Convert string `json:"convert,omitempty"` // "po2lmo": Src is a .po catalog, installed as LuCI's LMO
	Dst     string `json:"dst"`               // absolute path on the router
	Mode    string `json:"mode"`              // octal, e.g. "0755"
}

// ConvertPo2lmo compiles a gettext catalog the way LuCI's luci.mk does for
// its luci-i18n-* packages.
const ConvertPo2lmo = "po2lmo"

// LoadSpec reads a JSON package description. Unknown fields are errors so
// that a typo in a description cannot silently drop a control field.
func LoadSpec(file string) (*Spec, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("ipk: read spec: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("ipk: parse spec %s: %w", file, err)
	}
	return &s, nil
}

// Expand replaces ${NAME} in every file source with vars[NAME]. A reference
// to an unset variable is an error rather than an empty path.
func (s *Spec) Expand(vars map[string]string) error {
	var missing []string
	for i := range s.Files {
		s.Files[i].Src = os.Expand(s.Files[i].Src, func(k string) string {
			v, ok := vars[k]
			if !ok {
				missing = append(missing, k)
			}
			return v
		})
	}
	if len(missing) > 0 {
		return fmt.Errorf("ipk: %s: unset variable(s) %s", s.Package, strings.Join(missing, ", "))
	}
	return nil
}

// ipkg-build rejects package names outside this set.
var nameRE = regexp.MustCompile(`^[a-zA-Z0-9_.+-]+$`)

// versionRE is deliberately narrow: it keeps the file name and opkg's
// epoch:upstream-revision split unambiguous (no ':' and no '-' in either part).
var versionRE = regexp.MustCompile(`^[0-9][0-9A-Za-z.+~_]*$`)

// Validate reports every problem with the description at once.
func (s *Spec) Validate() error {
	var errs []string
	add := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if !nameRE.MatchString(s.Package) {
		add("package name %q must match %s", s.Package, nameRE)
	}
	if !versionRE.MatchString(s.Version) {
		add("version %q must match %s", s.Version, versionRE)
	}
	if !versionRE.MatchString(s.Release) {
		add("release %q must match %s", s.Release, versionRE)
	}
	if s.Architecture == "" || !nameRE.MatchString(s.Architecture) {
		add("architecture %q is missing or invalid", s.Architecture)
	}
	if strings.TrimSpace(s.Description) == "" {
		add("description is empty")
	}
	for _, d := range [][]string{s.Depends, s.Conflicts, s.Provides} {
		for _, v := range d {
			if v == "" || strings.ContainsAny(v, ",\n") {
				add("dependency %q is empty or contains ',' or a newline", v)
			}
		}
	}
	for _, v := range []string{s.Source, s.SourceName, s.License, s.LicenseFiles, s.Section, s.RequireUser, s.URL, s.Maintainer} {
		if strings.ContainsAny(v, "\n") {
			add("control field %q contains a newline", v)
		}
	}
	seen := map[string]bool{}
	for _, f := range s.Files {
		if !path.IsAbs(f.Dst) || path.Clean(f.Dst) != f.Dst || f.Dst == "/" {
			add("file destination %q must be a clean absolute path", f.Dst)
		}
		if len(f.Dst)+1 > 100 {
			// Keep every member a single plain header: no GNU long names.
			add("file destination %q is longer than 99 bytes", f.Dst)
		}
		if seen[f.Dst] {
			add("file destination %q is listed twice", f.Dst)
		}
		seen[f.Dst] = true
		if _, err := parseMode(f.Mode); err != nil {
			add("file %s: %v", f.Dst, err)
		}
		if f.Src == "" {
			add("file %s has no source", f.Dst)
		}
		if f.Convert != "" && f.Convert != ConvertPo2lmo {
			add("file %s: unknown convert %q (only %q)", f.Dst, f.Convert, ConvertPo2lmo)
		}
	}
	for _, c := range s.Conffiles {
		if !seen[c] {
			add("conffile %q is not one of the package's files", c)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("ipk: %s: %s", s.Package, strings.Join(errs, "; "))
	}
	return nil
}

func parseMode(m string) (int64, error) {
	v, err := strconv.ParseInt(m, 8, 32)
	if err != nil || v < 0 || v > 0o7777 || len(m) != 4 {
		return 0, fmt.Errorf("mode %q must be four octal digits", m)
	}
	return v, nil
}

// FullVersion is the Version control field: upstream version and release.
func (s *Spec) FullVersion() string { return s.Version + "-" + s.Release }

// FileName is the name ipkg-build gives the package file.
func (s *Spec) FileName() string {
	return s.Package + "_" + s.FullVersion() + "_" + s.Architecture + ".ipk"
}
