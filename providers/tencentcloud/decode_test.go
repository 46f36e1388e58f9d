package tencentcloud

import (
	"strings"
	"testing"

	"github.com/eddns/eddns/providers"
)

func TestFixturesDecode(t *testing.T) {
	fx := loadVectors(t).Fixtures
	t.Run("describe record list", func(t *testing.T) {
		recs, total, reqID, apiErr, err := decodeList(fx["dnspod3_describe_record_list_ok"].Body)
		if err != nil || apiErr != nil {
			t.Fatal(err, apiErr)
		}
		want := providers.Record{ID: "162", Name: "www", Type: "A", Value: "192.0.2.1", TTL: 600, Line: "0"}
		if len(recs) != 1 || recs[0] != want || total != 1 || reqID != "..." {
			t.Fatalf("got %+v total %d request %q", recs, total, reqID)
		}
	})
	t.Run("empty list error", func(t *testing.T) {
		_, _, reqID, apiErr, err := decodeList(fx["dnspod3_empty_list"].Body)
		if err != nil || apiErr == nil || apiErr.Code != "ResourceNotFound.NoDataOfRecord" || reqID != "..." {
			t.Fatalf("got %v %v %q", apiErr, err, reqID)
		}
	})
	t.Run("duplicate record error", func(t *testing.T) {
		_, reqID, apiErr, err := decodeID(fx["dnspod3_error"].Body)
		if err != nil || apiErr == nil || apiErr.Code != "InvalidParameter.DomainRecordExist" ||
			!strings.HasPrefix(apiErr.Message, "记录已经存在") || reqID != "ed93f3cb-f35e-473f-b9f3-0d451b8b79c6" {
			t.Fatalf("got %+v %v %q", apiErr, err, reqID)
		}
		if Classify(apiErr.Code) != providers.KindConflict {
			t.Fatalf("kind %v", Classify(apiErr.Code))
		}
	})
}

func TestDecodeRejects(t *testing.T) {
	cases := map[string]string{
		"not json":           `<html>`,
		"truncated":          `{"Response":{"RecordList":[`,
		"no Response":        `{"RecordList":[]}`,
		"null Response":      `{"Response":null}`,
		"error without code": `{"Response":{"Error":{"Message":"x"},"RequestId":"r"}}`,
		"record without id":  `{"Response":{"RecordList":[{"Name":"a","Type":"A","Value":"192.0.2.1"}],"RequestId":"r"}}`,
		"negative id":        `{"Response":{"RecordList":[{"RecordId":-1}],"RequestId":"r"}}`,
	}
	for name, body := range cases {
		if _, _, _, apiErr, err := decodeList([]byte(body)); err == nil {
			t.Errorf("%s: decodeList accepted it (apiErr %v)", name, apiErr)
		}
	}
	if _, _, _, err := decodeID([]byte(`{"Response":{"RequestId":"r"}}`)); err == nil {
		t.Error("decodeID accepted a response without RecordId")
	}
}

func TestCanonicalValue(t *testing.T) {
	for in, want := range map[string]string{
		"2001:DB8:0:0::1": "2001:db8::1",
		"192.0.2.1":       "192.0.2.1",
		"fe80::1%eth0":    "fe80::1%eth0",
		"cname.example.":  "cname.example.",
	} {
		if got := canonicalValue(in); got != want {
			t.Errorf("canonicalValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecode feeds arbitrary bodies to every response decoder: none may
// panic, and whatever is accepted must be usable.
func FuzzDecode(f *testing.F) {
	for _, fx := range loadVectors(f).Fixtures {
		f.Add([]byte(fx.Body))
	}
	f.Add([]byte(`{"Response":{"RecordId":123,"RequestId":"r"}}`))
	f.Add([]byte(`{"Response":{"RecordList":[{"RecordId":1,"Name":"@","Type":"AAAA","Value":"2001:db8::1","TTL":600}],"RecordCountInfo":{"TotalCount":1},"RequestId":"r"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, _, _, apiErr, err := decodeList(body)
		if err == nil && apiErr == nil {
			for _, r := range recs {
				if r.ID == "" || r.ID == "0" || r.TTL < 0 {
					t.Fatalf("accepted unusable record %+v", r)
				}
			}
		}
		if apiErr != nil && apiErr.Code == "" {
			t.Fatal("API error without code")
		}
		id, _, apiErr, err := decodeID(body)
		if err == nil && apiErr == nil && (id == "" || id == "0") {
			t.Fatalf("accepted id %q", id)
		}
		_ = Classify(string(body))
	})
}
