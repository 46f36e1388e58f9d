// Package webhooktest is a receiver for eddns's webhook provider, shaped
// like the small update endpoints webhooks are pointed at: it requires a
// bearer token in the Authorization header (RFC 6750 section 2.1: 401 with
// WWW-Authenticate when it is missing or wrong), takes a JSON body
// {"fqdn","type","value","ttl"} (the body template the tests configure),
// keeps the last value per name and type, answers 429 with Retry-After
// when throttled (RFC 6585 section 4) and 204 on success.
package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/providertest"
)

// BodyTemplate is the webhook body the fake understands.
const BodyTemplate = `{"fqdn":"{fqdn}","name":"{name}","zone":"{zone}","type":"{type}","value":"{value}","ttl":{ttl}}`

// Fake keeps what the webhook delivered, by zone.
type Fake struct {
	providertest.Ledger
	token string

	mu      sync.Mutex
	zones   map[string]map[string]providers.Record // zone -> fqdn/type -> record
	queries []string                               // raw query of each accepted request
}

var _ providertest.Fake = (*Fake)(nil)

// New returns a receiver accepting `Authorization: Bearer token`.
func New(token string) *Fake {
	return &Fake{token: token, zones: map[string]map[string]providers.Record{}}
}

// AddZone accepts updates for names in zone.
func (f *Fake) AddZone(zone string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zones[zone] == nil {
		f.zones[zone] = map[string]providers.Record{}
	}
}

// Put stores a record as if delivered earlier.
func (f *Fake) Put(zone string, rec providers.Record) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zones[zone] == nil {
		f.zones[zone] = map[string]providers.Record{}
	}
	rec.ID = providers.FQDN(zone, rec.Name) + "/" + rec.Type
	f.zones[zone][rec.ID] = rec
	return rec.ID
}

// Records returns what was delivered for zone.
func (f *Fake) Records(zone string) []providers.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []providers.Record
	for _, r := range f.zones[zone] {
		out = append(out, r)
	}
	providertest.SortRecords(out)
	return out
}

// Queries returns the raw query strings of the accepted requests.
func (f *Fake) Queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const action = "update"
	f.Called(action)
	w.Header().Set("Date", f.Now().UTC().Format(http.TimeFormat))
	if fault, ok := f.Faults().TakeFor(r, action); ok {
		if providertest.Apply(w, r, fault) {
			return
		}
		status := fault.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		http.Error(w, "injected fault "+fault.Code, status)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ddns", error="invalid_token"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		http.Error(w, "want application/json", http.StatusUnsupportedMediaType)
		return
	}
	var b struct {
		FQDN, Name, Zone, Type, Value string
		TTL                           int
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err := json.Unmarshal(raw, &b); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	a, err := netip.ParseAddr(b.Value)
	if err != nil || (b.Type == "A") != a.Is4() || (b.Type != "A" && b.Type != "AAAA") {
		http.Error(w, "bad value", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	z := f.zones[b.Zone]
	if z == nil || providers.FQDN(b.Zone, b.Name) != b.FQDN {
		f.mu.Unlock()
		http.Error(w, "unknown zone", http.StatusNotFound)
		return
	}
	id := b.FQDN + "/" + b.Type
	z[id] = providers.Record{ID: id, Name: b.Name, Type: b.Type, Value: b.Value, TTL: b.TTL}
	f.queries = append(f.queries, r.URL.RawQuery)
	f.mu.Unlock()
	f.Wrote(action, b.Zone, providers.Record{ID: id, Name: b.Name, Type: b.Type, Value: b.Value, TTL: b.TTL})
	w.WriteHeader(http.StatusNoContent)
}
