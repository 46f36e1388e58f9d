package tencentcloudtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"
)

// This file is the fake's own reading of "签名方法 v3", written apart from
// the client's signer so that a shared mistake cannot hide: it takes the
// signed header list from the request, canonicalises whatever headers that
// list names, and recomputes the signature.

// authz is a parsed Authorization header.
type authz struct {
	secretID      string
	date          string // YYYY-MM-DD from the credential scope
	service       string
	signedHeaders []string
	signature     string
}

var errMalformed = errors.New("malformed Authorization")

// parseAuthorization reads
// "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(v string) (authz, error) {
	var a authz
	rest, ok := strings.CutPrefix(v, "TC3-HMAC-SHA256 ")
	if !ok {
		return a, errMalformed
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, errMalformed
		}
		fields[k] = val
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 4 || cred[3] != "tc3_request" || cred[0] == "" {
		return a, errMalformed
	}
	a.secretID, a.date, a.service = cred[0], cred[1], cred[2]
	if fields["SignedHeaders"] == "" || fields["Signature"] == "" {
		return a, errMalformed
	}
	a.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	a.signature = fields["Signature"]
	return a, nil
}

// expectedSignature recomputes the signature of r (whose body is body) for
// the given credential.
func expectedSignature(r *http.Request, body []byte, a authz, timestamp, secretKey string) (string, error) {
	names := append([]string(nil), a.signedHeaders...)
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		var v string
		if n == "host" {
			v = r.Host
		} else {
			v = r.Header.Get(n)
		}
		if v == "" {
			return "", errors.New("signed header " + n + " missing")
		}
		canonHeaders.WriteString(n + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	query := ""
	payload := body
	if r.Method == http.MethodGet {
		query = r.URL.RawQuery
		payload = nil // the doc: GET hashes the empty string
	}
	bodyHash := sha256.Sum256(payload)
	creq := strings.Join([]string{
		r.Method, "/", query, canonHeaders.String(), strings.Join(names, ";"), hex.EncodeToString(bodyHash[:]),
	}, "\n")
	creqHash := sha256.Sum256([]byte(creq))
	scope := a.date + "/" + a.service + "/tc3_request"
	sts := "TC3-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + hex.EncodeToString(creqHash[:])

	key := []byte("TC3" + secretKey)
	for _, step := range []string{a.date, a.service, "tc3_request"} {
		key = mac(key, step)
	}
	return hex.EncodeToString(mac(key, sts)), nil
}

func mac(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// utcDate is the credential-scope date of a UNIX timestamp.
func utcDate(ts int64) string { return time.Unix(ts, 0).UTC().Format(time.DateOnly) }
