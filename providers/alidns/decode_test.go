package alidns

import (
	"testing"
	"time"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

func TestFixturesDecode(t *testing.T) {
	vf := loadVectors(t)
	fx := func(name string) (int, []byte) {
		t.Helper()
		f, ok := vf.Fixtures[name]
		if !ok {
			t.Fatalf("fixture %s missing", name)
		}
		return f.HTTPStatus, f.Body
	}
	now := time.Now()

	t.Run("DescribeSubDomainRecords", func(t *testing.T) {
		st, body := fx("alidns_describe_sub_domain_records_ok")
		var lr listResponse
		if pe := decode(st, httpc.Header{}, body, now, &lr); pe != nil {
			t.Fatal(pe)
		}
		if lr.TotalCount != 1 || lr.PageNumber != 1 || lr.PageSize != 20 || lr.RequestID != "536E9CAD-DB30-4647-AC87-AA5CC38C5382" {
			t.Errorf("header fields: %+v", lr)
		}
		want := apiRecord{DomainName: "example.com", RecordID: "9999985", RR: "www", Type: "A", Value: "192.0.2.1", Line: "default", TTL: 600, Status: "ENABLE"}
		if len(lr.DomainRecords.Record) != 1 || lr.DomainRecords.Record[0] != want {
			t.Errorf("records = %+v, want [%+v]", lr.DomainRecords.Record, want)
		}
	})
	t.Run("AddDomainRecord", func(t *testing.T) {
		st, body := fx("alidns_add_ok")
		var wr writeResponse
		if pe := decode(st, httpc.Header{}, body, now, &wr); pe != nil {
			t.Fatal(pe)
		}
		if wr.RecordID != "9999985" || wr.RequestID != "536E9CAD-DB30-4647-AC87-AA5CC38C5382" {
			t.Errorf("got %+v", wr)
		}
	})
	errs := []struct {
		fixture string
		kind    providers.Kind
		code    string
		msg     string
	}{
		{"alidns_error_duplicate", providers.KindConflict, "DomainRecordDuplicate", "The DNS record already exists."},
		{"alidns_error_invalid_ak", providers.KindAuth, "InvalidAccessKeyId.NotFound", "Specified access key is not found."},
	}
	for _, tt := range errs {
		t.Run(tt.fixture, func(t *testing.T) {
			st, body := fx(tt.fixture)
			var wr writeResponse
			pe := decode(st, httpc.Header{}, body, now, &wr)
			if pe == nil {
				t.Fatal("error fixture decoded as success")
			}
			if pe.Kind != tt.kind || pe.Code != tt.code || pe.Message != tt.msg || pe.HTTPStatus != st || pe.RequestID == "" {
				t.Errorf("got %+v; want kind %v code %q", pe, tt.kind, tt.code)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		code   string
		status int
		want   providers.Kind
	}{
		{"InvalidAccessKeyId.NotFound", 404, providers.KindAuth},
		{"InvalidAccessKeyId.Inactive", 400, providers.KindAuth},
		{"SignatureDoesNotMatch", 400, providers.KindAuth},
		{"Forbidden.RAM", 403, providers.KindAuth},
		{"IncorrectDomainUser", 400, providers.KindNotFound},
		{"DomainRecordNotBelongToUser", 400, providers.KindNotFound},
		{"InvalidTimeStamp.Expired", 400, providers.KindClockSkew},
		{"Throttling.User", 400, providers.KindThrottled},
		{"Throttling.Api", 400, providers.KindThrottled},
		{"Throttling", 400, providers.KindThrottled},
		{"LastOperationNotFinished", 400, providers.KindThrottled},
		{"DomainRecordConflict", 400, providers.KindConflict},
		{"DomainRecordDuplicate", 400, providers.KindConflict},
		{"QuotaExceeded.Record", 400, providers.KindPermanent},
		{"QuotaExceeded.ARecord", 400, providers.KindPermanent},
		{"DomainRecordLocked", 400, providers.KindPermanent},
		{"DomainForbidden", 400, providers.KindPermanent}, // not "Forbidden*": the domain, not the key
		{"InvalidParameter", 400, providers.KindPermanent},
		{"MissingParameter", 400, providers.KindPermanent},
		{"ServiceUnavailable", 503, providers.KindTransient},
		{"InternalError", 500, providers.KindTransient},
		{"SignatureNonceUsed", 400, providers.KindTransient},
		// Unknown codes fall back to the status.
		{"SomethingNew", 500, providers.KindTransient},
		{"SomethingNew", 429, providers.KindThrottled},
		{"SomethingNew", 400, providers.KindPermanent},
		{"", 401, providers.KindAuth},
		{"SomethingNew", 200, providers.KindPermanent},
	}
	for _, tt := range tests {
		if got := Classify(tt.code, tt.status); got != tt.want {
			t.Errorf("Classify(%q, %d) = %v, want %v", tt.code, tt.status, got, tt.want)
		}
	}
}

func TestDecodeRecordIDForms(t *testing.T) {
	tests := []struct {
		body string
		id   idString
		ok   bool
	}{
		{`{"RequestId":"R","RecordId":"18000000000000000123"}`, "18000000000000000123", true},
		{`{"RequestId":"R","RecordId":18000000000000000123}`, "18000000000000000123", true},
		{`{"RequestId":"R","RecordId":1.5}`, "", false},
		{`{"RequestId":"R","RecordId":-1}`, "", false},
		{`{"RequestId":"R","RecordId":{}}`, "", false},
	}
	for _, tt := range tests {
		var wr writeResponse
		pe := decode(200, httpc.Header{}, []byte(tt.body), time.Now(), &wr)
		if (pe == nil) != tt.ok || wr.RecordID != tt.id {
			t.Errorf("decode(%s) = %+v, %v; want id %q ok=%v", tt.body, wr, pe, tt.id, tt.ok)
		}
	}
}

// FuzzDecode feeds arbitrary answers to the decoder: it must never panic,
// and it must never report success for an answer without a RequestId or
// with an error Code.
func FuzzDecode(f *testing.F) {
	f.Add(200, []byte(`{"TotalCount":1,"PageSize":20,"PageNumber":1,"RequestId":"R","DomainRecords":{"Record":[{"RecordId":"9999985","RR":"www","Type":"A","Value":"192.0.2.1","TTL":600,"Status":"ENABLE"}]}}`))
	f.Add(200, []byte(`{"RequestId":"R","RecordId":"9999985"}`))
	f.Add(400, []byte(`{"RequestId":"3","Code":"DomainRecordDuplicate","Message":"The DNS record already exists."}`))
	f.Add(404, []byte(`{"RequestId":"x","HostId":"alidns.aliyuncs.com","Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found."}`))
	f.Add(200, []byte(`{"Response":{"RecordList":[`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(200, []byte(`null`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var lr listResponse
		pe := decode(status, httpc.Header{}, body, time.Now(), &lr)
		if pe == nil {
			if lr.RequestID == "" {
				t.Fatalf("success without RequestId: %q", body)
			}
			if status < 200 || status > 299 {
				t.Fatalf("success with HTTP %d", status)
			}
			return
		}
		if pe.Kind == providers.KindUnknown {
			t.Fatalf("unclassified error for %d %q", status, body)
		}
		if len(pe.Message) > maxMessage+3 {
			t.Fatalf("message of %d bytes kept", len(pe.Message))
		}
		var wr writeResponse
		_ = decode(status, httpc.Header{}, body, time.Now(), &wr)
	})
}
