package alidns

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// This file is the V3 signature, ACS3-HMAC-SHA256, which the current
// documentation recommends over RPC 1.0:
// https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature
// The provider still signs with RPC 1.0, which alidns accepts; this is here,
// checked against the published example, for when that changes.

// ACS3Request is the part of an RPC-style request the V3 signature covers.
type ACS3Request struct {
	Method string
	// Query holds the query parameters (not a form body).
	Query map[string]string
	// Headers are the request headers; only host, content-type and x-acs-*
	// are signed, with names compared case-insensitively.
	Headers map[string]string
	Body    []byte
}

// ACS3CanonicalRequest returns the canonical request of r, and its signed
// header list, for the canonical URI "/" of RPC-style APIs.
func ACS3CanonicalRequest(r ACS3Request) (canonical, signedHeaders string) {
	keys := make([]string, 0, len(r.Query))
	for k := range r.Query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = PercentEncode(k) + "=" + PercentEncode(r.Query[k])
	}

	hv := map[string]string{}
	for k, v := range r.Headers {
		k = strings.ToLower(k)
		if k == "host" || k == "content-type" || strings.HasPrefix(k, "x-acs-") {
			hv[k] = strings.TrimSpace(v)
		}
	}
	names := make([]string, 0, len(hv))
	for k := range hv {
		names = append(names, k)
	}
	sort.Strings(names)
	var ch strings.Builder
	for _, k := range names {
		ch.WriteString(k + ":" + hv[k] + "\n")
	}
	signedHeaders = strings.Join(names, ";")
	sum := sha256.Sum256(r.Body)
	// The canonical headers end in "\n" and the join adds another, so
	// the canonical request has a blank line there.
	canonical = strings.Join([]string{r.Method, "/", strings.Join(q, "&"), ch.String(), signedHeaders, hex.EncodeToString(sum[:])}, "\n")
	return canonical, signedHeaders
}

// ACS3Sign returns the hex signature of r and the Authorization header
// value carrying it. Unlike RPC 1.0 the HMAC key is the bare secret.
func ACS3Sign(keyID, secret string, r ACS3Request) (signature, authorization string) {
	canonical, signed := ACS3CanonicalRequest(r)
	sum := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("ACS3-HMAC-SHA256\n" + hex.EncodeToString(sum[:])))
	signature = hex.EncodeToString(mac.Sum(nil))
	return signature, "ACS3-HMAC-SHA256 Credential=" + keyID + ",SignedHeaders=" + signed + ",Signature=" + signature
}
