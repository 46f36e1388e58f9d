package providertest

import "testing"

func TestStoreLinesDuplicatesAndPaging(t *testing.T) {
	s := NewStore(100)
	a := s.Add(StoredRecord{Zone: "Example.com.", Name: "NAS", Type: "aaaa", Value: "::1", Line: "telecom", TTL: 600})
	b := s.Add(StoredRecord{Zone: "example.com", Name: "nas", Type: "AAAA", Value: "::1", Line: "default", TTL: 600, Disabled: true})
	if a.ID != 101 || b.ID != 102 || a.Zone != "example.com" || a.Name != "nas" || a.Type != "AAAA" || !s.HasZone("EXAMPLE.com") {
		t.Fatalf("stored %+v %+v", a, b)
	}
	// Same name, type and value on another line is no duplicate.
	if d := s.Duplicate(StoredRecord{Zone: "example.com", Name: "nas", Type: "AAAA", Value: "::1", Line: "unicom"}, 0); d != nil {
		t.Fatalf("duplicate across lines: %+v", d)
	}
	if d := s.Duplicate(*a, 0); d != a {
		t.Fatalf("twin not found: %+v", d)
	}
	if d := s.Duplicate(*a, a.ID); d != nil {
		t.Fatalf("a record is its own duplicate: %+v", d)
	}
	recs := s.Records("example.com")
	if len(recs) != 2 || recs[1].Line != "default" || !recs[1].Disabled || recs[0].Line != "telecom" {
		t.Fatalf("Records = %+v", recs)
	}
	for i := 0; i < 5; i++ {
		s.Add(StoredRecord{Zone: "example.com", Name: "many", Type: "A", Value: "192.0.2.1"})
	}
	many := s.Find("example.com", func(r *StoredRecord) bool { return r.Name == "many" })
	p, total := Page(many, 4, 3)
	if total != 5 || len(p) != 1 || p[0] != many[4] {
		t.Fatalf("last page = %v of %d", p, total)
	}
	if p, _ := Page(many, 5, 3); len(p) != 0 {
		t.Fatalf("page past the end = %v", p)
	}
	if !s.Delete(a.ID) || s.Get(a.ID) != nil || s.Delete(a.ID) {
		t.Fatal("delete")
	}
}
