package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// parseBool reads a boolean the way UCI's shell helpers do.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "1", "on", "true", "yes", "enabled":
		return true, true
	case "0", "off", "false", "no", "disabled":
		return false, true
	}
	return false, false
}

// parseInt accepts plain decimal digits with an optional minus sign.
func parseInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 18 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// quoteValue shows a non-secret value in a message, shortened and with
// control characters escaped so that a message stays on one line.
func quoteValue(s string) string {
	if len(s) > 64 {
		s = s[:61] + "..."
	}
	return strconv.Quote(s)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// checkURL accepts absolute http and https URLs without credentials. The
// value is not quoted back: a URL may carry a token.
func checkURL(s string) string {
	if hasControl(s) || strings.ContainsAny(s, " \t") {
		return "must be an http or https URL without spaces or control characters"
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http:// or https:// URL with a host"
	}
	if u.User != nil {
		return "must not contain a user name or password"
	}
	return ""
}

// checkDomain validates a zone such as example.com (ASCII, at least two
// labels) and returns it lowercased without a trailing dot.
func checkDomain(s string) (string, string) {
	d := strings.ToLower(strings.TrimSuffix(s, "."))
	if !isASCII(d) {
		return "", "must be an ASCII domain name; write internationalised names in their xn-- form"
	}
	if !strings.Contains(d, ".") {
		return "", fmt.Sprintf("%s is not a domain name like example.com", quoteValue(s))
	}
	if len(d) > 253 {
		return "", "is longer than 253 characters"
	}
	for _, l := range strings.Split(d, ".") {
		if msg := checkLabel(l, false); msg != "" {
			return "", fmt.Sprintf("%s is not a valid domain name: %s", quoteValue(s), msg)
		}
	}
	return d, ""
}

// checkHostname validates record names relative to a zone: "@" or dot
// separated labels, where underscores (service labels) and a leading "*"
// label are allowed.
func checkHostname(s string) (string, string) {
	if s == "@" {
		return s, ""
	}
	n := strings.ToLower(strings.TrimSuffix(s, "."))
	if !isASCII(n) {
		return "", "must be ASCII; write internationalised names in their xn-- form"
	}
	for i, l := range strings.Split(n, ".") {
		if i == 0 && l == "*" {
			continue
		}
		if msg := checkLabel(l, true); msg != "" {
			return "", fmt.Sprintf("%s is not a valid host name: %s (use @ for the zone apex)", quoteValue(s), msg)
		}
	}
	return n, ""
}

func checkLabel(l string, underscore bool) string {
	if l == "" {
		return "empty label"
	}
	if len(l) > 63 {
		return "label longer than 63 characters"
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return "label starts or ends with '-'"
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || (underscore && c == '_')
		if !ok {
			return fmt.Sprintf("character %q not allowed", c)
		}
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkFormat validates the Format of a string option.
func checkFormat(format, s string) (string, string) {
	switch format {
	case "domain":
		return checkDomain(s)
	case "hostname":
		return checkHostname(s)
	case "path":
		if !strings.HasPrefix(s, "/") || hasControl(s) {
			return "", fmt.Sprintf("%s is not an absolute path", quoteValue(s))
		}
	case "device":
		// Linux limits device names to IFNAMSIZ-1 bytes, no '/' or spaces.
		if len(s) > 15 || s == "." || s == ".." || strings.ContainsAny(s, "/: \t") || hasControl(s) {
			return "", fmt.Sprintf("%s is not a Linux device name (at most 15 characters, no '/', ':' or spaces)", quoteValue(s))
		}
	case "uci_name":
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return "", fmt.Sprintf("%s is not a UCI interface name like wan6", quoteValue(s))
			}
		}
	case "mac":
		mac, ok := NormalizeMAC(s)
		if !ok {
			return "", fmt.Sprintf("%s is not a MAC address like aa:bb:cc:dd:ee:ff", quoteValue(s))
		}
		return mac, ""
	case "hex32":
		if len(s) != 32 || strings.Trim(s, "0123456789abcdefABCDEF") != "" {
			return "", "must be 32 hexadecimal characters"
		}
	case "label":
		// A region or similar id: one lower-case DNS label (cn-north-4).
		if msg := checkLabel(s, false); msg != "" {
			return "", fmt.Sprintf("%s is not a name like cn-north-4: %s", quoteValue(s), msg)
		}
	case "http_header":
		return checkHeader(s)
	case "host_port":
		if msg := checkHostPort(s); msg != "" {
			return "", msg
		}
	case "base64":
		if _, err := base64.StdEncoding.DecodeString(s); err != nil || s == "" {
			return "", "must be base64 (A-Z, a-z, 0-9, + and /, padded with =)"
		}
	default:
		if hasControl(s) {
			return "", "must not contain control characters"
		}
	}
	return s, ""
}

// checkHeader reads an HTTP header line `Name: value`: the name an RFC
// 9110 token, the value free of control characters. It returns the line
// with the blanks around the value trimmed.
func checkHeader(s string) (string, string) {
	const msg = "must be an HTTP header line like 'Authorization: Bearer TOKEN'"
	name, val, ok := strings.Cut(s, ":")
	if !ok || name == "" || hasControl(val) {
		return "", msg
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return "", msg
		}
	}
	return name + ": " + strings.TrimSpace(val), ""
}

// checkHostPort reads host or host:port ([v6]:port for IPv6 with a port);
// host is an IP literal or a host name.
func checkHostPort(s string) string {
	const msg = "must be a host name or IP address, optionally with :port"
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		return msg
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return msg
		}
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Zone() == "" {
		return ""
	}
	if _, m := checkDomainOrLabel(host); m != "" {
		return msg
	}
	return ""
}

// checkDomainOrLabel accepts a domain (example.com) or a single label
// (localhost).
func checkDomainOrLabel(s string) (string, string) {
	if !strings.Contains(strings.TrimSuffix(s, "."), ".") {
		l := strings.ToLower(s)
		return l, checkLabel(l, false)
	}
	return checkDomain(s)
}

// checkItem validates one element of a list option.
func checkItem(od *OptionDoc, s string) string {
	if od.Item == KindURL {
		return checkURL(s)
	}
	if od.Format == "" && strings.TrimSpace(s) != s {
		return "has leading or trailing white space"
	}
	_, msg := checkFormat(od.Format, s)
	return msg
}

// checkIP reads an address literal; with format ipv6_suffix it must be an
// IPv6 host part whose upper 64 bits are zero.
func checkIP(format, s string) (netip.Addr, string) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Sprintf("%s is not an IP address", quoteValue(s))
	}
	if format == "ipv6_suffix" {
		b := a.As16()
		if !a.Is6() || [8]byte(b[:8]) != [8]byte{} {
			return netip.Addr{}, fmt.Sprintf("%s is not an IPv6 host part: the upper 64 bits must be zero, e.g. ::211:32ff:fe12:3456", quoteValue(s))
		}
		return a, ""
	}
	if a.IsUnspecified() {
		return netip.Addr{}, fmt.Sprintf("%s is the unspecified address", quoteValue(s))
	}
	return a, ""
}

// suggest returns the candidate closest to word when it is close enough
// to be a likely typo, or "".
func suggest(word string, candidates []string) string {
	best, bestD := "", 1<<30
	w := strings.ToLower(word)
	for _, c := range candidates {
		d := editDistance(w, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || (bestD > 2 && bestD > len(word)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between two strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		// Long names are never typos of ours; bound the work.
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// orList joins values as "a, b or c".
func orList(vs []string) string {
	if len(vs) <= 1 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}
