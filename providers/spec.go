package providers

import (
	"fmt"
	"strconv"
	"sync"
)

// A provider type declares itself once, in its own package, with a Spec:
// its UCI type name, its options and its constructor. Everything else is
// derived from the declaration: config parsing and `eddns check`, `eddns
// schema`, the LuCI form and its validation (luci-app-eddns generates
// htdocs/luci-static/resources/eddns/providers.js from the schema).
//
// To add a provider:
//
//  1. Create providers/<name>/ with a `var Spec = &providers.Spec{...}`
//     whose New builds the provider from its Settings.
//  2. Add Spec to the list in providers/registry.
//  3. Run `go generate ./luci-app-eddns` (schema copies and the LuCI
//     providers.js), then translate the new strings in
//     luci-app-eddns/po/zh_Hans/eddns.po and add validation cases.
//
// Options shared by several types (access_key_id, endpoint, timeout, ...)
// are declared by each type that takes them; the schema merges them into
// one UCI option that applies to those types. Their kind, format and
// limits must agree. Validation is named by Kind and Format, a vocabulary
// both config/values.go and the LuCI validate.js implement, so a new
// provider needs no Go-only checks the page could not mirror.
type Spec struct {
	Type    string   // `option type`, e.g. "cloudflare"
	Title   string   // human name, e.g. "Cloudflare"
	Options []Option // every option besides type, in form order
	// New builds the provider. s holds the type's options as checked by
	// the config parser, defaults filled in.
	New func(s Settings, opts Options) (Provider, error)
}

// Option declares one UCI option of a provider type.
type Option struct {
	Name string
	// Kind is one of the config kinds: "string", "secret", "int", "enum",
	// "bool", "url", "list". Secret options are never shown or logged.
	Kind string
	Item string // kind of each element of a "list" ("string", "url")
	// Secret marks a list whose values are credentials (kind "secret"
	// implies it).
	Secret   bool
	Values   []string // allowed values of an "enum"
	Default  string
	Required bool
	Min, Max *int64 // limits of an "int"
	Unit     string
	// Format narrows a string (or list item): domain, hostname, hex32,
	// http_header, host_port, base64, label, ... (config/values.go).
	Format string
	Label  string // short title in the LuCI form
	Help   string // one sentence for `eddns schema` and the form
}

// The option kinds, the same words as config.Kind.
const (
	OptString = "string"
	OptSecret = "secret"
	OptInt    = "int"
	OptEnum   = "enum"
	OptBool   = "bool"
	OptURL    = "url"
	OptList   = "list"
)

// EndpointOption and TimeoutOption are the options most HTTP providers
// share; a Spec lists them when they apply to it.
var (
	EndpointOption = Option{Name: "endpoint", Kind: OptURL, Label: "Endpoint",
		Help: "API endpoint; empty means the provider's official endpoint."}
	TimeoutOption = Option{Name: "timeout", Kind: OptInt, Min: I64(1), Max: I64(300), Unit: "seconds",
		Default: "15", Label: "Timeout", Help: "Time limit of one API call."}
)

// I64 returns a pointer to v, for Option.Min and Max.
func I64(v int64) *int64 { return &v }

// Settings are the values of a provider section, as checked by the config
// parser, with defaults filled in. They print as [settings] so that they
// cannot leak credentials through a log line. The values hide behind a
// pointer to a pointer: under a verb that makes fmt skip String (%d, %t)
// it prints by reflection and follows a pointer to a map, but prints a
// pointer to a pointer as a bare address. reflect.DeepEqual still compares
// the values.
type Settings struct{ p **map[string][]string }

// NewSettings wraps option values by name (each a list; scalars have one).
func NewSettings(vals map[string][]string) Settings {
	cp := make(map[string][]string, len(vals))
	for k, v := range vals {
		cp[k] = append([]string(nil), v...)
	}
	pp := &cp
	return Settings{p: &pp}
}

func (s Settings) vals() map[string][]string {
	if s.p == nil || *s.p == nil {
		return nil
	}
	return **s.p
}

// Get returns the value of a scalar option, "" when unset.
func (s Settings) Get(name string) string {
	if v := s.vals()[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// List returns the values of a list option.
func (s Settings) List(name string) []string { return append([]string(nil), s.vals()[name]...) }

// Int returns an int option, 0 when unset or not a number.
func (s Settings) Int(name string) int {
	n, _ := strconv.Atoi(s.Get(name))
	return n
}

// Equal compares two settings by value.
func (s Settings) Equal(o Settings) bool {
	a, b := s.vals(), o.vals()
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || len(v) != len(w) {
			return false
		}
		for i := range v {
			if v[i] != w[i] {
				return false
			}
		}
	}
	return true
}

func (s Settings) String() string   { return "[settings]" }
func (s Settings) GoString() string { return "[settings]" }

// MarshalText keeps settings out of JSON and other text encodings.
func (s Settings) MarshalText() ([]byte, error) { return []byte("[settings]"), nil }

var (
	specMu sync.RWMutex
	specs  []*Spec
)

// Register adds a provider type; providers/registry calls it for every
// type eddns is built with. A second type of the same name panics: it is
// a programming error.
func Register(s *Spec) {
	specMu.Lock()
	defer specMu.Unlock()
	for _, o := range specs {
		if o.Type == s.Type {
			panic(fmt.Sprintf("providers: type %q registered twice", s.Type))
		}
	}
	specs = append(specs, s)
}

// Unregister removes a type; tests use it to undo a test-only Register.
func Unregister(typ string) {
	specMu.Lock()
	defer specMu.Unlock()
	for i, o := range specs {
		if o.Type == typ {
			specs = append(specs[:i:i], specs[i+1:]...)
			return
		}
	}
}

// Specs returns the registered types in registration order.
func Specs() []*Spec {
	specMu.RLock()
	defer specMu.RUnlock()
	return append([]*Spec(nil), specs...)
}

// Lookup returns the registered type typ, or nil.
func Lookup(typ string) *Spec {
	specMu.RLock()
	defer specMu.RUnlock()
	for _, s := range specs {
		if s.Type == typ {
			return s
		}
	}
	return nil
}
