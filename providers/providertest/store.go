package providertest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/eddns/eddns/providers"
)

// StoredRecord is one record as a fake provider keeps it. Fakes translate
// between it and their API's wire shapes; the store itself knows no API.
type StoredRecord struct {
	ID       uint64
	Zone     string // lower case, no trailing dot
	Name     string // relative, lower case; "@" is the apex
	Type     string // upper case
	Value    string // canonical text for addresses
	Line     string // the API's own line code; the fake picks its default
	TTL      int
	Disabled bool // paused: kept, listed, but not resolving
	// Updated is a free-form "last changed" stamp for APIs that list one.
	Updated string
}

// Public returns the record as providers.Record (tests compare these).
func (r *StoredRecord) Public() providers.Record {
	return providers.Record{ID: strconv.FormatUint(r.ID, 10), Name: r.Name, Type: r.Type, Value: r.Value,
		TTL: r.TTL, Line: r.Line, Disabled: r.Disabled}
}

// Store is the record state shared by the fake provider APIs: zones, records
// with numeric ids on lines, paused records, duplicate detection and paging.
// It has no lock: every fake already serialises its requests with its own
// mutex and calls the store under it.
//
// Typical use in a fake:
//
//	s := providertest.NewStore(100000)
//	s.AddZone("example.com")
//	r := s.Add(providertest.StoredRecord{Zone: "example.com", Name: "nas", Type: "AAAA", Value: "2001:db8::1", Line: "default", TTL: 600})
//	page, total := providertest.Page(s.Find("example.com", func(r *providertest.StoredRecord) bool { return r.Name == "nas" }), 0, 100)
type Store struct {
	zones  map[string]bool
	recs   []*StoredRecord
	nextID uint64
}

// NewStore returns an empty store whose first record id is after lastID.
// Real APIs hand out large ids (alidns ones exceed 2^53), so fakes choose a
// start that exercises the client's id decoding.
func NewStore(lastID uint64) *Store {
	return &Store{zones: map[string]bool{}, nextID: lastID}
}

// CanonZone is the store's spelling of a zone name.
func CanonZone(z string) string { return strings.ToLower(strings.TrimSuffix(z, ".")) }

// CanonName is the store's spelling of a relative name: lower case, "@" for
// the apex.
func CanonName(n string) string {
	if n == "" {
		return "@"
	}
	return strings.ToLower(n)
}

// AddZone makes zone known; it reports whether it was new.
func (s *Store) AddZone(zone string) bool {
	z := CanonZone(zone)
	if s.zones[z] {
		return false
	}
	s.zones[z] = true
	return true
}

// HasZone reports whether zone is known.
func (s *Store) HasZone(zone string) bool { return s.zones[CanonZone(zone)] }

// Zones returns the known zones.
func (s *Store) Zones() []string {
	out := make([]string, 0, len(s.zones))
	for z := range s.zones {
		out = append(out, z)
	}
	slices.Sort(out)
	return out
}

// Add stores a copy of r with a fresh id (adding its zone if needed) and
// returns the stored record. Zone and Name are canonicalised.
func (s *Store) Add(r StoredRecord) *StoredRecord {
	s.nextID++
	r.ID = s.nextID
	r.Zone, r.Name, r.Type = CanonZone(r.Zone), CanonName(r.Name), strings.ToUpper(r.Type)
	s.zones[r.Zone] = true
	p := &r
	s.recs = append(s.recs, p)
	return p
}

// Get returns the record with id in any zone, or nil.
func (s *Store) Get(id uint64) *StoredRecord {
	for _, r := range s.recs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Delete removes record id; it reports whether it existed.
func (s *Store) Delete(id uint64) bool {
	for i, r := range s.recs {
		if r.ID == id {
			s.recs = slices.Delete(s.recs, i, i+1)
			return true
		}
	}
	return false
}

// Find returns zone's records that match (all when match is nil), ordered
// by id, which is the order of creation: the order the real list APIs use
// when no sort is requested.
func (s *Store) Find(zone string, match func(*StoredRecord) bool) []*StoredRecord {
	z := CanonZone(zone)
	var out []*StoredRecord
	for _, r := range s.recs {
		if r.Zone == z && (match == nil || match(r)) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *StoredRecord) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Duplicate returns a record of zone other than self with the same name,
// type, line and value as r, or nil. Every provider refuses to create (or
// update into) such a twin: alidns DomainRecordDuplicate, DNSPod
// InvalidParameter.DomainRecordExist, CNS module code 104.
func (s *Store) Duplicate(r StoredRecord, self uint64) *StoredRecord {
	z, n := CanonZone(r.Zone), CanonName(r.Name)
	for _, o := range s.recs {
		if o.ID != self && o.Zone == z && o.Name == n && strings.EqualFold(o.Type, r.Type) &&
			o.Line == r.Line && o.Value == r.Value {
			return o
		}
	}
	return nil
}

// Records returns zone's records as providers.Record, sorted the way
// Fake.Records promises (name, type, id).
func (s *Store) Records(zone string) []providers.Record {
	rs := s.Find(zone, nil)
	out := make([]providers.Record, len(rs))
	for i, r := range rs {
		out[i] = r.Public()
	}
	SortRecords(out)
	return out
}

// Page returns the part of all that starts at offset and holds at most
// limit items, and len(all) as the total. Offsets past the end give an
// empty page, as the list APIs answer.
func Page[T any](all []T, offset, limit int) (page []T, total int) {
	total = len(all)
	if offset < 0 || offset >= total || limit <= 0 {
		return nil, total
	}
	return all[offset:min(offset+limit, total)], total
}
