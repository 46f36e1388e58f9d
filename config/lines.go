package config

import (
	"fmt"
	"strings"
	"time"
)

// Plan limits the providers document, used by Warnings: the free plans of
// alidns and DNSPod refuse a TTL below 600 s (alidns QuotaExceeded.TTL,
// DNSPod LimitExceeded.RecordTtlLimit); alidns accepts at most 86400 s,
// DNSPod and CNS 604800 s.
const freePlanMinTTL = 600

var maxTTL = map[string]int{"alidns": 86400, "tencentcloud": 604800, "qcloud_cns": 604800}

// checkLine checks a record's line option against the spelling its
// provider's API takes: alidns line codes ("telecom", "cn_telecom_beijing"),
// DNSPod RecordLineIds ("0", "10=0"), CNS line names ("电信").
func (c *checker) checkLine(sec *section, r *Record, p *Provider) {
	v, ok := sec.get("line")
	if !ok || r.Line == "" {
		return
	}
	at := v.opt.ValuePos[0]
	if strings.TrimSpace(r.Line) != r.Line || strings.ContainsAny(r.Line, " \t") {
		c.add(at, sec.label, "line", "%s: a line has no spaces", quoteValue(r.Line))
		return
	}
	if p == nil {
		return
	}
	switch p.Type {
	case "alidns":
		for _, ch := range r.Line {
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-') {
				c.add(at, sec.label, "line", "%s is not an alidns line code: use codes such as default, telecom, unicom, mobile, oversea", quoteValue(r.Line))
				return
			}
		}
	case "tencentcloud":
		id, sub, _ := strings.Cut(r.Line, "=")
		if !digits(id) || (strings.Contains(r.Line, "=") && !digits(sub)) {
			c.add(at, sec.label, "line", "%s is not a DNSPod RecordLineId: use 0 for the default line or an id such as 10=0 (电信) from DescribeRecordLineList", quoteValue(r.Line))
		}
	case "":
	default:
		if _, known := maxTTL[p.Type]; !known {
			c.add(at, sec.label, "line", "provider type %s has no resolution lines; remove the option", p.Type)
		}
	}
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// Warnings lists settings that are valid but likely to fail at the
// provider or that use a retired API; `eddns check` prints them.
func (cfg *Config) Warnings() []string {
	var out []string
	for _, name := range sortedKeys(cfg.Providers) {
		p := cfg.Providers[name]
		if p.Type == "qcloud_cns" && p.Endpoint == "" {
			out = append(out, fmt.Sprintf("provider %s: qcloud_cns without option endpoint uses cns.api.qcloud.com, which Tencent shut down in 2023; "+
				"use type tencentcloud (DNSPod API 3.0, same SecretId/SecretKey), or set endpoint to a compatible private endpoint", name))
		}
	}
	for _, r := range cfg.Records {
		p := cfg.Providers[r.Provider]
		if !r.Enabled || p == nil {
			continue
		}
		if h := cfg.HTTPDNS[r.Verify]; h != nil && h.Window > 0 && h.Window < time.Duration(r.TTL+150)*time.Second {
			out = append(out, fmt.Sprintf("record %s: httpdns %s's verify_window (%ds) is shorter than the record's ttl plus 150 s (%ds): "+
				"resolvers may still hand out the old value and verification report it not visible; leave verify_window empty",
				r.Section, h.Name, int(h.Window.Seconds()), r.TTL+150))
		}
		max, ok := maxTTL[p.Type]
		switch {
		case !ok || r.TTL == 0:
		case r.TTL < freePlanMinTTL:
			out = append(out, fmt.Sprintf("record %s: option ttl '%d' is below %d, which free plans of %s refuse; set ttl to %d or more unless the plan is paid",
				r.Section, r.TTL, freePlanMinTTL, p.Type, freePlanMinTTL))
		case r.TTL > max:
			out = append(out, fmt.Sprintf("record %s: option ttl '%d' is above %s's maximum; set ttl to %d or less", r.Section, r.TTL, p.Type, max))
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
