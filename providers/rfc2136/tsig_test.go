package rfc2136

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/eddns/eddns/dnswire"
)

const vectorSecret = "c2VjcmV0LWZvci1lZGRucy10ZXN0cy0wMTIzNDU2Nzg5"

// split cuts a signed message into the message as signed (ARCOUNT not
// counting the TSIG) and its TSIG fields.
func split(t *testing.T, raw []byte) ([]byte, *tsigFields) {
	t.Helper()
	start, err := lastRecordOffset(raw)
	if err != nil {
		t.Fatal(err)
	}
	_, off, err := readName(raw, start)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := parseTSIG(raw, off+10)
	if err != nil {
		t.Fatal(err)
	}
	msg := append([]byte(nil), raw[:start]...)
	binary.BigEndian.PutUint16(msg[10:], binary.BigEndian.Uint16(msg[10:])-1)
	return msg, tf
}

// TestNsupdateVectors checks our signer and verifier against messages BIND's
// nsupdate signed (testdata/nsupdate/README.md).
func TestNsupdateVectors(t *testing.T) {
	for _, alg := range []string{"hmac-sha256", "hmac-sha1", "hmac-sha512", "hmac-md5"} {
		t.Run(alg, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "nsupdate", alg+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			key, err := NewKey("eddns-test", alg, vectorSecret)
			if err != nil {
				t.Fatal(err)
			}
			msg, tf := split(t, raw)
			signed, mac := key.sign(msg, time.Unix(int64(tf.timeSigned), 0))
			if !bytes.Equal(signed, raw) {
				t.Fatalf("our signature differs from nsupdate's:\n ours %x\n bind %x", signed, raw)
			}
			if !bytes.Equal(mac, tf.mac) {
				t.Fatalf("mac = %x, want %x", mac, tf.mac)
			}
			// A request verifies like a response without a request MAC.
			if _, err := key.verify(raw, nil, time.Unix(int64(tf.timeSigned)+10, 0)); err != nil {
				t.Fatalf("verify nsupdate's message: %v", err)
			}
			// Any changed byte before the TSIG breaks it.
			bad := append([]byte(nil), raw...)
			bad[len(msg)-1] ^= 1
			if _, err := key.verify(bad, nil, time.Unix(int64(tf.timeSigned), 0)); !errors.Is(err, errBadMAC) {
				t.Fatalf("verify tampered message: %v; want errBadMAC", err)
			}
			other, _ := NewKey("eddns-test", alg, "b3RoZXI=")
			if _, err := other.verify(raw, nil, time.Unix(int64(tf.timeSigned), 0)); !errors.Is(err, errBadMAC) {
				t.Fatalf("verify with another secret: %v; want errBadMAC", err)
			}
			// Outside the fudge window the signature is refused.
			if _, err := key.verify(raw, nil, time.Unix(int64(tf.timeSigned)+fudge+5, 0)); err == nil || !strings.Contains(err.Error(), "fudge") {
				t.Fatalf("verify a stale message: %v; want a fudge error", err)
			}
		})
	}
}

// TestNsupdateMessageIsWhatWeSend checks that nsupdate's update says what
// ours says: zone SOA, no prerequisites, delete RRset then add.
func TestNsupdateMessageIsWhatWeSend(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "nsupdate", "hmac-sha256.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var m dnsmessage.Message
	if err := m.Unpack(raw); err != nil {
		t.Fatal(err)
	}
	if m.Header.OpCode != dnswire.OpUpdate || len(m.Questions) != 1 || m.Questions[0].Type != dnsmessage.TypeSOA || len(m.Answers) != 0 {
		t.Fatalf("header/zone: %+v", m)
	}
	if len(m.Authorities) != 2 {
		t.Fatalf("updates = %d", len(m.Authorities))
	}
	del, add := m.Authorities[0].Header, m.Authorities[1].Header
	if del.Class != dnsmessage.ClassANY || del.TTL != 0 || del.Type != dnsmessage.TypeAAAA || add.Class != dnsmessage.ClassINET || add.TTL != 600 {
		t.Fatalf("delete %+v add %+v", del, add)
	}
}

func TestKeyPrintsNoSecret(t *testing.T) {
	k, err := NewKey("eddns-test", "", vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{server: "127.0.0.1:53", key: k}
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", k, k, k, k), fmt.Sprintf("%v %+v", p, *p)} {
		if strings.Contains(s, vectorSecret) || strings.Contains(s, "secret-for-eddns") || strings.Contains(s, fmt.Sprint(k.secret)) {
			t.Fatalf("a printed key shows its secret: %s", s)
		}
	}
}

func TestNewKey(t *testing.T) {
	for _, c := range []struct{ name, alg, secret, err string }{
		{"k", "", vectorSecret, ""},
		{"k.", "HMAC-SHA512", vectorSecret, ""},
		{"k", "hmac-md5.sig-alg.reg.int", vectorSecret, ""},
		{"k", "hmac-sha3", vectorSecret, "not one of"},
		{"", "", vectorSecret, "key_name"},
		{"k", "", "not base64!", "base64"},
	} {
		_, err := NewKey(c.name, c.alg, c.secret)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("NewKey(%q, %q) = %v; want %q", c.name, c.alg, err, c.err)
		}
		if err != nil && strings.Contains(err.Error(), c.secret) {
			t.Errorf("error leaks the secret: %v", err)
		}
	}
}

func TestServerAddr(t *testing.T) {
	for in, want := range map[string]string{
		"ns1.example.net":      "ns1.example.net:53",
		"ns1.example.net:5353": "ns1.example.net:5353",
		"192.0.2.1":            "192.0.2.1:53",
		"2001:db8::1":          "[2001:db8::1]:53",
		"[2001:db8::1]:5300":   "[2001:db8::1]:5300",
		"host:0":               "",
		"host:x":               "",
		"":                     "",
	} {
		got, err := ServerAddr(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ServerAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// FuzzVerify feeds arbitrary responses to the TSIG parser and verifier:
// nothing may panic, and only a correctly signed message verifies.
func FuzzVerify(f *testing.F) {
	for _, alg := range []string{"hmac-sha256", "hmac-md5"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "nsupdate", alg+".bin"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	key, _ := NewKey("eddns-test", "hmac-sha256", vectorSecret)
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := key.verify(raw, nil, time.Now())
		if err == nil && v.errCode == 0 {
			// Accepted: it must really carry our MAC over its bytes.
			msg, tf := split(t, raw)
			binary.BigEndian.PutUint16(msg, tf.origID)
			if !bytes.Equal(key.digest(nil, msg, tf), tf.mac) {
				t.Fatal("accepted a message whose MAC does not match")
			}
		}
	})
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ zone, name, typ, owner string }{
		{"example.org", "@", "A", "example.org."},
		{"Example.Org.", "NAS", "AAAA", "nas.example.org."},
		{"example.org", "a.b", "A", "a.b.example.org."},
		{"", "nas", "A", ""},
		{".", "nas", "A", ""},
		{"example.org", strings.Repeat("x", 64), "A", ""},
		{"example.org", "a..b", "A", ""},
		{"example.org", "nas", "MX", ""},
	} {
		_, owner, _, err := names(c.zone, c.name, c.typ)
		if c.owner == "" {
			if err == nil {
				t.Errorf("names(%q, %q, %q) accepted", c.zone, c.name, c.typ)
			}
			continue
		}
		if err != nil || owner != c.owner {
			t.Errorf("names(%q, %q, %q) = %s, %v; want %s", c.zone, c.name, c.typ, owner, err, c.owner)
		}
	}
}
