package httpdns

import (
	"crypto/aes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// Sign returns the request signature of the API: the lower-case hex MD5 of
// "host-secret-t", where t is the signature's expiry in UNIX seconds.
func Sign(host, secret string, t int64) string {
	sum := md5.Sum([]byte(host + "-" + secret + "-" + strconv.FormatInt(t, 10)))
	return hex.EncodeToString(sum[:])
}

// errSecretLength is returned when a secret cannot become an AES-256 key. The
// message never carries the secret or its length.
var errSecretLength = errors.New("encrypt needs the 20-character secret issued by the console (16 to 31 bytes can be padded to an AES-256 key)")

// aesKey derives the response key: the secret PKCS#7-padded to a multiple of
// 16 bytes, which for the 20-character secrets the service issues is 32
// bytes, so AES-256. Secrets that would pad to another size are refused
// rather than silently switching to AES-128.
func aesKey(secret string) ([]byte, error) {
	n := len(secret)
	if n < 16 || n >= 32 {
		return nil, errSecretLength
	}
	key := make([]byte, 32)
	copy(key, secret)
	for i := n; i < len(key); i++ {
		key[i] = byte(32 - n)
	}
	return key, nil
}

// decrypt turns an encrypt=1 response body (hex of AES-256-ECB ciphertext
// with PKCS#7 padding) back into the plaintext body. Every malformed input is
// an error; none of them mention the secret.
func decrypt(body []byte, secret string) ([]byte, error) {
	body = trimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("encrypted body is empty")
	}
	if len(body)%2 != 0 {
		return nil, fmt.Errorf("encrypted body has an odd number (%d) of hex digits", len(body))
	}
	ct := make([]byte, len(body)/2)
	if _, err := hex.Decode(ct, body); err != nil {
		return nil, fmt.Errorf("encrypted body is not hex: %w", err)
	}
	if len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("ciphertext is %d bytes, not a whole number of %d-byte AES blocks", len(ct), aes.BlockSize)
	}
	key, err := aesKey(secret)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err) // unreachable: the key is always 32 bytes
	}
	// ECB: every block on its own. crypto/cipher has no ECB mode on purpose;
	// the API leaves us no choice.
	pt := make([]byte, len(ct))
	for i := 0; i < len(ct); i += aes.BlockSize {
		block.Decrypt(pt[i:i+aes.BlockSize], ct[i:i+aes.BlockSize])
	}
	n := int(pt[len(pt)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, errors.New("bad PKCS#7 padding after decryption (wrong secret, or the body was not encrypted)")
	}
	for _, b := range pt[len(pt)-n:] {
		if int(b) != n {
			return nil, errors.New("bad PKCS#7 padding after decryption (wrong secret, or the body was not encrypted)")
		}
	}
	return pt[:len(pt)-n], nil
}

// trimSpace drops surrounding ASCII white space (a trailing newline is
// common in plain-text HTTP bodies).
func trimSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
