package httpdns

import (
	"bytes"
	"crypto/aes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// vector is one entry of testdata/vectors.json (copied from the project's
// reference vectors; the AES ones are derived, not published).
type vector struct {
	ID       string            `json:"id"`
	Inputs   map[string]string `json:"inputs"`
	Expected map[string]string `json:"expected"`
}

func loadVectors(t *testing.T) map[string]vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	m := map[string]vector{}
	for _, v := range file.Vectors {
		m[v.ID] = v
	}
	return m
}

func TestSignDocumentVector(t *testing.T) {
	v := loadVectors(t)["yunaq-httpdns-md5"]
	ts, err := strconv.ParseInt(v.Inputs["t"], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Sign(v.Inputs["host"], v.Inputs["secret"], ts), v.Expected["sign"]; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	// The literal values from the API document, in case the file drifts.
	if got := Sign("www.yunaq.com", "oB1q6EF8rGUpd1qxBtcm", 1576468800); got != "1f8c93f4853b8a9cc179b54ea7e0e2f6" {
		t.Errorf("Sign(document example) = %s", got)
	}
}

func TestAESKeyVector(t *testing.T) {
	v := loadVectors(t)["yunaq-httpdns-aes-key"]
	key, err := aesKey(v.Inputs["secret"])
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(key); got != v.Expected["aes256_key_hex"] {
		t.Errorf("key = %s, want %s", got, v.Expected["aes256_key_hex"])
	}
}

func TestAESKeyLengths(t *testing.T) {
	for _, tc := range []struct {
		n      int
		ok     bool
		padded byte
	}{
		{0, false, 0}, {15, false, 0}, {16, true, 16}, {20, true, 12}, {31, true, 1}, {32, false, 0},
	} {
		key, err := aesKey(strings.Repeat("s", tc.n))
		if (err == nil) != tc.ok {
			t.Errorf("len %d: err = %v, want ok=%v", tc.n, err, tc.ok)
			continue
		}
		if tc.ok && (len(key) != 32 || key[31] != tc.padded) {
			t.Errorf("len %d: key = %x", tc.n, key)
		}
	}
}

func TestDecryptVector(t *testing.T) {
	vs := loadVectors(t)
	secret := vs["yunaq-httpdns-aes-key"].Inputs["secret"]
	v := vs["yunaq-httpdns-aes-ecb-selfgen"]
	if v.Inputs["key_hex"] != vs["yunaq-httpdns-aes-key"].Expected["aes256_key_hex"] {
		t.Fatal("vector file: ciphertext vector uses another key")
	}
	ct := v.Expected["ciphertext_hex"]
	for name, body := range map[string]string{
		"lower":            ct,
		"upper":            strings.ToUpper(ct),
		"trailing-newline": ct + "\r\n",
	} {
		got, err := decrypt([]byte(body), secret)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != v.Inputs["plaintext"] {
			t.Errorf("%s: plaintext = %q, want %q", name, got, v.Inputs["plaintext"])
		}
	}
	// The decrypted body is the document's example answer.
	r, err := parseJSON([]byte(v.Inputs["plaintext"]))
	if err != nil || r.Host != "www.yunaq.com" || len(r.Addrs) != 1 || r.Addrs[0].String() != "2408:8741:0:1::27" || r.TTL.Seconds() != 144 {
		t.Errorf("parse decrypted = %+v, %v", r, err)
	}
}

// ecbRaw encrypts whole blocks with no padding, to build malformed bodies.
func ecbRaw(t testing.TB, secret string, plain []byte) string {
	t.Helper()
	key, err := aesKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain)%aes.BlockSize != 0 {
		t.Fatalf("ecbRaw: %d bytes", len(plain))
	}
	ct := make([]byte, len(plain))
	for i := 0; i < len(plain); i += aes.BlockSize {
		blk.Encrypt(ct[i:], plain[i:i+aes.BlockSize])
	}
	return hex.EncodeToString(ct)
}

// pad adds PKCS#7 padding.
func pad(b []byte) []byte {
	n := aes.BlockSize - len(b)%aes.BlockSize
	return append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(n)}, n)...)
}

func TestDecryptMalformed(t *testing.T) {
	const secret = "oB1q6EF8rGUpd1qxBtcm"
	block := func(last ...byte) []byte { // 16 bytes of 'x' ending in last
		b := bytes.Repeat([]byte{'x'}, aes.BlockSize)
		copy(b[aes.BlockSize-len(last):], last)
		return b
	}
	vector := "4c25790b06bc72adf964fe21457ee73a7a7bca73bebb9bc9068e96f6789147e87afcd0556a6a74022fba145ec0c7f04d2d8fb50d0c5cc88e3ca66a04d755238fc0002bd84765634f02e794bae368de6c"
	for _, tc := range []struct {
		name, body, secret, want string
	}{
		{"empty", "", secret, "empty"},
		{"only space", " \n", secret, "empty"},
		{"odd hex", "abc", secret, "odd number"},
		{"not hex", "zz" + strings.Repeat("00", 15), secret, "not hex"},
		{"plain json", `{"host":"a"}`, secret, "not hex"},
		{"short block", strings.Repeat("00", 15), secret, "not a whole number"},
		{"block and a half", strings.Repeat("00", 24), secret, "not a whole number"},
		{"padding zero", ecbRaw(t, secret, block(0)), secret, "padding"},
		{"padding 17", ecbRaw(t, secret, block(17)), secret, "padding"},
		{"padding inconsistent", ecbRaw(t, secret, block(1, 3, 3)), secret, "padding"},
		{"padding longer than body", ecbRaw(t, secret, block()), secret, "padding"}, // 'x' = 0x78 > 16
		{"wrong secret", vector, "TQ3hq6bkp5gmbXNJOJ13", "padding"},
		{"short secret", vector, "short", "secret"},
	} {
		got, err := decrypt([]byte(tc.body), tc.secret)
		if err == nil {
			t.Errorf("%s: decrypt = %q, want error", tc.name, got)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.want)
		}
		if strings.Contains(err.Error(), tc.secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error %q leaks the secret", tc.name, err)
		}
	}
}

func TestDecryptPaddingEdges(t *testing.T) {
	const secret = "oB1q6EF8rGUpd1qxBtcm"
	for _, plain := range []string{"", "null", strings.Repeat("a", 15), strings.Repeat("b", 16), strings.Repeat("c", 17)} {
		got, err := decrypt([]byte(ecbRaw(t, secret, pad([]byte(plain)))), secret)
		if err != nil || string(got) != plain {
			t.Errorf("round trip %q: got %q, %v", plain, got, err)
		}
	}
}
