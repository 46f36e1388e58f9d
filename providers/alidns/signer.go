package alidns

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"sort"
	"strings"
)

// This file is the Alibaba Cloud RPC signature, version 1.0 with HMAC-SHA1
// (called "V2 RPC" in the current documentation):
// https://www.alibabacloud.com/help/doc-detail/29747.htm

// PercentEncode encodes s the way the RPC signature requires: RFC 3986 over
// the UTF-8 bytes, leaving only A-Z a-z 0-9 - _ . ~ as they are and writing
// everything else as %XY with upper-case hex. A space becomes %20 (never
// "+") and "*" becomes %2A, which is where url.QueryEscape differs.
func PercentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// CanonicalQuery returns the canonicalized query string of params: every
// parameter except Signature, sorted by name in byte order, each name and
// value percent-encoded and joined as name=value with "&". Empty values take
// part as "name=".
func CanonicalQuery(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(PercentEncode(k))
		b.WriteByte('=')
		b.WriteString(PercentEncode(params[k]))
	}
	return b.String()
}

// StringToSign returns method + "&%2F&" + the percent-encoded canonical
// query. The canonical query is encoded a second time here, so ":" in a
// value appears as %253A. method must be the HTTP method actually used.
func StringToSign(method string, params map[string]string) string {
	return method + "&" + PercentEncode("/") + "&" + PercentEncode(CanonicalQuery(params))
}

// HMACSHA1 returns the standard Base64 encoding of HMAC-SHA1(key, message).
func HMACSHA1(key, message string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(message))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sign returns the Signature parameter for a request with the given method
// and parameters: Base64(HMAC-SHA1(secret + "&", StringToSign)).
func Sign(method string, params map[string]string, secret string) string {
	return HMACSHA1(secret+"&", StringToSign(method, params))
}
