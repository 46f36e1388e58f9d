package httpc

import (
	"strings"
	"time"
)

// Header holds header fields keyed by lower-case name, so lookups need no
// canonical form; requests are written with the conventional capitals.
type Header map[string][]string

// Get returns the first value of name, "" when absent.
func (h Header) Get(name string) string {
	if v := h[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns every value of name.
func (h Header) Values(name string) []string { return h[strings.ToLower(name)] }

// Set replaces the values of name with v.
func (h Header) Set(name, v string) { h[strings.ToLower(name)] = []string{v} }

// Add appends v to the values of name.
func (h Header) Add(name, v string) {
	k := strings.ToLower(name)
	h[k] = append(h[k], v)
}

// Del removes name.
func (h Header) Del(name string) { delete(h, strings.ToLower(name)) }

// canonicalKey turns "x-tc-action" into "X-Tc-Action". Servers must treat
// names case-insensitively; some older ones do not.
func canonicalKey(k string) string {
	b := []byte(k)
	upper := true
	for i, c := range b {
		if upper && 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		upper = c == '-'
	}
	return string(b)
}

// TimeFormat is the IMF-fixdate form of RFC 9110, used in Date and
// Retry-After.
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// ParseTime parses an HTTP date in any of the three forms RFC 9110 requires
// a recipient to accept.
func ParseTime(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{TimeFormat, "Monday, 02-Jan-06 15:04:05 GMT", time.ANSIC} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}
