package ipk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/eddns/eddns/tools/po2lmo"
)

// Postinst is the maintainer script OpenWrt's package-pack.mk generates: it
// does nothing when scripts are disabled or /lib/functions.sh is absent (an
// image build without base-files), and otherwise hands over to
// default_postinst, which creates Require-User users, runs uci-defaults and
// enables + starts init scripts. IPKG_INSTROOT is set during image builds.
const Postinst = `#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
# shellcheck source=/dev/null # base-files on the router
. "${IPKG_INSTROOT}/lib/functions.sh"
default_postinst "$0" "$@"
`

// Prerm mirrors Postinst for removal: default_prerm stops and disables the
// package's init scripts (disable is skipped on upgrade).
const Prerm = `#!/bin/sh
[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
# shellcheck source=/dev/null # base-files on the router
. "${IPKG_INSTROOT}/lib/functions.sh"
default_prerm "$0" "$@"
`

// DebianBinary is the content of ./debian-binary.
const DebianBinary = "2.0\n"

// entry is one member of a tar archive before it is written.
type entry struct {
	name string // "./x/y" for files, "./x/" for directories
	mode int64
	body []byte // nil for directories
}

// Build assembles the package. Relative file sources are read from baseDir;
// every timestamp is epoch (SOURCE_DATE_EPOCH), owners are 0:0.
func Build(s *Spec, baseDir string, epoch int64) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	mtime := time.Unix(epoch, 0)

	var files []entry
	for _, f := range s.Files {
		body, err := fileBody(f, baseDir)
		if err != nil {
			return nil, fmt.Errorf("ipk: %s: %w", f.Dst, err)
		}
		mode, _ := parseMode(f.Mode) // checked by Validate
		files = append(files, entry{name: "." + f.Dst, mode: mode, body: body})
	}
	dataTar, err := writeTar(withDirs(files), mtime)
	if err != nil {
		return nil, fmt.Errorf("ipk: data.tar: %w", err)
	}
	data, err := gz(dataTar)
	if err != nil {
		return nil, err
	}

	ctl := []entry{
		{name: "./control", mode: 0o644, body: []byte(s.Control(int64(len(dataTar)), epoch))},
		{name: "./postinst", mode: 0o755, body: []byte(Postinst)},
		{name: "./prerm", mode: 0o755, body: []byte(Prerm)},
	}
	if len(s.Conffiles) > 0 {
		cf := append([]string(nil), s.Conffiles...)
		sort.Strings(cf)
		ctl = append(ctl, entry{name: "./conffiles", mode: 0o644, body: []byte(strings.Join(cf, "\n") + "\n")})
	}
	for _, x := range []struct{ name, src string }{{"./postinst-pkg", s.PostinstPkg}, {"./prerm-pkg", s.PrermPkg}} {
		if x.src == "" {
			continue
		}
		src := x.src
		if !filepath.IsAbs(src) {
			src = filepath.Join(baseDir, src)
		}
		body, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("ipk: %s: %w", x.name, err)
		}
		ctl = append(ctl, entry{name: x.name, mode: 0o755, body: body})
	}
	ctlTar, err := writeTar(withDirs(ctl), mtime)
	if err != nil {
		return nil, fmt.Errorf("ipk: control.tar: %w", err)
	}
	control, err := gz(ctlTar)
	if err != nil {
		return nil, err
	}

	// ipkg-build names the three members explicitly, so they keep this
	// order (data before control) rather than a sorted one.
	outer, err := writeTar([]entry{
		{name: "./debian-binary", mode: 0o644, body: []byte(DebianBinary)},
		{name: "./data.tar.gz", mode: 0o644, body: data},
		{name: "./control.tar.gz", mode: 0o644, body: control},
	}, mtime)
	if err != nil {
		return nil, fmt.Errorf("ipk: outer tar: %w", err)
	}
	return gz(outer)
}

// fileBody is a file's content: its source file, converted when the spec
// asks for it.
func fileBody(f File, baseDir string) ([]byte, error) {
	src := f.Src
	if !filepath.IsAbs(src) {
		src = filepath.Join(baseDir, src)
	}
	st, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("source %s is not a regular file", src)
	}
	body, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	if f.Convert == ConvertPo2lmo {
		if body, err = po2lmo.Compile(body); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
	}
	return body, nil
}

// withDirs adds "./" and every parent directory, and orders the result the
// way `tar --sort=name` walks a tree: a directory, then its children sorted
// by name, depth first.
func withDirs(files []entry) []entry {
	children := map[string][]string{} // dir ("./x/") -> child names (full)
	byName := map[string]entry{"./": {name: "./", mode: 0o755}}
	for _, f := range files {
		byName[f.name] = f
		child := f.name
		for {
			// path.Dir drops the "./" prefix, so put it back.
			dir := path.Dir(strings.TrimSuffix(child, "/"))
			dirName := "./" + strings.TrimPrefix(dir+"/", "./")
			if dir == "." {
				dirName = "./"
			}
			if !contains(children[dirName], child) {
				children[dirName] = append(children[dirName], child)
			}
			if dirName == "./" {
				break
			}
			if _, ok := byName[dirName]; ok {
				break
			}
			byName[dirName] = entry{name: dirName, mode: 0o755}
			child = dirName
		}
	}
	var out []entry
	var walk func(string)
	walk = func(name string) {
		out = append(out, byName[name])
		kids := children[name]
		sort.Slice(kids, func(i, j int) bool {
			return strings.TrimSuffix(kids[i], "/") < strings.TrimSuffix(kids[j], "/")
		})
		for _, k := range kids {
			walk(k)
		}
	}
	walk("./")
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeTar writes entries with GNU headers (as `tar --format=gnu
// --numeric-owner` does): uid/gid 0, empty user and group names, whole
// second mtimes. Format is pinned so archive/tar can never fall back to PAX,
// which opkg-lede rejects.
func writeTar(entries []entry, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:    e.name,
			Mode:    e.mode,
			ModTime: mtime,
			Format:  tar.FormatGNU,
		}
		if e.body == nil {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		if e.body != nil {
			if _, err := tw.Write(e.body); err != nil {
				return nil, fmt.Errorf("%s: %w", e.name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gz compresses like `gzip -n`: no name, no timestamp, OS = Unix.
func gz(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zw.OS = 3
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("ipk: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("ipk: gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadFile returns the content a package installs for f (its source,
// converted when the spec asks for it). The .apk writer shares it.
func ReadFile(f File, baseDir string) ([]byte, error) { return fileBody(f, baseDir) }
