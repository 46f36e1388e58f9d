// Package po2lmo compiles gettext .po catalogs into LuCI's LMO ("Lua Machine
// Objects") format, byte for byte as LuCI's own po2lmo tool
// (modules/luci-base/src/po2lmo.c) does, so a standalone build ships the same
// eddns.zh-cn.lmo an OpenWrt feed build would. It also reads LMO files back.
//
// The format, all integers big-endian:
//
//	strings   each translation, zero-padded to a multiple of 4 bytes
//	index     16 bytes per entry: key hash, value id, string offset, length,
//	          sorted by key hash
//	trailer   4 bytes: the offset of the index (= size of the strings area)
//
// A key is the msgid, prefixed with "msgctxt\x01" when the message has a
// context and suffixed with "\x02<n>" for plural form n. The Plural-Forms
// header is stored under key hash 0. The hash is Paul Hsieh's SuperFastHash
// seeded with the key length.
package po2lmo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// ErrEmpty is returned when a catalog has nothing to store: LuCI's po2lmo
// writes no file at all in that case.
var ErrEmpty = errors.New("po2lmo: catalog has no translations")

// Limits of LuCI's po2lmo that change its output, kept so ours matches.
const (
	lineMax   = 4095 // fgets into char[4096]; a longer line is an error here (see Parse)
	keyMax    = 4095 // snprintf into char[4096] truncates the key
	maxPlural = 10   // msgstr[0] .. msgstr[9]
)

// Entry is one index entry of an LMO file.
type Entry struct {
	Key   string // what the hash was computed over ("" for the header)
	KeyID uint32 // Hash(Key); 0 for the Plural-Forms header
	ValID uint32 // as LuCI: 1 + the index of the message's last msgstr line (0 for the header)
	Value string
}

// Compile converts a .po file to LMO bytes.
func Compile(po []byte) ([]byte, error) {
	entries, err := Parse(po)
	if err != nil {
		return nil, err
	}
	return Write(entries)
}

// Write lays entries out as an LMO file. The index is sorted by key hash
// with a stable sort: LuCI uses glibc's qsort, a merge sort, so entries with
// equal hashes keep their file order there too.
func Write(entries []Entry) ([]byte, error) {
	if len(entries) == 0 {
		return nil, ErrEmpty
	}
	type slot struct {
		keyID, valID, off, n uint32
	}
	var out []byte
	idx := make([]slot, 0, len(entries))
	for _, e := range entries {
		if e.Value == "" {
			// LuCI dies here: fwrite of zero bytes reports failure.
			return nil, fmt.Errorf("po2lmo: empty value for key %q", e.Key)
		}
		idx = append(idx, slot{e.KeyID, e.ValID, uint32(len(out)), uint32(len(e.Value))})
		out = append(out, e.Value...)
		out = append(out, make([]byte, pad4(len(e.Value)))...)
	}
	indexOff := uint32(len(out))
	sort.SliceStable(idx, func(i, j int) bool { return idx[i].keyID < idx[j].keyID })
	for _, s := range idx {
		out = binary.BigEndian.AppendUint32(out, s.keyID)
		out = binary.BigEndian.AppendUint32(out, s.valID)
		out = binary.BigEndian.AppendUint32(out, s.off)
		out = binary.BigEndian.AppendUint32(out, s.n)
	}
	return binary.BigEndian.AppendUint32(out, indexOff), nil
}

func pad4(n int) int { return (4 - n%4) % 4 }

// message accumulates one .po entry the way po2lmo's struct msg does. A
// field is "set" exactly when it is non-empty: po2lmo never stores an empty
// string.
type message struct {
	pluralNum int
	ctxt, id  []byte
	idPlural  []byte
	val       [maxPlural][]byte
}

// Parse reads a .po file and returns the entries LuCI's po2lmo would store,
// in file order. Like po2lmo it keeps fuzzy entries, skips untranslated ones
// and those whose translation hashes like the msgid, and unescapes only \"
// and \\ (other escapes such as \n stay as two characters).
//
// Where po2lmo's result depends on stale memory, Parse returns an error
// instead: a string without its closing quote, and a line longer than 4095
// bytes (fgets hands it over in pieces, each an unterminated string).
func Parse(po []byte) ([]Entry, error) {
	var out []Entry
	m := message{pluralNum: -1}
	var cur *[]byte
	lineNo := 0
	flush := func() error {
		if m.id == nil && m.val[0] == nil {
			return nil
		}
		es, err := m.entries()
		out = append(out, es...)
		m = message{}
		return err
	}
	for rest := po; ; {
		var line []byte
		eof := len(rest) == 0
		if !eof {
			lineNo++
			var err error
			if line, rest, err = nextLine(rest); err != nil {
				return nil, fmt.Errorf("po2lmo: line %d: %w", lineNo, err)
			}
		}
		switch {
		case hasPrefix(line, "msgctxt \""):
			if err := flush(); err != nil {
				return nil, err
			}
			m.ctxt, cur = nil, &m.ctxt
		case eof || hasPrefix(line, "msgid \""):
			if err := flush(); err != nil {
				return nil, err
			}
			m.id, cur = nil, &m.id
		case hasPrefix(line, "msgid_plural \""):
			m.idPlural, cur = nil, &m.idPlural
		case hasPrefix(line, "msgstr \"") || hasPrefix(line, "msgstr["):
			n := 0
			if line[6] == '[' {
				n = strtoulInt(line[7:])
			}
			if n < 0 || n >= maxPlural {
				return nil, fmt.Errorf("po2lmo: line %d: plural form %d out of range 0..%d", lineNo, n, maxPlural-1)
			}
			m.pluralNum = n
			m.val[n], cur = nil, &m.val[n]
		}
		if eof {
			return out, nil
		}
		if cur != nil {
			s, ok, err := extractString(line)
			if err != nil {
				return nil, fmt.Errorf("po2lmo: line %d: %w", lineNo, err)
			}
			if ok && len(s) > 0 {
				*cur = append(*cur, s...)
			}
		}
	}
}

// nextLine returns one line with its newline, cut at the first NUL
// (po2lmo treats fgets' buffer as a C string).
func nextLine(b []byte) (line, rest []byte, err error) {
	n := len(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		n = i + 1
	}
	if n > lineMax {
		return nil, nil, fmt.Errorf("longer than %d bytes", lineMax)
	}
	line, rest = b[:n], b[n:]
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	return line, rest, nil
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// extractString returns the first quoted string on a line, with \" and \\
// unescaped. Comment lines and lines without a quote give ok=false.
func extractString(line []byte) (s []byte, ok bool, err error) {
	if len(line) > 0 && line[0] == '#' {
		return nil, false, nil
	}
	start := -1
	for i, c := range line {
		if c == '"' {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil, false, nil
	}
	out := make([]byte, 0, len(line)-start)
	for i := start; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++
			if n := line[i]; n != '"' && n != '\\' {
				out = append(out, c)
			}
			out = append(out, line[i])
		case c == '"':
			return out, true, nil
		default:
			out = append(out, c)
		}
	}
	// po2lmo would append whatever its buffer held from earlier lines.
	return nil, false, errors.New("string without a closing quote")
}

// strtoulInt is (int)strtoul(s, NULL, 10): leading white space, a sign,
// decimal digits, saturating at ULONG_MAX, then truncated to a 32-bit int.
func strtoulInt(s []byte) int {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v uint64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			v = ^uint64(0)
			neg = false // strtoul returns ULONG_MAX on overflow, sign ignored
			break
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return int(int32(uint32(v)))
}

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// entries is po2lmo's print_msg: one entry per translated plural form, or
// the Plural-Forms header for the catalog's header message.
func (m *message) entries() ([]Entry, error) {
	var out []Entry
	if m.id != nil && m.val[0] != nil {
		for i := 0; i <= m.pluralNum; i++ {
			v := m.val[i]
			if v == nil {
				continue
			}
			key := string(m.id)
			switch {
			case m.ctxt != nil && m.idPlural != nil:
				key = string(m.ctxt) + "\x01" + key + "\x02" + strconv.Itoa(i)
			case m.ctxt != nil:
				key = string(m.ctxt) + "\x01" + key
			case m.idPlural != nil:
				key = key + "\x02" + strconv.Itoa(i)
			}
			if len(key) > keyMax {
				key = key[:keyMax]
			}
			kid := Hash(key)
			if kid == Hash(string(v)) {
				continue // translation equal to the key: nothing to store
			}
			out = append(out, Entry{Key: key, KeyID: kid, ValID: uint32(m.pluralNum + 1), Value: string(v)})
		}
		return out, nil
	}
	if m.val[0] == nil {
		return nil, nil
	}
	// The header: look for a "Plural-Forms: " field among the \n-separated
	// (still escaped) lines.
	v := m.val[0]
	field, esc := 0, false
	for p := 0; p < len(v); p++ {
		switch {
		case esc:
			esc = false
			if v[p] != 'n' {
				continue
			}
			f := v[field : p-1]
			const pf = "plural-forms: "
			if len(f) >= len(pf) && asciiLower(f[:len(pf)]) == pf {
				val := string(f[len(pf):])
				if val == "" {
					return nil, errors.New("po2lmo: empty Plural-Forms header")
				}
				return []Entry{{Value: val}}, nil
			}
			field = p + 1
		case v[p] == '\\':
			esc = true
		}
	}
	return nil, nil
}

func asciiLower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// Hash is LuCI's sfh_hash(s, len, len): SuperFastHash seeded with the
// length. The 1- and 3-byte tails use the byte as a signed char, as LuCI's
// code casts it.
func Hash(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	h := uint32(n)
	get16 := func(i int) uint32 { return uint32(s[i]) | uint32(s[i+1])<<8 }
	i := 0
	for ; n >= 4; n -= 4 {
		h += get16(i)
		tmp := get16(i+2)<<11 ^ h
		h = h<<16 ^ tmp
		i += 4
		h += h >> 11
	}
	switch n {
	case 3:
		h += get16(i)
		h ^= h << 16
		h ^= uint32(int32(int8(s[i+2])) << 18)
		h += h >> 11
	case 2:
		h += get16(i)
		h ^= h << 11
		h += h >> 17
	case 1:
		h += uint32(int32(int8(s[i])))
		h ^= h << 10
		h += h >> 1
	}
	h ^= h << 3
	h += h >> 5
	h ^= h << 4
	h += h >> 17
	h ^= h << 25
	h += h >> 6
	return h
}
