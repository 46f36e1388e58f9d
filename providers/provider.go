// Package providers defines the small seam between eddns and a DNS API.
//
// A provider only speaks its API: it lists, creates and updates address
// records of one name. What to publish, when, caching and retry policy belong
// to the caller (the reconciler). Concrete providers live in sub-packages.
package providers

import (
	"context"
	"time"

	"github.com/eddns/eddns/httpc"
)

// Record is one DNS address record as a provider stores it.
type Record struct {
	ID    string // provider's record id; empty before creation
	Name  string // host label(s) relative to the zone; "@" is the apex
	Type  string // "A" or "AAAA"
	Value string // canonical textual address
	TTL   int    // seconds; 0 means the provider default
	// Line is the provider's resolution line code ("default", "telecom" at
	// alidns; a RecordLineId such as "0" or "10=0" at DNSPod). List fills it
	// in; on writes "" means the provider's default line. Providers without
	// lines leave it empty.
	Line string
	// Disabled is set by List for a paused record: it is kept at the
	// provider but does not resolve.
	Disabled bool
}

// Provider is what every DNS API implementation offers.
//
// All methods honour ctx for cancellation and deadlines and return errors of
// type *Error (possibly wrapped) so callers can classify them with KindOf.
type Provider interface {
	// List returns the records of zone with the given relative name and type.
	// No matching record is not an error: it returns an empty slice.
	List(ctx context.Context, zone, name, typ string) ([]Record, error)
	// Create adds rec to zone and returns it with its new ID.
	Create(ctx context.Context, zone string, rec Record) (Record, error)
	// Update sets the record rec.ID in zone to rec. Updating to the value the
	// record already holds is success.
	Update(ctx context.Context, zone string, rec Record) (Record, error)
}

// LineProvider is implemented by providers whose records live on resolution
// lines (split-horizon by the resolver's network). A record manages one line:
// the configured one, or DefaultLine when none is configured.
type LineProvider interface {
	// DefaultLine is the code List reports for the default line.
	DefaultLine() string
}

// Enabler is implemented by providers that can resume a paused record.
// Update sets value, TTL and line; where the API's update call leaves a
// paused record paused, the returned record still has Disabled set and the
// caller enables it with Enable.
type Enabler interface {
	Enable(ctx context.Context, zone string, rec Record) error
}

// Options are the settings every provider accepts besides its credentials.
type Options struct {
	// Endpoint overrides the official API base URL (tests, private endpoints).
	Endpoint string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient sends requests; nil means an httpc.Client with the system
	// CA roots. Tests wrap one to tamper with traffic.
	HTTPClient httpc.Doer
	// Clock supplies request timestamps and learns the server's clock from
	// response Date headers; nil means a private clock with no offset.
	Clock *Clock
	// UserAgent overrides DefaultUserAgent.
	UserAgent string
}

// DefaultTimeout bounds a provider request when Options.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// MaxResponseBytes limits how much of a response body a provider reads.
const MaxResponseBytes = 1 << 20

// DefaultUserAgent is sent unless Options.UserAgent is set. main sets the
// version part at start-up through Options.UserAgent.
const DefaultUserAgent = "eddns (+https://github.com/eddns/eddns)"
