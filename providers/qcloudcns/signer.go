package qcloudcns

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"sort"
	"strings"
)

// Signature methods of Tencent Cloud API 2.0. HmacSHA1 is the server's
// default when SignatureMethod is absent; we always send HmacSHA256.
const (
	methodSHA1   = "HmacSHA1"
	methodSHA256 = "HmacSHA256"
)

// stringToSign builds the API 2.0 string to sign:
// METHOD + host + path + "?" + k=v pairs sorted by key and joined with "&".
// Values are raw (not URL-encoded) and "_" in a key becomes "." (the doc's
// rule for array parameters such as InstanceIds.0). params must not hold
// Signature.
func stringToSign(method, hostPath string, params map[string]string) string {
	// Keys are renamed before sorting: the server sorts the names it
	// restored, not the ones PHP handed it.
	pairs := make([][2]string, 0, len(params))
	for k, v := range params {
		pairs = append(pairs, [2]string{strings.ReplaceAll(k, "_", "."), v})
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	var b strings.Builder
	b.WriteString(method)
	b.WriteString(hostPath)
	b.WriteByte('?')
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p[0])
		b.WriteByte('=')
		b.WriteString(p[1])
	}
	return b.String()
}

// hmacBase64 is Base64(HMAC(key, msg)) with the hash named by method.
func hmacBase64(method, key, msg string) (string, error) {
	var h func() hash.Hash
	switch method {
	case methodSHA1:
		h = sha1.New
	case methodSHA256:
		h = sha256.New
	default:
		return "", fmt.Errorf("unsupported signature method %q", method)
	}
	m := hmac.New(h, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}
