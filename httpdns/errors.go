package httpdns

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// The error codes the API documents, sent as {"code":"..."} bodies.
const (
	CodeMissingArgument  = "MissingArgument"  // 403: a required parameter is missing
	CodeInvalidParam     = "InvalidParam"     // 403: a parameter is malformed
	CodeInvalidSignature = "InvalidSignature" // 403: sign does not verify
	CodeSignatureExpired = "SignatureExpired" // 403: t is in the past
	CodeDnNotInWhitelist = "DnNotInWhitelist" // 403: host is not in the account's whitelist
	CodeInvalidAccountID = "InvalidAccountId" // 403: account_id does not exist
	CodeInvalidURLPath   = "InvalidUrlPath"   // 404: no such path
	CodeMethodNotAllowed = "MethodNotAllowed" // 405: not a GET
	CodeAccessRestricted = "AccessRestricted" // 503: too many requests or connections
	CodeInternalError    = "InternalError"    // 500: server fault
)

// codeInfo is what we know about a documented code: its HTTP status, how a
// caller should treat it, and what a user can do about it.
type codeInfo struct {
	status int
	kind   providers.Kind
	hint   string
}

var codes = map[string]codeInfo{
	CodeMissingArgument: {httpc.StatusForbidden, providers.KindPermanent,
		"a required parameter was not sent; check that the httpdns section sets url, account_id and secret (if they are set, this is an eddns bug)"},
	CodeInvalidParam: {httpc.StatusForbidden, providers.KindPermanent,
		"a parameter was rejected; check that account_id is the 32-hex-digit id from the console, that the host name is valid, and that the router clock is not more than 5 minutes fast"},
	CodeInvalidSignature: {httpc.StatusForbidden, providers.KindAuth,
		"the signature does not verify; the secret option does not belong to this account_id (copy the 20-character secret from the console again)"},
	CodeSignatureExpired: {httpc.StatusForbidden, providers.KindClockSkew,
		"the server saw the signature as already expired; the router clock is behind (enable NTP; eddns corrects itself only when the server sends a Date header)"},
	CodeDnNotInWhitelist: {httpc.StatusForbidden, providers.KindPermanent,
		"the host is not in the account's domain whitelist; add its root domain in the HTTPDNS console (changes take up to 2 minutes to apply)"},
	CodeInvalidAccountID: {httpc.StatusForbidden, providers.KindAuth,
		"the account_id is unknown to the service; copy it from the console again"},
	CodeInvalidURLPath: {httpc.StatusNotFound, providers.KindPermanent,
		"the server has no such path; the url option should end in /sign_d, e.g. http://dns.kangdbao.net/sign_d"},
	CodeMethodNotAllowed: {httpc.StatusMethodNotAllowed, providers.KindPermanent,
		"the server refused the HTTP method; eddns sends GET, so a proxy between the router and the service is rewriting requests"},
	CodeAccessRestricted: {httpc.StatusServiceUnavailable, providers.KindThrottled,
		"the service is refusing requests because of their rate or number of connections; query less often and retry later"},
	CodeInternalError: {httpc.StatusInternalServerErr, providers.KindTransient,
		"the service failed internally; retry later"},
}

// Error is an error answer from the HTTPDNS service: a documented code, an
// unknown code, or an unexpected HTTP status without a code. It never holds
// the secret, the signature or the request URL.
type Error struct {
	Host       string // the queried host
	Type       string // the queried type, A or AAAA
	Code       string // the API's code, "" when the body carried none
	HTTPStatus int    // the HTTP status of the answer
}

// Error returns the code, the status and the hint in one line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "httpdns: resolve %s/%s: ", e.Host, e.Type)
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		b.WriteString("unexpected answer")
	}
	fmt.Fprintf(&b, " (HTTP %d): %s", e.HTTPStatus, e.Hint())
	return b.String()
}

// Hint says, in words a user can act on, what the error most likely means.
func (e *Error) Hint() string {
	if info, ok := codes[e.Code]; ok {
		return info.hint
	}
	if e.Code != "" {
		return "the service answered with an error code this version of eddns does not know"
	}
	switch {
	case e.HTTPStatus == httpc.StatusNotFound:
		return "the server has no such path; check the url option (it should end in /sign_d)"
	case e.HTTPStatus >= 500:
		return "the service or a proxy in front of it failed; retry later"
	}
	return "the server's answer is not an HTTPDNS answer; check the url option"
}

// Kind classifies the error for retry policy, with the shared provider kinds:
// KindAuth and KindPermanent will not heal by retrying, KindClockSkew needs
// a corrected clock, KindThrottled and KindTransient are worth retrying later.
func (e *Error) Kind() providers.Kind {
	if info, ok := codes[e.Code]; ok {
		return info.kind
	}
	return providers.StatusKind(e.HTTPStatus)
}

// ErrMalformed is wrapped by errors for bodies that are neither a documented
// answer nor a documented error: bad JSON or text, addresses of the wrong
// family, or an encrypted body that does not decrypt.
var ErrMalformed = errors.New("malformed response")

// ErrInvalidQuery is wrapped by errors for queries refused before anything
// is sent, such as an IPv6 client address or an unknown record type.
var ErrInvalidQuery = errors.New("invalid query")

// ErrConfig is wrapped by errors for a Client that cannot send requests: no
// URL, account id or secret.
var ErrConfig = errors.New("invalid httpdns configuration")

// NotVisible is returned by WaitVisible when the wanted address did not show
// up within the window.
type NotVisible struct {
	Host     string
	Type     string
	Want     netip.Addr
	After    time.Duration // time spent waiting
	Attempts int           // queries sent
	LastSeen []netip.Addr  // addresses in the last successful answer
	LastErr  error         // error of the last query, nil if it succeeded
}

// Error reports the wanted address, the time spent and what was seen instead.
func (e *NotVisible) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "httpdns: %s/%s: %s not visible after %s (%d queries)", e.Host, e.Type, e.Want, e.After, e.Attempts)
	switch {
	case e.LastErr != nil:
		fmt.Fprintf(&b, "; last query failed: %v", e.LastErr)
	case len(e.LastSeen) == 0:
		b.WriteString("; last answer: no address")
	default:
		b.WriteString("; last answer: ")
		for i, a := range e.LastSeen {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(a.String())
		}
	}
	return b.String()
}

// Unwrap returns the last query's error, if any.
func (e *NotVisible) Unwrap() error { return e.LastErr }
