package feed

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// usign (openwrt/usign main.c) key and signature files: an "untrusted
// comment: ..." line, then one base64 line of a packed struct:
//
//	pubkey: "Ed", fingerprint[8], pubkey[32]
//	seckey: "Ed", "BK", kdfrounds u32 (0 = no passphrase), salt[16],
//	        checksum[8] = sha512(seckey)[:8], fingerprint[8], seckey[64]
//	sig:    "Ed", fingerprint[8], ed25519 signature[64] of the whole file
//
// seckey is the ed25519 seed followed by the public key, as Go's
// ed25519.PrivateKey holds it. This is signify's format too.

// UsignKey is a usign secret key.
type UsignKey struct {
	Fingerprint [8]byte
	Key         ed25519.PrivateKey
}

func decodeUsignFile(b []byte, size int) ([]byte, error) {
	text := string(b)
	nl := strings.IndexByte(text, '\n')
	if !strings.HasPrefix(text, "untrusted comment:") || nl < 0 {
		return nil, errors.New("usign: missing \"untrusted comment:\" line")
	}
	line := strings.TrimSpace(strings.SplitN(text[nl+1:], "\n", 2)[0])
	raw, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		return nil, fmt.Errorf("usign: base64: %w", err)
	}
	if len(raw) != size || string(raw[:2]) != "Ed" {
		return nil, fmt.Errorf("usign: not an Ed25519 key or signature (%d bytes)", len(raw))
	}
	return raw, nil
}

// ParseUsignSecret reads a secret key written by `usign -G`.
func ParseUsignSecret(b []byte) (*UsignKey, error) {
	raw, err := decodeUsignFile(b, 2+2+4+16+8+8+64)
	if err != nil {
		return nil, err
	}
	if string(raw[2:4]) != "BK" {
		return nil, errors.New("usign: unknown key derivation")
	}
	if binary.BigEndian.Uint32(raw[4:8]) != 0 {
		return nil, errors.New("usign: password protected secret keys are not supported (as in usign)")
	}
	seckey := raw[40:104]
	sum := sha512.Sum512(seckey)
	if !bytes.Equal(sum[:8], raw[24:32]) {
		return nil, errors.New("usign: secret key checksum mismatch")
	}
	k := ed25519.NewKeyFromSeed(seckey[:32])
	if !bytes.Equal(k[32:], seckey[32:]) {
		return nil, errors.New("usign: secret key's public half does not match its seed")
	}
	u := &UsignKey{Key: k}
	copy(u.Fingerprint[:], raw[32:40])
	return u, nil
}

// Sign returns the signature file `usign -S -m msg -s key` writes.
func (u *UsignKey) Sign(msg []byte) []byte {
	raw := append([]byte("Ed"), u.Fingerprint[:]...)
	raw = append(raw, ed25519.Sign(u.Key, msg)...)
	return []byte(fmt.Sprintf("untrusted comment: signed by key %x\n%s\n",
		binary.BigEndian.Uint64(u.Fingerprint[:]), base64.StdEncoding.EncodeToString(raw)))
}

// PublicFile is the public key file (`usign -G -p`), with our own comment
// line (usign ignores it).
func (u *UsignKey) PublicFile() []byte {
	raw := append([]byte("Ed"), u.Fingerprint[:]...)
	raw = append(raw, u.Key.Public().(ed25519.PublicKey)...)
	return []byte(fmt.Sprintf("untrusted comment: eddns feed key %x\n%s\n",
		binary.BigEndian.Uint64(u.Fingerprint[:]), base64.StdEncoding.EncodeToString(raw)))
}

// FingerprintHex is the file name `opkg-key add` gives the key under
// /etc/opkg/keys/: `usign -F`, printed with %"PRIx64 (no zero padding).
func (u *UsignKey) FingerprintHex() string {
	return fmt.Sprintf("%x", binary.BigEndian.Uint64(u.Fingerprint[:]))
}

// GenerateUsign makes a new key pair from random (like `usign -G`); it
// returns the secret key file.
func GenerateUsign(random io.Reader) ([]byte, error) {
	var fp [8]byte
	var seed [32]byte
	var salt [16]byte
	for _, b := range [][]byte{fp[:], seed[:], salt[:]} {
		if _, err := io.ReadFull(random, b); err != nil {
			return nil, fmt.Errorf("usign: random: %w", err)
		}
	}
	k := ed25519.NewKeyFromSeed(seed[:])
	sum := sha512.Sum512(k)
	raw := []byte("EdBK\x00\x00\x00\x00")
	raw = append(raw, salt[:]...)
	raw = append(raw, sum[:8]...)
	raw = append(raw, fp[:]...)
	raw = append(raw, k...)
	return []byte(fmt.Sprintf("untrusted comment: eddns feed secret key %x\n%s\n",
		binary.BigEndian.Uint64(fp[:]), base64.StdEncoding.EncodeToString(raw))), nil
}

// VerifyUsign checks a signature file against a public key file, as
// `usign -V -p pub -m msg -x sig` does.
func VerifyUsign(pubFile, msg, sigFile []byte) error {
	pub, err := decodeUsignFile(pubFile, 2+8+32)
	if err != nil {
		return err
	}
	sig, err := decodeUsignFile(sigFile, 2+8+64)
	if err != nil {
		return err
	}
	if !bytes.Equal(pub[2:10], sig[2:10]) {
		return errors.New("usign: signature is by another key")
	}
	if !ed25519.Verify(ed25519.PublicKey(pub[10:]), msg, sig[10:]) {
		return errors.New("usign: verification failed")
	}
	return nil
}
