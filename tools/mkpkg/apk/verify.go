package apk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Parsed is a package read back: its info, tree, scripts and file data.
type Parsed struct {
	Info          map[string]string // one-line info fields by apk name ("name", "arch", ...)
	ID            []byte            // info "hashes": the 20-byte unique id
	InstalledSize uint64
	Depends       []string // "name" or "name>=1.0", as apk prints them
	Provides      []string
	Dirs          []Dir
	Scripts       map[string]string
	Signatures    int
}

// Dir is one "paths" entry.
type Dir struct {
	Name         string // "" for the root
	Mode         uint64
	User, Group  string
	Files        []Entry
	hasACLObject bool
}

// Entry is one file of a directory; Data is its content from its DATA
// block (nil for empty files and links).
type Entry struct {
	Name         string
	Mode         uint64
	User, Group  string
	Size, Mtime  uint64
	Hash, Target []byte
	Data         []byte
}

// Path is the entry's absolute path.
func (d Dir) Path(e Entry) string {
	if d.Name == "" {
		return "/" + e.Name
	}
	return "/" + d.Name + "/" + e.Name
}

// ReadPackage parses and verifies a package: the wrapper, the block order,
// sizes and alignment, every value's bounds, sorted paths and files, each
// file's sha256 against its DATA block (in the order extract_v3.c
// requires) and the unique id. It checks the format, not OpenWrt's
// conventions (see CheckOpenWrt).
func ReadPackage(file []byte) (*Parsed, error) {
	s, err := Open(file)
	if err != nil {
		return nil, err
	}
	st, err := ParseStream(s)
	if err != nil {
		return nil, err
	}
	if st.Schema != SchemaPackage {
		return nil, fmt.Errorf("apk: schema %#08x is not a package (pckg)", st.Schema)
	}
	return decodePackage(st)
}

func decodePackage(st *Stream) (*Parsed, error) {
	r := &reader{adb: st.ADB}
	if len(st.ADB) < 8 {
		return nil, errors.New("apk: ADB block shorter than its header")
	}
	if st.ADB[0] != 0 || st.ADB[1] != 0 {
		return nil, fmt.Errorf("apk: ADB version %d.%d not supported", st.ADB[0], st.ADB[1])
	}
	rootVal := binary.LittleEndian.Uint32(st.ADB[4:])
	if rootVal&typeMask != typeObject {
		return nil, errors.New("apk: root is not an object")
	}
	root, err := r.slots(rootVal)
	if err != nil {
		return nil, err
	}
	p := &Parsed{Info: map[string]string{}, Scripts: map[string]string{}, Signatures: len(st.Sigs)}

	info, err := r.slots(slot(root, pkgInfo))
	if err != nil {
		return nil, fmt.Errorf("apk: info: %w", err)
	}
	idOff := -1
	for id := 1; id < len(info) && id < piMax; id++ {
		v := info[id]
		switch id {
		case piHashes:
			b, err := r.blob(v)
			if err != nil {
				return nil, fmt.Errorf("apk: info hashes: %w", err)
			}
			p.ID = b
			if len(b) > 0 {
				idOff = int(v&valueMask) + blobHdr(v)
			}
		case piInstalledSize, piFileSize, piBuildTime, piProviderPriority, piLayer:
			n, err := r.integer(v)
			if err != nil {
				return nil, fmt.Errorf("apk: info %s: %w", infoNames[id], err)
			}
			if id == piInstalledSize {
				p.InstalledSize = n
			} else if v != 0 {
				p.Info[infoNames[id]] = strconv.FormatUint(n, 10)
			}
		case piDepends, piProvides, 17, 18, 19:
			deps, err := r.deps(v)
			if err != nil {
				return nil, fmt.Errorf("apk: info %s: %w", infoNames[id], err)
			}
			switch id {
			case piDepends:
				p.Depends = deps
			case piProvides:
				p.Provides = deps
			default:
				if len(deps) > 0 {
					p.Info[infoNames[id]] = strings.Join(deps, " ")
				}
			}
		case 10, 21:
			// repo-commit (binary), tags (array): not used by OpenWrt packages.
		default:
			b, err := r.blob(v)
			if err != nil {
				return nil, fmt.Errorf("apk: info %s: %w", infoNames[id], err)
			}
			if b != nil {
				p.Info[infoNames[id]] = string(b)
			}
		}
	}
	if p.Info["name"] == "" || p.Info["version"] == "" {
		return nil, errors.New("apk: info lacks name or version")
	}
	if !ValidVersion(p.Info["version"]) {
		return nil, fmt.Errorf("apk: invalid version %q", p.Info["version"])
	}
	if len(p.ID) != 20 {
		return nil, fmt.Errorf("apk: unique id is %d bytes, want 20", len(p.ID))
	}
	sum := sha256Of(st.ADB, idOff)
	if !bytes.Equal(sum[:20], p.ID) {
		return nil, fmt.Errorf("apk: unique id %x is not the sha256 of the ADB block (%x)", p.ID, sum[:20])
	}

	if err := r.paths(slot(root, pkgPaths), p); err != nil {
		return nil, err
	}
	scripts, err := r.slots(slot(root, pkgScripts))
	if err != nil {
		return nil, fmt.Errorf("apk: scripts: %w", err)
	}
	for id := 1; id < len(scripts); id++ {
		if id >= len(scriptNames) {
			return nil, fmt.Errorf("apk: unknown script slot %d", id)
		}
		b, err := r.blob(scripts[id])
		if err != nil {
			return nil, fmt.Errorf("apk: script %s: %w", scriptNames[id], err)
		}
		if b != nil {
			p.Scripts[scriptNames[id]] = string(b)
		}
	}
	if err := p.attachData(st.Data); err != nil {
		return nil, err
	}
	return p, nil
}

func blobHdr(v uint32) int {
	switch v & typeMask {
	case typeBlob16:
		return 2
	case typeBlob32:
		return 4
	}
	return 1
}

var opStrings = map[uint64]string{
	opLess: "<", opLess | opEqual: "<=", opLess | opEqual | opFuzzy: "<~", opEqual | opFuzzy: "~",
	opFuzzy: "~", opEqual: "=", opGreater | opEqual: ">=", opGreater | opEqual | opFuzzy: ">~", opGreater: ">",
}

func (r *reader) deps(v uint32) ([]string, error) {
	arr, err := r.slots(v)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, dv := range arr[1:] {
		d, err := r.slots(dv)
		if err != nil {
			return nil, err
		}
		name, err := r.blob(slot(d, depName))
		if err != nil {
			return nil, err
		}
		ver, err := r.blob(slot(d, depVersion))
		if err != nil {
			return nil, err
		}
		match, err := r.integer(slot(d, depMatch))
		if err != nil {
			return nil, err
		}
		if len(name) == 0 || !validDepName(string(name)) {
			return nil, fmt.Errorf("apk: bad dependency name %q", name)
		}
		s := string(name)
		if match&opConflict != 0 {
			s = "!" + s
		}
		if ver != nil {
			if match == 0 {
				match = opEqual
			}
			if !ValidVersion(string(ver)) {
				return nil, fmt.Errorf("apk: dependency %s: bad version %q", name, ver)
			}
			s += opStrings[match&^opConflict] + string(ver)
		}
		out = append(out, s)
	}
	return out, nil
}

func (r *reader) acl(v uint32) (mode uint64, user, group string, err error) {
	a, err := r.slots(v)
	if err != nil {
		return 0, "", "", err
	}
	if mode, err = r.integer(slot(a, aclMode)); err != nil {
		return
	}
	u, err := r.blob(slot(a, aclUser))
	if err != nil {
		return
	}
	g, err := r.blob(slot(a, aclGroup))
	return mode, string(u), string(g), err
}

func (r *reader) paths(v uint32, p *Parsed) error {
	dirs, err := r.slots(v)
	if err != nil {
		return fmt.Errorf("apk: paths: %w", err)
	}
	for i, dv := range dirs[1:] {
		ds, err := r.slots(dv)
		if err != nil {
			return fmt.Errorf("apk: path %d: %w", i+1, err)
		}
		name, err := r.blob(slot(ds, diName))
		if err != nil {
			return fmt.Errorf("apk: path %d: %w", i+1, err)
		}
		d := Dir{Name: string(name), hasACLObject: slot(ds, diACL) != 0}
		if d.Mode, d.User, d.Group, err = r.acl(slot(ds, diACL)); err != nil {
			return fmt.Errorf("apk: path %q acl: %w", name, err)
		}
		if i > 0 && !(p.Dirs[i-1].Name < d.Name) {
			return fmt.Errorf("apk: paths not sorted: %q after %q", d.Name, p.Dirs[i-1].Name)
		}
		if strings.HasPrefix(d.Name, "/") || strings.HasSuffix(d.Name, "/") || strings.Contains(d.Name, "//") {
			return fmt.Errorf("apk: bad directory name %q", d.Name)
		}
		files, err := r.slots(slot(ds, diFiles))
		if err != nil {
			return fmt.Errorf("apk: path %q files: %w", name, err)
		}
		for j, fv := range files[1:] {
			fs, err := r.slots(fv)
			if err != nil {
				return fmt.Errorf("apk: %s file %d: %w", name, j+1, err)
			}
			var e Entry
			n, err := r.blob(slot(fs, fiName))
			if err != nil {
				return err
			}
			e.Name = string(n)
			if e.Name == "" || strings.Contains(e.Name, "/") || e.Name == "." || e.Name == ".." {
				return fmt.Errorf("apk: %s: bad file name %q", name, n)
			}
			if j > 0 && !(d.Files[j-1].Name < e.Name) {
				return fmt.Errorf("apk: %s: files not sorted: %q after %q", name, e.Name, d.Files[j-1].Name)
			}
			if e.Mode, e.User, e.Group, err = r.acl(slot(fs, fiACL)); err != nil {
				return fmt.Errorf("apk: %s acl: %w", d.Path(e), err)
			}
			if e.Size, err = r.integer(slot(fs, fiSize)); err != nil {
				return err
			}
			if e.Mtime, err = r.integer(slot(fs, fiMtime)); err != nil {
				return err
			}
			if e.Hash, err = r.blob(slot(fs, fiHash)); err != nil {
				return err
			}
			if e.Target, err = r.blob(slot(fs, fiTarget)); err != nil {
				return err
			}
			if e.Target == nil && len(e.Hash) != sha256.Size {
				return fmt.Errorf("apk: %s: regular file without a sha256", d.Path(e))
			}
			d.Files = append(d.Files, e)
		}
		p.Dirs = append(p.Dirs, d)
	}
	return nil
}

// attachData matches DATA blocks to files: one per regular non-empty
// file, in (path, file) order, payload = u32 path index, u32 file index
// (1-based) and exactly size bytes whose sha256 is the file's hash.
func (p *Parsed) attachData(blocks []Block) error {
	k := 0
	for i := range p.Dirs {
		for j := range p.Dirs[i].Files {
			e := &p.Dirs[i].Files[j]
			if e.Target != nil || e.Size == 0 {
				continue
			}
			path := p.Dirs[i].Path(*e)
			if k >= len(blocks) {
				return fmt.Errorf("apk: %s: no DATA block", path)
			}
			b := blocks[k].Payload
			k++
			if len(b) < 8 {
				return fmt.Errorf("apk: %s: DATA block too short", path)
			}
			pi, fi := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])
			if int(pi) != i+1 || int(fi) != j+1 {
				return fmt.Errorf("apk: %s: DATA block for %d/%d out of order (want %d/%d)", path, pi, fi, i+1, j+1)
			}
			if uint64(len(b)-8) != e.Size {
				return fmt.Errorf("apk: %s: DATA block holds %d bytes, size says %d", path, len(b)-8, e.Size)
			}
			sum := sha256.Sum256(b[8:])
			if !bytes.Equal(sum[:], e.Hash) {
				return fmt.Errorf("apk: %s: content sha256 %x does not match %x", path, sum, e.Hash)
			}
			e.Data = b[8:]
		}
	}
	if k != len(blocks) {
		return fmt.Errorf("apk: %d DATA blocks belong to no file", len(blocks)-k)
	}
	return nil
}
