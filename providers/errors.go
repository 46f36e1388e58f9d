package providers

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies a provider failure so callers can pick a retry policy.
type Kind int

const (
	KindUnknown   Kind = iota
	KindAuth           // bad or disabled credentials, forbidden
	KindClockSkew      // request timestamp refused; re-sign with a corrected clock
	KindThrottled      // rate limited; honour RetryAfter
	KindNotFound       // zone or record does not exist
	KindConflict       // conflicting record (e.g. CNAME at the name)
	KindTransient      // network trouble, 5xx, internal errors: retry soon
	KindPermanent      // the request is wrong; retrying will not help
	KindConfig         // the configuration asks for what the account refuses (e.g. a TTL below the plan's minimum); Error.Hint says which option to change
)

var kindNames = [...]string{"unknown", "auth", "clock-skew", "throttled", "not-found", "conflict", "transient", "permanent", "configuration"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a failed provider call. It never holds credentials.
type Error struct {
	Provider   string        // "alidns", "tencentcloud", ...
	Op         string        // "list", "create", "update"
	Record     string        // "nas.example.com/AAAA"
	Kind       Kind          // classification
	Code       string        // the provider's own error code, if any
	Message    string        // the provider's message, if any
	RequestID  string        // the provider's request id, if any
	HTTPStatus int           // 0 when no response was received
	RetryAfter time.Duration // server-requested delay, if any
	Err        error         // underlying transport or decode error
	Hint       string        // what the user can do, naming the option to change
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s: %s", e.Provider, e.Op, e.Record, e.Kind)
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, KindUnknown if
// there is none.
func KindOf(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return KindUnknown
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// Plan TTL limits. The free plans of alidns and DNSPod refuse a TTL below
// 600 s (alidns QuotaExceeded.TTL, DNSPod LimitExceeded.RecordTtlLimit);
// alidns accepts at most 86400 s, DNSPod and CNS 604800 s.
const (
	FreePlanMinTTL = 600
	AlidnsMaxTTL   = 86400
	DNSPodMaxTTL   = 604800
)

// LineHint is the Hint of a line the provider does not know for the zone.
const LineHint = "option line is not a line this domain offers: use one of the provider's line codes, or leave line empty for the default line"

// TTLHint is the Hint of a TTL refused by the account's plan: it names the
// option and the values that work.
func TTLHint(ttl, maxTTL int) string {
	if ttl <= 0 {
		return fmt.Sprintf("option ttl is refused by the account's plan: free plans need ttl %d or more (at most %d)", FreePlanMinTTL, maxTTL)
	}
	if ttl > maxTTL {
		return fmt.Sprintf("option ttl '%d' is above what the provider allows: set ttl to %d or less", ttl, maxTTL)
	}
	return fmt.Sprintf("option ttl '%d' is refused by the account's plan: free plans need ttl %d or more (at most %d)", ttl, FreePlanMinTTL, maxTTL)
}
