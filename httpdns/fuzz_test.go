package httpdns

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// The seed corpora live in testdata/fuzz/<name>/; these f.Add calls repeat
// the documented shapes so a plain `go test` covers them too.

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"ipsv6":["2408:8741:0:1:0:0:0:27"],"ttl":144,"host":"www.yunaq.com"}`,
		`{"host":"www.yunaq.com","ips":["111.212.98.126","122.218.238.112"]}`,
		`{}`, `{"code":"SignatureExpired"}`, `{"ips":null,"ttl":null}`, `{"ttl":-1}`, `[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseJSON(body)
		checkResult(t, r, err)
	})
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		`183.212.96.233,111.212.98.126;187`, `183.212.96.233`, `2408:8741:0:1:0:0:0:27;144`, `null`,
		`{"code":"InvalidParam"}`, `;`, `,;`, `1.2.3.4;99999999999999999999`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseText(body)
		checkResult(t, r, err)
	})
}

func checkResult(t *testing.T, r result, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		return
	}
	if r.Code != "" && (len(r.Addrs) != 0 || r.HasTTL) {
		t.Fatalf("both a code and an answer: %+v", r)
	}
	for _, a := range r.Addrs {
		if !a.IsValid() || a.Zone() != "" {
			t.Fatalf("bad address %v", a)
		}
	}
	if r.TTL < 0 || r.TTL > math.MaxInt32*time.Second || (!r.HasTTL && r.TTL != 0) {
		t.Fatalf("bad ttl %v (has %v)", r.TTL, r.HasTTL)
	}
}

const fuzzSecret = "oB1q6EF8rGUpd1qxBtcm"

// FuzzDecrypt feeds arbitrary bodies to the decrypt path: it must fail
// cleanly or return less plaintext than the ciphertext it was given.
func FuzzDecrypt(f *testing.F) {
	for _, s := range []string{
		"4c25790b06bc72adf964fe21457ee73a7a7bca73bebb9bc9068e96f6789147e87afcd0556a6a74022fba145ec0c7f04d2d8fb50d0c5cc88e3ca66a04d755238fc0002bd84765634f02e794bae368de6c",
		"", "0", "zz", "00000000000000000000000000000000", `{"code":"InternalError"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		pt, err := decrypt(body, fuzzSecret)
		if err != nil {
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			return
		}
		if n := len(trimSpace(body)) / 2; len(pt) >= n || n-len(pt) > 16 {
			t.Fatalf("%d plaintext bytes from %d ciphertext bytes", len(pt), n)
		}
	})
}

// FuzzDecryptRoundTrip checks that anything padded and encrypted the way
// the service does decrypts back to itself.
func FuzzDecryptRoundTrip(f *testing.F) {
	for _, s := range []string{"", "null", `{"ipsv6":["2408:8741:0:1:0:0:0:27"],"ttl":144,"host":"www.yunaq.com"}`, "0123456789abcdef"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, plain []byte) {
		got, err := decrypt([]byte(ecbRaw(t, fuzzSecret, pad(plain))), fuzzSecret)
		if err != nil || string(got) != string(plain) {
			t.Fatalf("round trip of %q: %q, %v", plain, got, err)
		}
	})
}

func TestRealSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := realSleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("realSleep = %v, want context.Canceled", err)
	}
	if err := realSleep(context.Background(), time.Nanosecond); err != nil {
		t.Fatalf("realSleep = %v", err)
	}
}
