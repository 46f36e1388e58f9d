package tencentcloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/eddns/eddns/providers"
)

// apiError is the error object of an API 3.0 response. It arrives with
// HTTP 200, inside the Response object.
type apiError struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// head is what every API 3.0 response carries.
type head struct {
	Error     *apiError `json:"Error"`
	RequestID string    `json:"RequestId"`
}

// errNoResponse reports a JSON body without the Response object.
var errNoResponse = errors.New("no Response object in body")

// decode parses an API 3.0 body {"Response":{...}}. When the Response holds
// an Error it returns that and leaves out untouched; otherwise it decodes the
// Response object into out (when out is not nil).
func decode(body []byte, out any) (requestID string, apiErr *apiError, err error) {
	var env struct {
		Response json.RawMessage `json:"Response"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return "", nil, fmt.Errorf("decode response: %w", err)
	}
	if len(env.Response) == 0 || bytes.Equal(env.Response, []byte("null")) {
		return "", nil, errNoResponse
	}
	var h head
	if err := json.Unmarshal(env.Response, &h); err != nil {
		return "", nil, fmt.Errorf("decode response: %w", err)
	}
	if h.Error != nil {
		if h.Error.Code == "" {
			return h.RequestID, nil, errors.New("decode response: error without code")
		}
		return h.RequestID, h.Error, nil
	}
	if out != nil {
		if err := json.Unmarshal(env.Response, out); err != nil {
			return h.RequestID, nil, fmt.Errorf("decode response: %w", err)
		}
	}
	return h.RequestID, nil, nil
}

// recordItem is one entry of DescribeRecordList's RecordList.
type recordItem struct {
	RecordID uint64 `json:"RecordId"`
	Name     string `json:"Name"`
	Type     string `json:"Type"`
	Value    string `json:"Value"`
	Line     string `json:"Line"`
	LineID   string `json:"LineId"`
	TTL      uint64 `json:"TTL"`
	Status   string `json:"Status"`
}

// listResponse is DescribeRecordList's Response object.
type listResponse struct {
	RecordCountInfo struct {
		SubdomainCount uint64 `json:"SubdomainCount"`
		ListCount      uint64 `json:"ListCount"`
		TotalCount     uint64 `json:"TotalCount"`
	} `json:"RecordCountInfo"`
	RecordList []recordItem `json:"RecordList"`
}

// idResponse is the Response object of CreateRecord and ModifyRecord.
type idResponse struct {
	RecordID uint64 `json:"RecordId"`
}

// decodeList decodes a DescribeRecordList body into records.
func decodeList(body []byte) (recs []providers.Record, total uint64, requestID string, apiErr *apiError, err error) {
	var lr listResponse
	requestID, apiErr, err = decode(body, &lr)
	if err != nil || apiErr != nil {
		return nil, 0, requestID, apiErr, err
	}
	recs = make([]providers.Record, 0, len(lr.RecordList))
	for _, it := range lr.RecordList {
		if it.RecordID == 0 {
			return nil, 0, requestID, nil, errors.New("decode response: record without RecordId")
		}
		line := it.LineID
		if line == "" && (it.Line == "" || it.Line == defaultLine) {
			line = DefaultLineID
		}
		recs = append(recs, providers.Record{
			ID:    strconv.FormatUint(it.RecordID, 10),
			Name:  it.Name,
			Type:  it.Type,
			Value: canonicalValue(it.Value),
			TTL:   clampTTL(it.TTL),
			Line:  line,
			// "记录状态，启用：ENABLE，暂停：DISABLE" (RecordListItem).
			Disabled: it.Status == "DISABLE",
		})
	}
	return recs, lr.RecordCountInfo.TotalCount, requestID, nil, nil
}

// decodeID decodes a CreateRecord or ModifyRecord body.
func decodeID(body []byte) (id string, requestID string, apiErr *apiError, err error) {
	var r idResponse
	requestID, apiErr, err = decode(body, &r)
	if err != nil || apiErr != nil {
		return "", requestID, apiErr, err
	}
	if r.RecordID == 0 {
		return "", requestID, nil, errors.New("decode response: no RecordId")
	}
	return strconv.FormatUint(r.RecordID, 10), requestID, nil, nil
}

// canonicalValue returns addresses in Go's canonical text form so that
// comparisons with the planner's values do not trip over case or zero
// compression; anything else is returned unchanged.
func canonicalValue(v string) string {
	if a, err := netip.ParseAddr(v); err == nil && a.Zone() == "" {
		return a.String()
	}
	return v
}

func clampTTL(ttl uint64) int {
	const maxTTL = 1<<31 - 1
	if ttl > maxTTL {
		return maxTTL
	}
	return int(ttl)
}
