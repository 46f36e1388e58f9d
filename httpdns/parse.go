package httpdns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// result is a parsed body: either an answer or an API error code.
type result struct {
	Host   string
	Addrs  []netip.Addr
	TTL    time.Duration
	HasTTL bool
	Code   string // non-empty for {"code":"..."} bodies
}

// errorCode returns the code of a {"code":"..."} body, "" for anything else.
// Error bodies look the same in both output formats and are never encrypted.
func errorCode(body []byte) string {
	body = trimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return ""
	}
	var v struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.Code
}

// parseBody parses a plaintext (already decrypted) body of either format.
func parseBody(body []byte, text bool) (result, error) {
	if text {
		return parseText(body)
	}
	return parseJSON(body)
}

// parseJSON parses {"host":..,"ips":[..],"ipsv6":[..],"ttl":n}, {} (no
// result) or {"code":..}.
func parseJSON(body []byte) (result, error) {
	body = trimSpace(body)
	if len(body) == 0 {
		return result{}, fmt.Errorf("%w: empty body", ErrMalformed)
	}
	if body[0] != '{' {
		return result{}, fmt.Errorf("%w: json body is not an object", ErrMalformed)
	}
	var v struct {
		Code  string   `json:"code"`
		Host  string   `json:"host"`
		IPs   []string `json:"ips"`
		IPsV6 []string `json:"ipsv6"`
		TTL   *int64   `json:"ttl"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&v); err != nil {
		return result{}, fmt.Errorf("%w: json: %v", ErrMalformed, err)
	}
	if dec.More() {
		return result{}, fmt.Errorf("%w: data after the json object", ErrMalformed)
	}
	if v.Code != "" {
		return result{Code: v.Code}, nil
	}
	r := result{Host: v.Host}
	for _, s := range v.IPs {
		a, err := parseAddr(s)
		if err != nil {
			return result{}, err
		}
		if !a.Is4() {
			return result{}, fmt.Errorf("%w: ips holds non-IPv4 address %s", ErrMalformed, a)
		}
		r.Addrs = append(r.Addrs, a)
	}
	for _, s := range v.IPsV6 {
		a, err := parseAddr(s)
		if err != nil {
			return result{}, err
		}
		if !a.Is6() {
			return result{}, fmt.Errorf("%w: ipsv6 holds non-IPv6 address %s", ErrMalformed, a)
		}
		r.Addrs = append(r.Addrs, a)
	}
	if v.TTL != nil {
		ttl, err := ttlSeconds(*v.TTL)
		if err != nil {
			return result{}, err
		}
		r.TTL, r.HasTTL = ttl, true
	}
	return r, nil
}

// parseText parses "a,b" or "a,b;ttl", "null" (no result) or {"code":..}.
func parseText(body []byte) (result, error) {
	body = trimSpace(body)
	if code := errorCode(body); code != "" {
		return result{Code: code}, nil
	}
	s := string(body)
	switch s {
	case "":
		return result{}, fmt.Errorf("%w: empty body", ErrMalformed)
	case "null":
		return result{}, nil
	}
	list, ttlText, hasTTL := strings.Cut(s, ";")
	var r result
	for f := range strings.SplitSeq(list, ",") {
		a, err := parseAddr(f)
		if err != nil {
			return result{}, err
		}
		r.Addrs = append(r.Addrs, a)
	}
	if hasTTL {
		n, err := strconv.ParseInt(ttlText, 10, 64)
		if err != nil {
			return result{}, fmt.Errorf("%w: ttl %q is not a number", ErrMalformed, clip(ttlText))
		}
		if r.TTL, err = ttlSeconds(n); err != nil {
			return result{}, err
		}
		r.HasTTL = true
	}
	return r, nil
}

// parseAddr accepts a plain IPv4 or IPv6 address (no zone).
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: %q is not an IP address", ErrMalformed, clip(s))
	}
	return a, nil
}

// ttlSeconds bounds a TTL to what DNS can express (32 bits).
func ttlSeconds(n int64) (time.Duration, error) {
	if n < 0 || n > math.MaxInt32 {
		return 0, fmt.Errorf("%w: ttl %d out of range", ErrMalformed, n)
	}
	return time.Duration(n) * time.Second, nil
}

// clip shortens untrusted text quoted in errors.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
