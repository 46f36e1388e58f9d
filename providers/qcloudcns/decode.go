package qcloudcns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/eddns/eddns/providers"
)

// flexInt is an integer the API writes either as a JSON number or as a
// numeric string: RecordList gives record ids as numbers, RecordCreate as
// strings, and info counts are strings.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %.40q", s)
	}
	*n = flexInt(v)
	return nil
}

// envelope is every API 2.0 response:
// {"code":0,"message":"","codeDesc":"Success","data":{...}}.
type envelope struct {
	Code     *flexInt        `json:"code"`
	Message  string          `json:"message"`
	CodeDesc string          `json:"codeDesc"`
	Data     json.RawMessage `json:"data"`
}

// apiError is a response with a non-zero code.
type apiError struct {
	Code     int64
	CodeDesc string
	Message  string
}

// decode parses an API 2.0 body. A non-zero code is returned as apiErr;
// otherwise data is decoded into out (when out is not nil).
func decode(body []byte, out any) (apiErr *apiError, err error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("decode response: %w", err)
	}
	if env.Code == nil {
		return nil, errors.New("decode response: no code")
	}
	if *env.Code != 0 {
		return &apiError{Code: int64(*env.Code), CodeDesc: env.CodeDesc, Message: env.Message}, nil
	}
	if out != nil {
		if len(env.Data) == 0 || bytes.Equal(env.Data, []byte("null")) {
			return nil, errors.New("decode response: no data")
		}
		if err := json.Unmarshal(env.Data, out); err != nil {
			return nil, fmt.Errorf("decode response data: %w", err)
		}
	}
	return nil, nil
}

// listData is RecordList's data object.
type listData struct {
	Info struct {
		SubDomains  flexInt `json:"sub_domains"`
		RecordTotal flexInt `json:"record_total"`
	} `json:"info"`
	Records []struct {
		ID      flexInt  `json:"id"`
		Name    string   `json:"name"`
		Type    string   `json:"type"`
		Value   string   `json:"value"`
		TTL     flexInt  `json:"ttl"`
		Line    string   `json:"line"`
		Enabled *flexInt `json:"enabled"`
		Status  string   `json:"status"`
	} `json:"records"`
}

// recordData is the data object of RecordCreate and RecordModify.
type recordData struct {
	Record struct {
		ID flexInt `json:"id"`
	} `json:"record"`
}

// decodeList decodes a RecordList body.
func decodeList(body []byte) (recs []providers.Record, total int64, apiErr *apiError, err error) {
	var d listData
	if apiErr, err = decode(body, &d); err != nil || apiErr != nil {
		return nil, 0, apiErr, err
	}
	recs = make([]providers.Record, 0, len(d.Records))
	for _, r := range d.Records {
		if r.ID <= 0 {
			return nil, 0, nil, errors.New("decode response: record without id")
		}
		ttl := int64(r.TTL)
		if ttl < 0 || ttl > 1<<31 {
			return nil, 0, nil, fmt.Errorf("decode response: ttl %d out of range", ttl)
		}
		line := r.Line
		if line == "" {
			line = defaultLine
		}
		// A paused record has enabled 0 (status "disable"/"disabled");
		// https://cloud.tencent.com/document/product/302/8517.
		paused := (r.Enabled != nil && *r.Enabled == 0) || strings.HasPrefix(strings.ToLower(r.Status), "disable")
		recs = append(recs, providers.Record{
			ID:       strconv.FormatInt(int64(r.ID), 10),
			Name:     r.Name,
			Type:     r.Type,
			Value:    canonicalValue(r.Value),
			TTL:      int(ttl),
			Line:     line,
			Disabled: paused,
		})
	}
	return recs, int64(d.Info.RecordTotal), nil, nil
}

// decodeRecordID decodes a RecordCreate or RecordModify body.
func decodeRecordID(body []byte) (id string, apiErr *apiError, err error) {
	var d recordData
	if apiErr, err = decode(body, &d); err != nil || apiErr != nil {
		return "", apiErr, err
	}
	if d.Record.ID <= 0 {
		return "", nil, errors.New("decode response: no record id")
	}
	return strconv.FormatInt(int64(d.Record.ID), 10), nil, nil
}

// canonicalValue returns addresses in Go's canonical text form.
func canonicalValue(v string) string {
	if a, err := netip.ParseAddr(v); err == nil && a.Zone() == "" {
		return a.String()
	}
	return v
}
