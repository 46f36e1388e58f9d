// Package apk writes and reads apk-tools v3 packages (the ADB format), the
// package format of OpenWrt 25.12 and later.
//
// The writer reproduces what `apk mkpkg` (apk-tools 3.0.x) emits for the
// same tree byte for byte once inflated: the same values, written into the
// ADB arena in the same order, with the same deduplication. The format is
// described in apk-tools' doc/apk-v3.5.scd; the writer rules followed here
// are those of src/adb.c (adb_w_raw, adb_w_data, adb_w_blob_vec, adb_w_int,
// __adb_w_obj), src/apk_adb.c (schemas, sorting) and src/app_mkpkg.c
// (what mkpkg writes, and in which order).
package apk

import (
	"encoding/binary"
	"sort"
)

// Value tags (src/adb.h): the high nibble is the type, the low 28 bits a
// value or an offset into the ADB block.
const (
	typeSpecial = 0x00000000
	typeInt     = 0x10000000
	typeInt32   = 0x20000000
	typeInt64   = 0x30000000
	typeBlob8   = 0x80000000
	typeBlob16  = 0x90000000
	typeBlob32  = 0xa0000000
	typeArray   = 0xd0000000
	typeObject  = 0xe0000000
	typeMask    = 0xf0000000
	valueMask   = 0x0fffffff
)

// Schemas (src/apk_adb.h) and the file magic "ADB." (src/adb.h).
const (
	formatMagic   = 0x2e424441
	SchemaPackage = 0x676b6370 // "pckg"
	SchemaIndex   = 0x78646e69 // "indx"
)

// Block types (src/adb.h).
const (
	blockADB  = 0
	blockSig  = 1
	blockData = 2
	blockExt  = 3
)

// Field ids (src/apk_adb.h).
const (
	pkgInfo    = 1
	pkgPaths   = 2
	pkgScripts = 3

	piName             = 1
	piVersion          = 2
	piHashes           = 3
	piDescription      = 4
	piArch             = 5
	piLicense          = 6
	piOrigin           = 7
	piMaintainer       = 8
	piURL              = 9
	piBuildTime        = 11
	piInstalledSize    = 12
	piFileSize         = 13
	piProviderPriority = 14
	piDepends          = 15
	piProvides         = 16
	piLayer            = 20
	piMax              = 22

	depName    = 1
	depVersion = 2
	depMatch   = 3

	aclMode  = 1
	aclUser  = 2
	aclGroup = 3

	fiName   = 1
	fiACL    = 2
	fiSize   = 3
	fiMtime  = 4
	fiHash   = 5
	fiTarget = 6

	diName  = 1
	diACL   = 2
	diFiles = 3

	ndxDescription = 1
	ndxPackages    = 2
)

// Script slots of the package's "scripts" object (schema_scripts).
var scriptNames = [...]string{1: "trigger", 2: "pre-install", 3: "post-install", 4: "pre-deinstall",
	5: "post-deinstall", 6: "pre-upgrade", 7: "post-upgrade"}

// Info field names as apk prints them (schema_pkginfo in src/apk_adb.c).
var infoNames = map[int]string{
	piName: "name", piVersion: "version", piHashes: "hashes", piDescription: "description",
	piArch: "arch", piLicense: "license", piOrigin: "origin", piMaintainer: "maintainer",
	piURL: "url", 10: "repo-commit", piBuildTime: "build-time", piInstalledSize: "installed-size",
	piFileSize: "file-size", piProviderPriority: "provider-priority", piDepends: "depends",
	piProvides: "provides", 17: "replaces", 18: "install-if", 19: "recommends", 20: "layer", 21: "tags",
}

// arena is the ADB block being written. Like adb_w_data, every value
// written with dedup is remembered by its exact bytes and reused when the
// same bytes are written again at a suitable alignment; a misaligned match
// is replaced by the new copy, as apk-tools' bucket entry is.
type arena struct {
	buf  []byte
	seen map[string]int
}

func newArena() *arena {
	a := &arena{seen: map[string]int{}}
	a.raw(make([]byte, 8), 8) // struct adb_hdr; root patched at the end
	return a
}

func (a *arena) raw(b []byte, align int) int {
	for len(a.buf)%align != 0 {
		a.buf = append(a.buf, 0)
	}
	off := len(a.buf)
	a.buf = append(a.buf, b...)
	return off
}

func (a *arena) data(b []byte, align int) int {
	if off, ok := a.seen[string(b)]; ok && off%align == 0 {
		return off
	}
	off := a.raw(b, align)
	a.seen[string(b)] = off
	return off
}

// blob writes b with the smallest length prefix that fits; an empty blob
// is null (adb_w_blob_vec).
func (a *arena) blob(b []byte) uint32 { return a.blobWith(b, true) }

func (a *arena) blobWith(b []byte, dedup bool) uint32 {
	var hdr []byte
	var typ uint32
	switch n := len(b); {
	case n == 0:
		return 0
	case n <= 0xff:
		hdr, typ = []byte{byte(n)}, typeBlob8
	case n <= 0xffff:
		hdr, typ = binary.LittleEndian.AppendUint16(nil, uint16(n)), typeBlob16
	default:
		hdr, typ = binary.LittleEndian.AppendUint32(nil, uint32(n)), typeBlob32
	}
	v := append(hdr, b...)
	if dedup {
		return typ | uint32(a.data(v, len(hdr)))
	}
	return typ | uint32(a.raw(v, len(hdr)))
}

func (a *arena) str(s string) uint32 { return a.blob([]byte(s)) }

// integer is adb_w_int: inline below 2^28, else a 4-aligned u32 or u64.
func (a *arena) integer(v uint64) uint32 {
	switch {
	case v >= 1<<32:
		return typeInt64 | uint32(a.data(binary.LittleEndian.AppendUint64(nil, v), 4))
	case v >= 0x10000000:
		return typeInt32 | uint32(a.data(binary.LittleEndian.AppendUint32(nil, uint32(v)), 4))
	}
	return typeInt | uint32(v)
}

// object is a slot vector being built; slot i is field i (1-based).
type object struct{ slots []uint32 }

func (o *object) set(i int, v uint32) {
	for len(o.slots) <= i {
		o.slots = append(o.slots, 0)
	}
	o.slots[i] = v
}

func (o *object) add(v uint32) {
	if v == 0 {
		return
	}
	if len(o.slots) == 0 {
		o.slots = []uint32{0}
	}
	o.slots = append(o.slots, v)
}

// write is __adb_w_obj: trailing nulls trimmed, slots[0] = count, and an
// object without a non-null slot is null. Arrays committed through
// adb_wo_obj carry the OBJECT tag in apk-tools, so typ is the caller's.
func (a *arena) write(o *object, typ uint32) uint32 {
	n := len(o.slots)
	for n > 1 && o.slots[n-1] == 0 {
		n--
	}
	return a.vector(o.slots[:n], typ)
}

// vector writes a slot vector as it is (adb_w_copy of an object keeps its
// count, trailing nulls included).
func (a *arena) vector(slots []uint32, typ uint32) uint32 {
	n := len(slots)
	if n <= 1 {
		return 0
	}
	b := make([]byte, 4*n)
	binary.LittleEndian.PutUint32(b, uint32(n))
	for i := 1; i < n; i++ {
		binary.LittleEndian.PutUint32(b[4*i:], slots[i])
	}
	return typ | uint32(a.data(b, 4))
}

// blobAt reads back a blob value this arena holds.
func (a *arena) blobAt(v uint32) []byte {
	off := int(v & valueMask)
	switch v & typeMask {
	case typeBlob8:
		return a.buf[off+1 : off+1+int(a.buf[off])]
	case typeBlob16:
		n := int(binary.LittleEndian.Uint16(a.buf[off:]))
		return a.buf[off+2 : off+2+n]
	case typeBlob32:
		n := int(binary.LittleEndian.Uint32(a.buf[off:]))
		return a.buf[off+4 : off+4+n]
	}
	return nil
}

// slotAt reads slot i of an object value this arena holds (0 if absent).
func (a *arena) slotAt(v uint32, i int) uint32 {
	off := int(v & valueMask)
	if n := int(binary.LittleEndian.Uint32(a.buf[off:])); i >= n {
		return 0
	}
	return binary.LittleEndian.Uint32(a.buf[off+4*i:])
}

// sortByNameVersion orders array items by slot 1 (name) and then, by
// apk's version order, slot 2 (version): the compare of pkginfo and
// dependency objects (adb_ro_cmpobj; later fields only break ties).
func (a *arena) sortByNameVersion(o *object) {
	if len(o.slots) < 3 {
		return
	}
	items := o.slots[1:]
	field := func(v uint32, i int) string { return string(a.blobAt(a.slotAt(v, i))) }
	sort.SliceStable(items, func(i, j int) bool {
		if ni, nj := field(items[i], 1), field(items[j], 1); ni != nj {
			return ni < nj
		}
		return VersionCompare(field(items[i], 2), field(items[j], 2)) < 0
	})
}

// sortByName orders array items by the blob in their slot 1, as
// adb_wa_sort does with apk_blob_sort (bytes, then length) for files,
// directories and (name first) dependencies.
func (a *arena) sortByName(o *object) {
	if len(o.slots) < 3 {
		return
	}
	items := o.slots[1:]
	sort.SliceStable(items, func(i, j int) bool {
		return string(a.blobAt(a.slotAt(items[i], 1))) < string(a.blobAt(a.slotAt(items[j], 1)))
	})
}
