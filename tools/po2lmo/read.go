package po2lmo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Catalog is an LMO file read back, looked up the way LuCI's lmo.c does.
type Catalog struct {
	data    []byte
	entries []Entry // index order, with Key left empty (only hashes are stored)
}

// Open checks an LMO file's layout: the trailer points at an index of whole
// 16-byte entries and every entry's string lies before the index.
func Open(b []byte) (*Catalog, error) {
	if len(b) < 4 {
		return nil, errors.New("po2lmo: lmo shorter than its trailer")
	}
	off := int64(binary.BigEndian.Uint32(b[len(b)-4:]))
	idxLen := int64(len(b)) - 4 - off
	if off >= int64(len(b)) || idxLen < 0 || idxLen%16 != 0 {
		return nil, fmt.Errorf("po2lmo: index offset %d does not fit a %d-byte file", off, len(b))
	}
	c := &Catalog{data: b}
	for p := off; p < off+idxLen; p += 16 {
		e := b[p : p+16]
		so, sn := int64(binary.BigEndian.Uint32(e[8:])), int64(binary.BigEndian.Uint32(e[12:]))
		if so+sn > off {
			return nil, fmt.Errorf("po2lmo: entry at %d: string %d+%d runs into the index", p, so, sn)
		}
		c.entries = append(c.entries, Entry{
			KeyID: binary.BigEndian.Uint32(e[0:]),
			ValID: binary.BigEndian.Uint32(e[4:]),
			Value: string(b[so : so+sn]),
		})
	}
	return c, nil
}

// Entries returns the index in file order (keys are hashes only).
func (c *Catalog) Entries() []Entry { return c.entries }

// Translate looks msgid up as LuCI's lmo_translate does.
func (c *Catalog) Translate(msgid string) (string, bool) {
	return c.lookup(canonHash(msgid, "", false, -1))
}

// TranslateCtxt looks up msgid in context ctx (lmo_translate_ctxt).
func (c *Catalog) TranslateCtxt(ctx, msgid string) (string, bool) {
	return c.lookup(canonHash(msgid, ctx, true, -1))
}

// TranslatePlural returns plural form n of msgid; ctx "" means no context.
// (LuCI picks n by evaluating the Plural-Forms formula.)
func (c *Catalog) TranslatePlural(ctx, msgid string, n int) (string, bool) {
	return c.lookup(canonHash(msgid, ctx, ctx != "", n))
}

// lookup treats hash 0 (a key LuCI cannot hash) as absent, as lmo.c does.
func (c *Catalog) lookup(hash uint32) (string, bool) {
	if hash == 0 {
		return "", false
	}
	return c.find(hash)
}

// PluralForms returns the stored Plural-Forms header, e.g.
// "nplurals=1; plural=0;".
func (c *Catalog) PluralForms() (string, bool) { return c.find(0) }

// find is lmo_find_entry's binary search over the sorted index.
func (c *Catalog) find(hash uint32) (string, bool) {
	l, r := 0, len(c.entries)-1
	for l <= r {
		m := l + (r-l)/2
		switch k := c.entries[m].KeyID; {
		case k == hash:
			return c.entries[m].Value, true
		case k > hash:
			r = m - 1
		default:
			l = m + 1
		}
	}
	return "", false
}

// canonHash is lmo_canon_hash: runs of white space become one space and
// leading and trailing white space is dropped (in the context and in the
// msgid), then "ctx\x01msgid\x02<first digit of n>" is hashed. Keys over
// LuCI's 4096-byte buffer hash to 0 (never found).
func canonHash(msgid, ctx string, hasCtx bool, plural int) uint32 {
	const bufMax = 4096
	var res []byte
	full := false // lmo.c gives up when a byte arrives with the buffer full
	squeeze := func(s string) {
		prev := byte(' ')
		for i := 0; i < len(s); i++ {
			if len(res) >= bufMax {
				full = true
				return
			}
			if isSpace(s[i]) {
				if !isSpace(prev) {
					res = append(res, ' ')
				}
			} else {
				res = append(res, s[i])
			}
			prev = s[i]
		}
		if n := len(res); n > 0 && isSpace(res[n-1]) {
			res = res[:n-1]
		}
	}
	if hasCtx {
		squeeze(ctx)
		if full || len(res) >= bufMax {
			return 0
		}
		res = append(res, 1)
	}
	squeeze(msgid)
	if full {
		return 0
	}
	if plural > -1 {
		if plural >= 100 || len(res)+3 >= bufMax {
			return 0
		}
		// snprintf(ptr, 3, "\2%d", n) keeps two bytes: \2 and the first digit.
		res = append(res, 2, strconv.Itoa(plural)[0])
	}
	return Hash(string(res))
}
