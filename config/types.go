// Package config turns a UCI file (/etc/config/eddns) into validated, typed
// settings. Every value remembers where it came from, so that problems are
// reported as file:line: section.option: message, all at once.
package config

import (
	"net/netip"
	"time"

	"github.com/eddns/eddns/providers"
)

// Pos is where a section or option was written.
type Pos struct {
	File string
	Line int
}

// Config is a whole, validated eddns configuration.
type Config struct {
	File      string
	Global    Global
	Providers map[string]*Provider // by section name
	Records   []*Record            // in file order, enabled or not
	HTTPDNS   map[string]*HTTPDNS  // by section name
}

// Global holds the `config global` section.
type Global struct {
	Enabled        bool
	LogLevel       string        // debug | info | warn | error
	StateDir       string        // state cache + status.json
	ResyncInterval time.Duration // 0 = off
}

// Provider is a `config provider` section.
type Provider struct {
	Name     string // section name
	Type     string // a registered provider type (providers.Spec)
	Endpoint string // "" = official endpoint
	Timeout  time.Duration
	// Settings hold every option of the type, credentials included; the
	// type's Spec.New reads them. They never print.
	Settings providers.Settings
	Pos      Pos
}

// Record is a `config record` section: one name and type to keep current.
type Record struct {
	Section  string // section name (generated for anonymous sections)
	Enabled  bool
	Provider string // provider section name
	Zone     string
	Name     string     // relative host label(s); "@" = apex
	Type     string     // A | AAAA
	TTL      int        // seconds; 0 = provider default
	Line     string     // provider's resolution line code; "" = default line
	Source   string     // interface | prefix | url | static | host
	Device   string     // Linux device name (source=host: the LAN device, default br-lan)
	MAC      string     // source=host: the host's MAC, lower case with colons
	Network  string     // UCI logical interface, resolved to a device via ubus
	Prefer   string     // stable | temporary | any (source=interface, AAAA)
	Suffix   netip.Addr // source=prefix: host part joined to the live prefix
	URLs     []string   // source=url
	Value    netip.Addr // source=static
	Verify   string     // httpdns section name, optional
	Pos      Pos
}

// FQDN is the record's fully qualified name without a trailing dot.
func (r *Record) FQDN() string {
	if r.Name == "@" || r.Name == "" {
		return r.Zone
	}
	return r.Name + "." + r.Zone
}

// Key identifies the record across restarts: provider, zone, name and type,
// and the line when one is set (records of one name on different lines are
// different records).
func (r *Record) Key() string {
	if r.Line != "" {
		return r.Provider + "/" + r.FQDN() + "/" + r.Type + "/" + r.Line
	}
	return r.Provider + "/" + r.FQDN() + "/" + r.Type
}

// HTTPDNS is a `config httpdns` section.
type HTTPDNS struct {
	Name      string
	URL       string
	AccountID string
	Secret    Secret
	Encrypt   bool
	Timeout   time.Duration
	Window    time.Duration // verify_window: how long a write may take to show
	Pos       Pos
}

// Secret is a credential. It prints as [redacted] through fmt, slog and
// encoding/json so that it cannot leak by accident; Reveal returns it.
//
// It is a struct holding a pointer, not a string, on purpose: when fmt meets
// a bad verb (say %q on a *Provider) it prints the value by reflection
// without calling String, and a string field would then be printed as is.
// A pointer nested in a struct is printed as an address.
type Secret struct{ v *string }

const redacted = "[redacted]"

// NewSecret wraps a credential.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// Reveal returns the credential itself, for signing requests only.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.v == nil || *s.v == "" }

// Equal compares two credentials by value.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

func (s Secret) String() string { return redacted }

// GoString hides the credential from fmt's %#v.
func (s Secret) GoString() string { return redacted }

// MarshalText keeps secrets out of JSON and other text encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
