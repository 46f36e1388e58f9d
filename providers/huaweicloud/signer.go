package huaweicloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// The APIG "SDK-HMAC-SHA256" scheme, as huaweicloud-sdk-go-v3
// core/auth/signer/signer.go implements it and the API signing guide
// (support.huaweicloud.com/devg-apisign) describes it:
//
//	CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n
//	                   CanonicalHeaders \n SignedHeaders \n HexSHA256(body)
//	StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n HexSHA256(CanonicalRequest)
//	Signature        = HexLower(HMAC-SHA256(SK, StringToSign))
//
// No key derivation. The date is YYYYMMDDTHHMMSSZ in UTC.
const (
	Algorithm  = "SDK-HMAC-SHA256"
	DateFormat = "20060102T150405Z"
	// HeaderDate carries the signing time.
	HeaderDate = "X-Sdk-Date"
)

// escape percent-encodes everything but A-Z a-z 0-9 - _ . ~ with
// upper-case hex (signer/escape.go).
func escape(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// CanonicalURI escapes each path segment and always ends with "/".
func CanonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	u := strings.Join(segs, "/")
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// CanonicalQuery sorts the parameters by name, then by value, escaping
// both.
func CanonicalQuery(q map[string][]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// SignedHeaderNames picks the headers that take part in the signature:
// lower-cased and sorted, without content-type* and names holding "_"
// (the current SDK leaves both out; a gateway may drop underscored
// headers).
func SignedHeaderNames(h map[string]string) []string {
	var names []string
	for k := range h {
		l := strings.ToLower(k)
		if strings.HasPrefix(l, "content-type") || strings.Contains(l, "_") {
			continue
		}
		names = append(names, l)
	}
	sort.Strings(names)
	return names
}

// Sign returns the Authorization header value for a request. headers must
// hold X-Sdk-Date (and Host when it is to be signed); query holds the
// decoded query parameters.
func Sign(method, path string, query map[string][]string, headers map[string]string, body []byte, ak, sk string) string {
	signed := SignedHeaderNames(headers)
	sig := Signature(method, path, query, headers, signed, body, sk)
	return Algorithm + " Access=" + ak + ", SignedHeaders=" + strings.Join(signed, ";") + ", Signature=" + sig
}

// Signature computes the hex signature over the given signed headers.
func Signature(method, path string, query map[string][]string, headers map[string]string, signed []string, body []byte, sk string) string {
	lower := make(map[string]string, len(headers))
	for k, v := range headers {
		lower[strings.ToLower(k)] = v
	}
	var ch strings.Builder
	for _, n := range signed {
		ch.WriteString(n + ":" + strings.TrimSpace(lower[n]) + "\n")
	}
	bodyHash := sha256.Sum256(body)
	canonical := method + "\n" + CanonicalURI(path) + "\n" + CanonicalQuery(query) + "\n" + ch.String() + "\n" +
		strings.Join(signed, ";") + "\n" + hex.EncodeToString(bodyHash[:])
	crHash := sha256.Sum256([]byte(canonical))
	sts := Algorithm + "\n" + lower[strings.ToLower(HeaderDate)] + "\n" + hex.EncodeToString(crHash[:])
	m := hmac.New(sha256.New, []byte(sk))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}
