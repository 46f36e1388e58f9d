package apk

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxStream bounds what Open inflates, so a hostile file cannot exhaust
// memory (eddns packages are a few MB).
const maxStream = 256 << 20

// Open undoes the compression wrapper (src/adb_comp.c): "ADB." is a plain
// stream, "ADBd" raw deflate, "ADBc" + {alg, level} with alg 0 = none and
// 1 = deflate. zstd (alg 2) is refused: OpenWrt's apk cannot read it.
func Open(file []byte) ([]byte, error) {
	if len(file) < 4 {
		return nil, errors.New("apk: file shorter than its magic")
	}
	switch string(file[:4]) {
	case "ADB.":
		return file, nil
	case "ADBd":
		return inflate(file[4:])
	case "ADBc":
		if len(file) < 6 {
			return nil, errors.New("apk: truncated ADBc header")
		}
		switch file[4] {
		case 0:
			return file[6:], nil
		case 1:
			return inflate(file[6:])
		}
		return nil, fmt.Errorf("apk: compression algorithm %d is not readable by OpenWrt's apk (deflate only)", file[4])
	}
	return nil, fmt.Errorf("apk: not an apk v3 file (magic %q)", file[:4])
}

func inflate(b []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(b))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, maxStream+1))
	if err != nil {
		return nil, fmt.Errorf("apk: inflate: %w", err)
	}
	if len(out) > maxStream {
		return nil, errors.New("apk: inflated stream too large")
	}
	return out, nil
}

// Block is one block of an ADB stream.
type Block struct {
	Type    int
	Offset  int // of its header in the stream
	Payload []byte
}

// Stream is a parsed ADB stream: the schema, the ADB block and the rest.
type Stream struct {
	Schema uint32
	ADB    []byte  // payload of the ADB block (the arena values point into)
	Sigs   []Block // SIG blocks
	Data   []Block // DATA blocks
}

// ParseStream checks the header and the block layout the way adb.c's
// __adb_m_parse does: one ADB block first, then SIG blocks, then DATA
// blocks, each 8-byte aligned with zero padding, and nothing else.
func ParseStream(s []byte) (*Stream, error) {
	if len(s) < 8 {
		return nil, errors.New("apk: stream shorter than its header")
	}
	if binary.LittleEndian.Uint32(s) != formatMagic {
		return nil, errors.New("apk: bad ADB magic")
	}
	st := &Stream{Schema: binary.LittleEndian.Uint32(s[4:])}
	off := 8
	state := blockADB
	for off < len(s) {
		if len(s)-off < 4 {
			return nil, fmt.Errorf("apk: truncated block header at %d", off)
		}
		ts := binary.LittleEndian.Uint32(s[off:])
		typ := int(ts >> 30)
		hdr, raw := 4, uint64(ts&0x3fffffff)
		if typ == blockExt {
			if len(s)-off < 16 {
				return nil, fmt.Errorf("apk: truncated extended block header at %d", off)
			}
			typ, hdr = int(ts&0x3fffffff), 16
			raw = binary.LittleEndian.Uint64(s[off+8:])
			if typ >= blockExt {
				return nil, fmt.Errorf("apk: block at %d: bad extended type %d", off, typ)
			}
		}
		if raw < uint64(hdr) || raw > uint64(len(s)-off) {
			return nil, fmt.Errorf("apk: block at %d: size %d out of range", off, raw)
		}
		size := (raw + 7) &^ 7
		if size > uint64(len(s)-off) {
			return nil, fmt.Errorf("apk: block at %d: padding runs past the end", off)
		}
		for _, c := range s[off+int(raw) : off+int(size)] {
			if c != 0 {
				return nil, fmt.Errorf("apk: block at %d: non-zero padding", off)
			}
		}
		b := Block{Type: typ, Offset: off, Payload: s[off+hdr : off+int(raw)]}
		switch {
		case typ == blockADB && state == blockADB && st.ADB == nil:
			st.ADB = b.Payload
			state = blockSig
		case typ == blockSig && state == blockSig:
			st.Sigs = append(st.Sigs, b)
		case typ == blockData && state >= blockSig:
			st.Data = append(st.Data, b)
			state = blockData
		default:
			return nil, fmt.Errorf("apk: block at %d: type %d out of order", off, typ)
		}
		off += int(size)
	}
	if st.ADB == nil {
		return nil, errors.New("apk: no ADB block")
	}
	return st, nil
}

// reader decodes values of one ADB block, with every offset, size and
// alignment checked.
type reader struct {
	adb   []byte
	depth int
}

func (r *reader) at(v uint32, size, align int) ([]byte, error) {
	off := int(v & valueMask)
	if off%align != 0 {
		return nil, fmt.Errorf("apk: value %#08x misaligned", v)
	}
	if off < 8 || off+size > len(r.adb) || off+size < off {
		return nil, fmt.Errorf("apk: value %#08x out of range", v)
	}
	return r.adb[off : off+size], nil
}

// blob returns the bytes of a blob value; null is nil.
func (r *reader) blob(v uint32) ([]byte, error) {
	var hdr int
	switch v & typeMask {
	case typeSpecial:
		if v == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("apk: value %#08x is not a blob", v)
	case typeBlob8:
		hdr = 1
	case typeBlob16:
		hdr = 2
	case typeBlob32:
		hdr = 4
	default:
		return nil, fmt.Errorf("apk: value %#08x is not a blob", v)
	}
	h, err := r.at(v, hdr, hdr)
	if err != nil {
		return nil, err
	}
	var n uint64
	switch hdr {
	case 1:
		n = uint64(h[0])
	case 2:
		n = uint64(binary.LittleEndian.Uint16(h))
	case 4:
		n = uint64(binary.LittleEndian.Uint32(h))
	}
	if n > uint64(len(r.adb)) {
		return nil, fmt.Errorf("apk: blob %#08x out of range", v)
	}
	b, err := r.at(v, hdr+int(n), hdr)
	if err != nil {
		return nil, err
	}
	return b[hdr:], nil
}

func (r *reader) integer(v uint32) (uint64, error) {
	switch v & typeMask {
	case typeSpecial:
		if v == 0 {
			return 0, nil
		}
	case typeInt:
		return uint64(v & valueMask), nil
	case typeInt32:
		b, err := r.at(v, 4, 4)
		if err != nil {
			return 0, err
		}
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case typeInt64:
		b, err := r.at(v, 8, 4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, fmt.Errorf("apk: value %#08x is not an integer", v)
}

// slots returns an object's or array's slot vector (slots[0] is the
// count); null is an empty vector.
func (r *reader) slots(v uint32) ([]uint32, error) {
	if v == 0 {
		return []uint32{1}, nil
	}
	if t := v & typeMask; t != typeObject && t != typeArray {
		return nil, fmt.Errorf("apk: value %#08x is not an object", v)
	}
	h, err := r.at(v, 4, 4)
	if err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(h)
	if n < 1 || uint64(n)*4 > uint64(len(r.adb)) {
		return nil, fmt.Errorf("apk: object %#08x has a bad slot count %d", v, n)
	}
	b, err := r.at(v, 4*int(n), 4)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out, nil
}

func slot(s []uint32, i int) uint32 {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// sha256Of is the unique id rule: sha256 over the ADB block with the id
// bytes still zero.
func sha256Of(adb []byte, idOff int) [32]byte {
	c := append([]byte(nil), adb...)
	if idOff >= 0 {
		for i := 0; i < 20 && idOff+i < len(c); i++ {
			c[idOff+i] = 0
		}
	}
	return sha256.Sum256(c)
}
