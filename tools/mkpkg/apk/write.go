package apk

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Package is everything an .apk holds: the info fields, the tree and the
// maintainer scripts.
type Package struct {
	Name, Version, Description, Arch, License, Origin, Maintainer, URL string
	Depends, Provides                                                  []string // "name" or "name>=1.0"
	Files                                                              []File   // regular files; directories are implied
	Scripts                                                            map[string]string
	Epoch                                                              int64 // SOURCE_DATE_EPOCH: every mtime
}

// File is one regular file of the tree, owned by root:root.
type File struct {
	Path string // absolute, e.g. "/etc/config/eddns"
	Mode uint32 // permission bits
	Body []byte
}

// FileName is the name OpenWrt gives the package: <name>-<version>.apk
// (include/package-pack.mk), no architecture in it.
func (p *Package) FileName() string { return p.Name + "-" + p.Version + ".apk" }

// dir is one directory of the tree with its files, sorted by name.
type dir struct {
	name  string // "" for the root, else "etc/config"
	files []File
}

// tree groups the files by directory and adds every parent directory, as
// an OpenWrt IDIR has them (each made by install -d, so 0755 root:root).
func tree(files []File) ([]dir, error) {
	byDir := map[string][]File{"": nil}
	seen := map[string]bool{}
	for _, f := range files {
		if !path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || f.Path == "/" {
			return nil, fmt.Errorf("apk: file path %q must be a clean absolute path", f.Path)
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("apk: file %s listed twice", f.Path)
		}
		seen[f.Path] = true
		d := strings.TrimPrefix(path.Dir(f.Path), "/")
		byDir[d] = append(byDir[d], f)
		for p := d; p != "" && p != "."; p = path.Dir(p) {
			if _, ok := byDir[p]; !ok {
				byDir[p] = nil
			}
			if !strings.Contains(p, "/") {
				break
			}
		}
	}
	for f := range seen {
		if _, ok := byDir[strings.TrimPrefix(f, "/")]; ok {
			return nil, fmt.Errorf("apk: %s is both a file and a directory", f)
		}
	}
	var out []dir
	for name, fs := range byDir {
		sort.Slice(fs, func(i, j int) bool { return path.Base(fs[i].Path) < path.Base(fs[j].Path) })
		out = append(out, dir{name: name, files: fs})
	}
	// mkpkg processes the root first, then the directories in strcmp order.
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// Stream returns the uncompressed ADB stream (what `apk mkpkg
// --compression none` writes, and what a deflated .apk inflates to).
func (p *Package) Stream() ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	dirs, err := tree(p.Files)
	if err != nil {
		return nil, err
	}
	a := newArena()

	// Info fields, in field order (assign_fields in app_mkpkg.c).
	var info object
	for _, f := range []struct {
		id  int
		val string
	}{
		{piName, p.Name}, {piVersion, p.Version}, {piDescription, p.Description},
		{piArch, p.Arch}, {piLicense, p.License}, {piOrigin, p.Origin},
		{piMaintainer, p.Maintainer}, {piURL, p.URL},
	} {
		info.set(f.id, a.str(f.val))
	}
	for _, f := range []struct {
		id   int
		deps []string
	}{{piDepends, p.Depends}, {piProvides, p.Provides}} {
		if len(f.deps) == 0 {
			continue
		}
		v, err := a.dependencies(f.deps)
		if err != nil {
			return nil, err
		}
		info.set(f.id, v)
	}

	// The tree (mkpkg_process_directory / mkpkg_process_dirent).
	var installed uint64
	var paths object
	for _, d := range dirs {
		var files object
		for _, f := range d.files {
			var fo, acl object
			fo.set(fiName, a.str(path.Base(f.Path)))
			sum := sha256.Sum256(f.Body)
			fo.set(fiHash, a.blob(sum[:]))
			fo.set(fiMtime, a.integer(uint64(p.Epoch)))
			fo.set(fiSize, a.integer(uint64(len(f.Body))))
			acl.set(aclMode, a.integer(uint64(f.Mode&0o7777)))
			acl.set(aclUser, a.str("root"))
			acl.set(aclGroup, a.str("root"))
			fo.set(fiACL, a.write(&acl, typeObject))
			files.add(a.write(&fo, typeObject))
			installed += uint64(len(f.Body))
		}
		var do, acl object
		do.set(diName, a.str(d.name))
		acl.set(aclMode, a.integer(0o755))
		acl.set(aclUser, a.str("root"))
		acl.set(aclGroup, a.str("root"))
		do.set(diACL, a.write(&acl, typeObject))
		a.sortByName(&files)
		do.set(diFiles, a.write(&files, typeObject))
		paths.add(a.write(&do, typeObject))
	}
	if installed == 0 && (len(p.Files) > 0 || len(p.Scripts) > 0) {
		installed = 1
	}
	info.set(piInstalledSize, a.integer(installed))
	info.set(piHashes, a.blobWith(make([]byte, 20), false)) // unique id, filled in below
	idOff := int(info.slots[piHashes]&valueMask) + 1

	var pkg object
	pkg.set(pkgInfo, a.write(&info, typeObject))
	a.sortByName(&paths)
	pkg.set(pkgPaths, a.write(&paths, typeObject))
	if len(p.Scripts) > 0 {
		var sc object
		for id, name := range scriptNames {
			if id > 0 {
				sc.set(id, a.str(p.Scripts[name]))
			}
		}
		pkg.set(pkgScripts, a.write(&sc, typeObject))
	}
	root := a.write(&pkg, typeObject)
	binary.LittleEndian.PutUint32(a.buf[4:], root)
	sum := sha256.Sum256(a.buf)
	copy(a.buf[idOff:idOff+20], sum[:20])

	var out bytes.Buffer
	out.Write(binary.LittleEndian.AppendUint32(nil, formatMagic))
	out.Write(binary.LittleEndian.AppendUint32(nil, SchemaPackage))
	writeBlock(&out, blockADB, a.buf)
	// One DATA block per non-empty regular file, in (path, file) order;
	// the indices are 1-based slots of the sorted arrays.
	for i, d := range dirs {
		for j, f := range d.files {
			if len(f.Body) == 0 {
				continue
			}
			hdr := binary.LittleEndian.AppendUint32(nil, uint32(i+1))
			hdr = binary.LittleEndian.AppendUint32(hdr, uint32(j+1))
			writeBlock(&out, blockData, append(hdr, f.Body...))
		}
	}
	return out.Bytes(), nil
}

// Build returns the package file: "ADBd" and the raw-deflated stream,
// the compression OpenWrt's apk (built without zstd) reads.
func (p *Package) Build() ([]byte, error) {
	s, err := p.Stream()
	if err != nil {
		return nil, err
	}
	return Deflate(s)
}

// Deflate wraps an ADB stream the way adb_compress does by default.
func Deflate(stream []byte) ([]byte, error) {
	var out bytes.Buffer
	out.WriteString("ADBd")
	zw, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(stream); err != nil {
		return nil, fmt.Errorf("apk: deflate: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("apk: deflate: %w", err)
	}
	return out.Bytes(), nil
}

// writeBlock is adb_c_block: a u32 of type<<30 | (4 + length), the
// payload, zero padding to 8 bytes.
func writeBlock(w *bytes.Buffer, typ uint32, payload []byte) {
	w.Write(binary.LittleEndian.AppendUint32(nil, typ<<30|uint32(4+len(payload))))
	w.Write(payload)
	for n := 4 + len(payload); n%8 != 0; n++ {
		w.WriteByte(0)
	}
}

// dependencies writes a dependency array the way schema_dependency_array's
// fromstring does: each "name[op version]" as an object {name, version,
// match}, match omitted for "=", then sorted and deduplicated. Written
// through adb_w_obj, the array carries the OBJECT tag.
func (a *arena) dependencies(deps []string) (uint32, error) {
	var arr object
	for _, d := range deps {
		name, op, ver, err := parseDep(d)
		if err != nil {
			return 0, err
		}
		var o object
		o.set(depName, a.str(name))
		if op != 0 {
			o.set(depVersion, a.str(ver))
			if op != opEqual {
				o.set(depMatch, a.integer(uint64(op)))
			}
		}
		arr.add(a.write(&o, typeObject))
	}
	if len(arr.slots) > 2 {
		a.sortByNameVersion(&arr)
		uniq := arr.slots[:2]
		for _, v := range arr.slots[2:] {
			if v != uniq[len(uniq)-1] {
				uniq = append(uniq, v)
			}
		}
		arr.slots = uniq
	}
	return a.write(&arr, typeObject), nil
}

// Version match bits (src/apk_version.h).
const (
	opEqual    = 1
	opLess     = 2
	opGreater  = 4
	opFuzzy    = 8
	opConflict = 16
)

// parseDep splits "name", "name>=1.0", "!name" (apk_dep_parse); op 0 = any
// version.
func parseDep(d string) (name string, op int, ver string, err error) {
	s := d
	if strings.HasPrefix(s, "!") {
		return "", 0, "", fmt.Errorf("apk: dependency %q: conflicts are not supported here", d)
	}
	i := strings.IndexAny(s, "<>=~")
	if i < 0 {
		name = s
	} else {
		name = s[:i]
		j := i
		for j < len(s) && strings.ContainsRune("<>=~", rune(s[j])) {
			j++
		}
		ops, v := s[i:j], s[j:]
		for _, c := range ops {
			switch c {
			case '<':
				op |= opLess
			case '>':
				op |= opGreater
			case '=':
				op |= opEqual
			case '~':
				op |= opFuzzy | opEqual
			}
		}
		if !ValidVersion(v) {
			return "", 0, "", fmt.Errorf("apk: dependency %q: invalid version %q", d, v)
		}
		ver = v
	}
	if name == "" || !validDepName(name) {
		return "", 0, "", fmt.Errorf("apk: dependency %q: invalid name", d)
	}
	return name, op, ver, nil
}
