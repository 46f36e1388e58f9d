// Package version implements the two version orderings eddns packages must
// satisfy at once: apk-tools v3's (src/version.c: validation and
// apk_version_compare) and opkg's (opkg-lede libopkg/pkg.c:
// pkg_compare_versions, the dpkg verrevcmp). Both are written from those
// sources so tests can check that a scheme sorts the same way in both.
package version

import (
	"strings"
)

// apk token kinds, in the order version.c declares them; the order matters
// for validation (which token may follow which) and comparison.
const (
	tokInitialDigit = iota
	tokDigit
	tokLetter
	tokSuffix
	tokSuffixNo
	tokCommitHash
	tokRevisionNo
	tokEnd
	tokInvalid
)

// Suffix values, pre-releases below "none" (version.c DECLARE_SUFFIXES).
const (
	sufInvalid = iota
	sufAlpha
	sufBeta
	sufPre
	sufRC
	sufNone
	sufCVS
	sufSVN
	sufGit
	sufHg
	sufP
)

var suffixes = map[string]int{
	"alpha": sufAlpha, "beta": sufBeta, "pre": sufPre, "rc": sufRC,
	"cvs": sufCVS, "svn": sufSVN, "git": sufGit, "hg": sufHg, "p": sufP,
}

type token struct {
	kind   int
	suffix int
	number uint64
	value  string
}

type tokenizer struct {
	s string
	t token
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isHex(c byte) bool   { return isDigit(c) || (c >= 'a' && c <= 'f') }

func (z *tokenizer) digits() {
	i := 0
	var n uint64
	for i < len(z.s) && isDigit(z.s[i]) {
		n = n*10 + uint64(z.s[i]-'0')
		i++
	}
	z.t.number, z.t.value, z.s = n, z.s[:i], z.s[i:]
	if i == 0 {
		z.t.kind = tokInvalid
	}
}

// span consumes the longest prefix whose bytes satisfy ok
// (apk_blob_spn).
func (z *tokenizer) span(ok func(byte) bool) string {
	i := 0
	for i < len(z.s) && ok(z.s[i]) {
		i++
	}
	v := z.s[:i]
	z.s = z.s[i:]
	return v
}

func (z *tokenizer) first() {
	z.t.kind = tokInitialDigit
	z.digits()
}

func (z *tokenizer) next() {
	if len(z.s) == 0 {
		z.t.kind = tokEnd
		return
	}
	c := z.s[0]
	switch {
	case isLower(c):
		if z.t.kind > tokDigit {
			z.t.kind = tokInvalid
			return
		}
		z.t.value, z.t.kind, z.s = z.s[:1], tokLetter, z.s[1:]
	case c == '.' || isDigit(c):
		if c == '.' {
			if z.t.kind > tokDigit {
				z.t.kind = tokInvalid
				return
			}
			z.s = z.s[1:]
		}
		switch z.t.kind {
		case tokInitialDigit, tokDigit:
			z.t.kind = tokDigit
		case tokSuffix:
			z.t.kind = tokSuffixNo
		default:
			z.t.kind = tokInvalid
			return
		}
		z.digits()
	case c == '_':
		if z.t.kind > tokSuffixNo {
			z.t.kind = tokInvalid
			return
		}
		z.s = z.s[1:]
		z.t.value = z.span(isLower)
		z.t.suffix = suffixes[z.t.value]
		if z.t.suffix == sufInvalid {
			z.t.kind = tokInvalid
			return
		}
		z.t.kind = tokSuffix
	case c == '~':
		if z.t.kind >= tokCommitHash {
			z.t.kind = tokInvalid
			return
		}
		z.s = z.s[1:]
		if z.t.value = z.span(isHex); z.t.value == "" {
			z.t.kind = tokInvalid
			return
		}
		z.t.kind = tokCommitHash
	case c == '-':
		if z.t.kind >= tokRevisionNo || !strings.HasPrefix(z.s, "-r") {
			z.t.kind = tokInvalid
			return
		}
		z.s = z.s[2:]
		z.t.kind = tokRevisionNo
		z.digits()
	default:
		z.t.kind = tokInvalid
	}
}

// ValidAPK reports whether v passes apk_version_validate
// ("digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}").
func ValidAPK(v string) bool {
	z := tokenizer{s: v}
	for z.first(); z.t.kind < tokEnd; z.next() {
	}
	return z.t.kind == tokEnd
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func tokenCmp(a, b *token) int {
	switch a.kind {
	case tokDigit:
		if a.value[0] == '0' || b.value[0] == '0' {
			return strings.Compare(a.value, b.value) // apk_blob_sort for equal-length-prefixed strings
		}
		return cmpUint(a.number, b.number)
	case tokInitialDigit, tokSuffixNo, tokRevisionNo:
		return cmpUint(a.number, b.number)
	case tokLetter:
		return cmpUint(uint64(a.value[0]), uint64(b.value[0]))
	case tokSuffix:
		return cmpUint(uint64(a.suffix), uint64(b.suffix))
	}
	return strings.Compare(a.value, b.value)
}

// CompareAPK is apk_version_compare: -1, 0 or 1.
func CompareAPK(a, b string) int {
	za, zb := tokenizer{s: a}, tokenizer{s: b}
	za.first()
	zb.first()
	for za.t.kind == zb.t.kind && za.t.kind < tokEnd {
		if r := tokenCmp(&za.t, &zb.t); r != 0 {
			return r
		}
		za.next()
		zb.next()
	}
	ta, tb := za.t, zb.t
	if ta.kind == tb.kind {
		return 0
	}
	// The longer version is greater unless what follows is a pre-release.
	if ta.kind == tokSuffix && ta.suffix < sufNone {
		return -1
	}
	if tb.kind == tokSuffix && tb.suffix < sufNone {
		return 1
	}
	if ta.kind > tb.kind {
		return -1
	}
	if tb.kind > ta.kind {
		return 1
	}
	return 0
}

// order is dpkg's character weight: '~' before everything, then the end
// of the string and digits, then letters, then everything else.
func order(c int) int {
	switch {
	case c == '~':
		return -1
	case c >= '0' && c <= '9', c == 0:
		return 0
	case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		return c
	}
	return c + 256
}

func at(s string, i int) int {
	if i < len(s) {
		return int(s[i])
	}
	return 0
}

// verrevcmp is opkg-lede's (from dpkg) comparison of one version part.
func verrevcmp(val, ref string) int {
	i, j := 0, 0
	for i < len(val) || j < len(ref) {
		firstDiff := 0
		for (i < len(val) && !isDigit(val[i])) || (j < len(ref) && !isDigit(ref[j])) {
			vc, rc := order(at(val, i)), order(at(ref, j))
			if vc != rc {
				return vc - rc
			}
			i++
			j++
		}
		for i < len(val) && val[i] == '0' {
			i++
		}
		for j < len(ref) && ref[j] == '0' {
			j++
		}
		for i < len(val) && j < len(ref) && isDigit(val[i]) && isDigit(ref[j]) {
			if firstDiff == 0 {
				firstDiff = int(val[i]) - int(ref[j])
			}
			i++
			j++
		}
		if i < len(val) && isDigit(val[i]) {
			return 1
		}
		if j < len(ref) && isDigit(ref[j]) {
			return -1
		}
		if firstDiff != 0 {
			return firstDiff
		}
	}
	return 0
}

// splitOpkg parses "[epoch:]version[-revision]" as opkg-lede's
// parse_version does: the revision follows the last '-'.
func splitOpkg(v string) (epoch uint64, ver, rev string) {
	if i := strings.IndexByte(v, ':'); i >= 0 {
		for _, c := range v[:i] {
			if c < '0' || c > '9' {
				break
			}
			epoch = epoch*10 + uint64(c-'0')
		}
		v = v[i+1:]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

// CompareOpkg is pkg_compare_versions: epoch, then version, then revision;
// the sign of the result is what counts.
func CompareOpkg(a, b string) int {
	ea, va, ra := splitOpkg(a)
	eb, vb, rb := splitOpkg(b)
	if ea != eb {
		return cmpUint(ea, eb)
	}
	if r := verrevcmp(va, vb); r != 0 {
		return sign(r)
	}
	return sign(verrevcmp(ra, rb))
}

func sign(r int) int {
	switch {
	case r < 0:
		return -1
	case r > 0:
		return 1
	}
	return 0
}
