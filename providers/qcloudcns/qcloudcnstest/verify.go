package qcloudcnstest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net/url"
	"slices"
	"strings"
)

// This is the fake's own reading of the API 2.0 signature ("签名方法"),
// kept apart from the client's signer: the server restores "." in names
// PHP turned into "_", sorts the parameters by name and signs
// METHOD + host + path + "?" + name=value&... with raw values.

// canonical returns the string the server expects to have been signed.
func canonical(method, host, path string, form url.Values) string {
	type kv struct{ k, v string }
	var list []kv
	for k, vs := range form {
		if k == "Signature" || len(vs) == 0 {
			continue
		}
		list = append(list, kv{strings.Map(func(r rune) rune {
			if r == '_' {
				return '.'
			}
			return r
		}, k), vs[0]})
	}
	slices.SortFunc(list, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	parts := make([]string, len(list))
	for i, p := range list {
		parts[i] = p.k + "=" + p.v
	}
	return method + host + path + "?" + strings.Join(parts, "&")
}

// digest returns base64(HMAC(secret, msg)) for the named method, or false
// for a method the API does not know.
func digest(signatureMethod, secret, msg string) (string, bool) {
	var newHash func() hash.Hash
	switch signatureMethod {
	case "", "HmacSHA1": // HmacSHA1 is the documented default
		newHash = sha1.New
	case "HmacSHA256":
		newHash = sha256.New
	default:
		return "", false
	}
	m := hmac.New(newHash, []byte(secret))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil)), true
}
