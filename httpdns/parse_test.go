package httpdns

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"
)

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestParseJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want result
		bad  bool
	}{
		{name: "document AAAA with ttl", body: `{"ipsv6":["2408:8741:0:1:0:0:0:27"],"ttl":144,"host":"www.yunaq.com"}`,
			want: result{Host: "www.yunaq.com", Addrs: addrs("2408:8741:0:1::27"), TTL: 144 * time.Second, HasTTL: true}},
		{name: "document A", body: `{"host":"www.yunaq.com","ips":["111.212.98.126","122.218.238.112"]}`,
			want: result{Host: "www.yunaq.com", Addrs: addrs("111.212.98.126", "122.218.238.112")}},
		{name: "ttl zero", body: `{"host":"h","ips":["192.0.2.1"],"ttl":0}`,
			want: result{Host: "h", Addrs: addrs("192.0.2.1"), HasTTL: true}},
		{name: "no result", body: `{}`, want: result{}},
		{name: "no result with space", body: " {}\n", want: result{}},
		{name: "unknown fields ignored", body: `{"host":"h","ips":["192.0.2.1"],"extra":[1]}`,
			want: result{Host: "h", Addrs: addrs("192.0.2.1")}},
		{name: "error code", body: `{"code":"SignatureExpired"}`, want: result{Code: "SignatureExpired"}},
		{name: "empty", body: ``, bad: true},
		{name: "null", body: `null`, bad: true},
		{name: "array", body: `[]`, bad: true},
		{name: "truncated", body: `{"ips":["1.2.3.4"`, bad: true},
		{name: "trailing data", body: `{}{}`, bad: true},
		{name: "ips not strings", body: `{"ips":[1]}`, bad: true},
		{name: "ips bad address", body: `{"ips":["1.2.3"]}`, bad: true},
		{name: "ips holds IPv6", body: `{"ips":["2001:db8::1"]}`, bad: true},
		{name: "ipsv6 holds IPv4", body: `{"ipsv6":["192.0.2.1"]}`, bad: true},
		{name: "zone", body: `{"ipsv6":["fe80::1%eth0"]}`, bad: true},
		{name: "negative ttl", body: `{"ips":["192.0.2.1"],"ttl":-1}`, bad: true},
		{name: "huge ttl", body: `{"ips":["192.0.2.1"],"ttl":99999999999}`, bad: true},
		{name: "fractional ttl", body: `{"ips":["192.0.2.1"],"ttl":1.5}`, bad: true},
	} {
		got, err := parseJSON([]byte(tc.body))
		if tc.bad {
			if err == nil || !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: got %+v, %v; want ErrMalformed", tc.name, got, err)
			}
			continue
		}
		if err != nil || !equalResult(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestParseText(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want result
		bad  bool
	}{
		{name: "document example", body: `183.212.96.233,111.212.98.126;187`,
			want: result{Addrs: addrs("183.212.96.233", "111.212.98.126"), TTL: 187 * time.Second, HasTTL: true}},
		{name: "without ttl", body: "183.212.96.233\n", want: result{Addrs: addrs("183.212.96.233")}},
		{name: "IPv6 long form", body: `2408:8741:0:1:0:0:0:27;144`,
			want: result{Addrs: addrs("2408:8741:0:1::27"), TTL: 144 * time.Second, HasTTL: true}},
		{name: "no result", body: `null`, want: result{}},
		{name: "error code", body: `{"code":"DnNotInWhitelist"}`, want: result{Code: "DnNotInWhitelist"}},
		{name: "empty", body: ``, bad: true},
		{name: "empty ttl", body: `192.0.2.1;`, bad: true},
		{name: "bad ttl", body: `192.0.2.1;1x`, bad: true},
		{name: "negative ttl", body: `192.0.2.1;-5`, bad: true},
		{name: "empty element", body: `192.0.2.1,;5`, bad: true},
		{name: "only ttl", body: `;5`, bad: true},
		{name: "two ttls", body: `192.0.2.1;5;6`, bad: true},
		{name: "garbage", body: `<html>`, bad: true},
		{name: "json answer in text mode", body: `{"ips":["192.0.2.1"]}`, bad: true},
	} {
		got, err := parseText([]byte(tc.body))
		if tc.bad {
			if err == nil || !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: got %+v, %v; want ErrMalformed", tc.name, got, err)
			}
			continue
		}
		if err != nil || !equalResult(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func equalResult(a, b result) bool {
	return a.Host == b.Host && a.Code == b.Code && a.TTL == b.TTL && a.HasTTL == b.HasTTL && slices.Equal(a.Addrs, b.Addrs)
}
