package tencentcloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// algorithm is the name of Tencent Cloud's API 3.0 signing scheme.
const algorithm = "TC3-HMAC-SHA256"

// signInput is everything TC3-HMAC-SHA256 covers.
type signInput struct {
	SecretID, SecretKey string
	Service             string // "dnspod"
	Host                string // as sent in the Host header (with port if any)
	Method              string // "POST" or "GET"
	Query               string // canonical query string; "" for POST
	ContentType         string // exactly as sent
	Action              string // X-TC-Action
	Timestamp           int64  // X-TC-Timestamp, UNIX seconds
	Payload             []byte // request body
	// SignAction adds x-tc-action to SignedHeaders, as the current doc
	// example does; the SDKs sign only content-type and host.
	SignAction bool
}

// signature is the result of signing, intermediates included so they can
// be checked against the published worked example.
type signature struct {
	CanonicalRequest string
	SignedHeaders    string
	CredentialScope  string
	StringToSign     string
	SecretDate       []byte
	SecretService    []byte
	SecretSigning    []byte
	Signature        string // lower-case hex
	Authorization    string // value of the Authorization header
}

// sign computes TC3-HMAC-SHA256 as published in "签名方法 v3"
// (https://cloud.tencent.com/document/api/213/30654).
func sign(in signInput) signature {
	var s signature

	// The doc lower-cases and trims header values; that is why its
	// x-tc-action value reads "describeinstances".
	canon := func(v string) string { return strings.ToLower(strings.TrimSpace(v)) }
	headers := "content-type:" + canon(in.ContentType) + "\n" + "host:" + canon(in.Host) + "\n"
	s.SignedHeaders = "content-type;host"
	if in.SignAction {
		headers += "x-tc-action:" + canon(in.Action) + "\n"
		s.SignedHeaders += ";x-tc-action"
	}
	s.CanonicalRequest = in.Method + "\n" +
		"/\n" +
		in.Query + "\n" +
		headers + "\n" +
		s.SignedHeaders + "\n" +
		sha256Hex(in.Payload)

	// The date is the UTC date of the timestamp: a router in UTC+8 using
	// its local date would fail every request between 00:00 and 08:00.
	date := time.Unix(in.Timestamp, 0).UTC().Format("2006-01-02")
	s.CredentialScope = date + "/" + in.Service + "/tc3_request"
	s.StringToSign = algorithm + "\n" +
		strconv.FormatInt(in.Timestamp, 10) + "\n" +
		s.CredentialScope + "\n" +
		sha256Hex([]byte(s.CanonicalRequest))

	s.SecretDate = hmacSHA256([]byte("TC3"+in.SecretKey), date)
	s.SecretService = hmacSHA256(s.SecretDate, in.Service)
	s.SecretSigning = hmacSHA256(s.SecretService, "tc3_request")
	s.Signature = hex.EncodeToString(hmacSHA256(s.SecretSigning, s.StringToSign))
	// ", " separators (comma and space), unlike Alibaba's ACS3.
	s.Authorization = algorithm + " Credential=" + in.SecretID + "/" + s.CredentialScope +
		", SignedHeaders=" + s.SignedHeaders + ", Signature=" + s.Signature
	return s
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
