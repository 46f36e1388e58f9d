package alidns

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/providers"
)

// errorBody is the shape of every alidns error answer (and the RequestId of
// every success answer).
type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// idString is a record id. The API sends ids as JSON strings (they exceed
// 2^53, so a float64 would corrupt them); a bare number is accepted too
// without passing through float64.
type idString string

func (s *idString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = idString(v)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*s = ""
		return nil
	}
	if _, err := strconv.ParseUint(string(b), 10, 64); err != nil {
		return errors.New("record id is neither a string nor an integer")
	}
	*s = idString(b)
	return nil
}

// apiRecord is one element of DomainRecords.Record.
type apiRecord struct {
	DomainName string   `json:"DomainName"`
	RecordID   idString `json:"RecordId"`
	RR         string   `json:"RR"`
	Type       string   `json:"Type"`
	Value      string   `json:"Value"`
	Line       string   `json:"Line"`
	TTL        int      `json:"TTL"`
	Status     string   `json:"Status"`
	Locked     bool     `json:"Locked"`
}

// listResponse is the answer of DescribeSubDomainRecords.
type listResponse struct {
	RequestID     string `json:"RequestId"`
	TotalCount    int64  `json:"TotalCount"`
	PageNumber    int64  `json:"PageNumber"`
	PageSize      int64  `json:"PageSize"`
	DomainRecords struct {
		Record []apiRecord `json:"Record"`
	} `json:"DomainRecords"`
}

// writeResponse is the answer of AddDomainRecord and UpdateDomainRecord.
type writeResponse struct {
	RequestID string   `json:"RequestId"`
	RecordID  idString `json:"RecordId"`
}

// errMalformed marks an answer that is not what the API sends: a proxy's
// HTML page, a truncated body, a success answer missing its RequestId.
var errMalformed = errors.New("malformed response")

// maxMessage bounds how much of the server's message is kept; it ends up in
// logs and status output.
const maxMessage = 512

// lastOpRetry is the delay suggested after LastOperationNotFinished, which
// the API sends without Retry-After; clients that handle it wait 2-5 s.
const lastOpRetry = 3 * time.Second

// decode interprets one answer of the API. On success it fills out (a
// *listResponse or *writeResponse) and returns nil; otherwise it returns an
// *providers.Error with Kind, Code, Message, RequestID, HTTPStatus and
// RetryAfter set, for the caller to complete with Op and Record.
func decode(status int, header httpc.Header, body []byte, now time.Time, out any) *providers.Error {
	pe := &providers.Error{Provider: "alidns", HTTPStatus: status, RetryAfter: providers.RetryAfter(header, now)}
	ok := status >= 200 && status < 300
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		// Not JSON at all: a broken proxy, a cut-off answer, a gateway's
		// HTML page.
		pe.Err = errMalformed
		// Only a status that says something about us (credentials, rate)
		// is worth more than "try again"; a 404 page means a wrong
		// endpoint, not a missing record.
		pe.Kind = providers.KindTransient
		if k := providers.StatusKind(status); !ok && (k == providers.KindAuth || k == providers.KindThrottled) {
			pe.Kind = k
		}
		return pe
	}
	pe.RequestID = eb.RequestID
	if eb.Code != "" || !ok {
		pe.Code = eb.Code
		pe.Message = eb.Message
		if len(pe.Message) > maxMessage {
			pe.Message = strings.ToValidUTF8(pe.Message[:maxMessage], "") + "..."
		}
		pe.Kind = Classify(eb.Code, status)
		if eb.Code == "LastOperationNotFinished" && pe.RetryAfter == 0 {
			pe.RetryAfter = lastOpRetry
		}
		return pe
	}
	if err := json.Unmarshal(body, out); err != nil {
		pe.Kind, pe.Err = providers.KindTransient, errMalformed
		return pe
	}
	// Every real answer carries a RequestId; "{}" or "null" from something
	// in between must not read as "no records".
	if eb.RequestID == "" {
		pe.Kind, pe.Err = providers.KindTransient, errMalformed
		return pe
	}
	return nil
}

// Classify maps an alidns error Code (and, when the code is unknown, the
// HTTP status) to a providers.Kind. The documentation lists most codes with
// HTTP 400 whatever their meaning, so the code decides, not the status.
func Classify(code string, status int) providers.Kind {
	switch {
	case strings.HasPrefix(code, "InvalidAccessKeyId"),
		strings.HasPrefix(code, "InvalidSecurityToken"),
		code == "SignatureDoesNotMatch",
		strings.HasPrefix(code, "Forbidden"),
		code == "NoPermission":
		return providers.KindAuth
	// Only an expired timestamp is clock skew; InvalidTimeStamp.Format
	// is a malformed request that a corrected clock does not fix.
	case code == "InvalidTimeStamp.Expired", code == "InvalidTimeStamp":
		return providers.KindClockSkew
	case code == "QuotaExceeded.TTL":
		// The TTL is outside the domain edition's range (free: 600-86400).
		return providers.KindConfig
	case strings.HasPrefix(code, "Throttling"),
		// Another change to the same domain is still being applied; it
		// clears by itself in seconds, like a rate limit.
		code == "LastOperationNotFinished":
		return providers.KindThrottled
	case code == "DomainRecordConflict", code == "DomainRecordDuplicate":
		return providers.KindConflict
	case code == "IncorrectDomainUser", // the zone is not in this account
		code == "DomainRecordNotBelongToUser", // the record id is not
		strings.HasPrefix(code, "InvalidDomainName.NoExist"):
		return providers.KindNotFound
	case strings.HasPrefix(code, "QuotaExceeded"),
		code == "DomainRecordLocked",
		code == "DomainForbidden",
		strings.HasPrefix(code, "InvalidParameter"),
		strings.HasPrefix(code, "MissingParameter"),
		strings.HasPrefix(code, "InvalidAction"):
		return providers.KindPermanent
	case strings.HasPrefix(code, "ServiceUnavailable"),
		strings.HasPrefix(code, "InternalError"),
		code == "UnknownError",
		// A replayed nonce: the next attempt carries a fresh one.
		code == "SignatureNonceUsed":
		return providers.KindTransient
	}
	if k := providers.StatusKind(status); k != providers.KindUnknown {
		return k
	}
	return providers.KindPermanent
}
