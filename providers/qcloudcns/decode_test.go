package qcloudcns

import (
	"testing"

	"github.com/eddns/eddns/providers"
)

// docListBody is the RecordList example of the CNS API doc, trimmed to two
// records (ids as numbers, counts as strings, line as \u escapes).
const docListBody = `{"code":0,"message":"","codeDesc":"Success","data":{
 "domain":{"id":"55309561","name":"yizeroapitest.com","ttl":600,"min_ttl":600,"status":"enable","q_project_id":0},
 "info":{"sub_domains":"4","record_total":"2"},
 "records":[
  {"id":281628246,"ttl":86400,"value":"f1g1ns1.dnspod.net.","enabled":1,"status":"enabled","updated_on":"2017-02-20 10:15:47","q_project_id":0,"name":"@","line":"\u9ed8\u8ba4","line_id":"0","type":"NS","remark":"","mx":0,"hold":"hold"},
  {"id":281817767,"ttl":600,"value":"119.29.18.115","enabled":1,"status":"enabled","updated_on":"2017-02-20 20:00:39","q_project_id":0,"name":"www","line":"\u9ed8\u8ba4","line_id":"0","type":"A","remark":"","mx":0}]}}`

// docCreateBody is the RecordCreate example (id as a string).
const docCreateBody = `{"code":0,"message":"","codeDesc":"Success","data":{"record":{"id":"282529423","name":"yizero1487857213","status":"enabled","weight":null}}}`

func TestDocExamplesDecode(t *testing.T) {
	recs, total, apiErr, err := decodeList([]byte(docListBody))
	if err != nil || apiErr != nil || total != 2 || len(recs) != 2 {
		t.Fatalf("list: %v %v total %d recs %d", err, apiErr, total, len(recs))
	}
	want := providers.Record{ID: "281817767", Name: "www", Type: "A", Value: "119.29.18.115", TTL: 600, Line: "默认"}
	if recs[1] != want {
		t.Fatalf("record %+v, want %+v", recs[1], want)
	}
	id, apiErr, err := decodeRecordID([]byte(docCreateBody))
	if err != nil || apiErr != nil || id != "282529423" {
		t.Fatalf("create: %q %v %v", id, apiErr, err)
	}
}

func TestFixtureDecodes(t *testing.T) {
	body := loadVectors(t).Fixtures["tencent_api2_error"].Body
	apiErr, err := decode(body, nil)
	if err != nil || apiErr == nil || apiErr.Code != 4000 || apiErr.CodeDesc != "InvalidParameter" || apiErr.Message != "..." {
		t.Fatalf("got %+v, %v", apiErr, err)
	}
	if k := Classify(apiErr.Code, apiErr.CodeDesc, apiErr.Message); k != providers.KindPermanent {
		t.Fatalf("kind %v", k)
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, body := range map[string]string{
		"html":           `<html>`,
		"truncated":      `{"code":0,"data":{"records":[`,
		"no code":        `{"message":"","data":{}}`,
		"string code":    `{"code":"abc"}`,
		"no data":        `{"code":0,"message":""}`,
		"record no id":   `{"code":0,"data":{"records":[{"name":"a","type":"A","value":"192.0.2.1"}]}}`,
		"negative ttl":   `{"code":0,"data":{"records":[{"id":1,"ttl":-5}]}}`,
		"fractional id":  `{"code":0,"data":{"records":[{"id":1.5}]}}`,
		"record is null": `{"code":0,"data":null}`,
	} {
		if _, _, apiErr, err := decodeList([]byte(body)); err == nil {
			t.Errorf("%s: accepted (apiErr %v)", name, apiErr)
		}
	}
	if _, _, err := decodeRecordID([]byte(`{"code":0,"data":{"record":{}}}`)); err == nil {
		t.Error("create without id accepted")
	}
	// A numeric string code is fine: some gateways quote it.
	if apiErr, err := decode([]byte(`{"code":"4100","message":"x"}`), nil); err != nil || apiErr == nil || apiErr.Code != 4100 {
		t.Errorf("quoted code: %v %v", apiErr, err)
	}
}

// FuzzDecode feeds arbitrary bodies to every response decoder.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(docListBody))
	f.Add([]byte(docCreateBody))
	f.Add([]byte(loadVectors(f).Fixtures["tencent_api2_error"].Body))
	f.Add([]byte(`{"code":4500,"message":"(4500)Timestamp expired","codeDesc":"RequestExpired"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, total, apiErr, err := decodeList(body)
		if err == nil && apiErr == nil {
			for _, r := range recs {
				if r.ID == "" || r.ID[0] == '-' || r.ID == "0" || r.TTL < 0 {
					t.Fatalf("accepted unusable record %+v", r)
				}
			}
			_ = total
		}
		if apiErr != nil && apiErr.Code == 0 {
			t.Fatal("API error with code 0")
		}
		id, apiErr, err := decodeRecordID(body)
		if err == nil && apiErr == nil && (id == "" || id == "0" || id[0] == '-') {
			t.Fatalf("accepted id %q", id)
		}
		if apiErr != nil {
			_ = Classify(apiErr.Code, apiErr.CodeDesc, apiErr.Message)
		}
	})
}
