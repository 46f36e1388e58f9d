package apk

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// IndexEntry is one package file to list in a repository index.
type IndexEntry struct {
	File []byte // the .apk as served
}

// BuildIndex writes packages.adb the way `apk mkndx` (app_mkndx.c) does:
// schema "indx", a root object whose "packages" array holds each package's
// info object copied field by field (adb_wo_copyobj), then its file-size
// and, as "hashes", the sha256 of its ADB block (the identity apk checks a
// downloaded package against), sorted by name and version. With a key the
// index gets a SIG block as OpenWrt's signed indexes have (ECDSA P-256 over
// SHA-512, adb_trust_write_signatures); ECDSA nonces follow RFC 6979 so the
// same inputs and key give the same bytes.
func BuildIndex(entries []IndexEntry, key *ecdsa.PrivateKey) ([]byte, error) {
	a := newArena()
	var pkgs object
	for i, e := range entries {
		s, err := Open(e.File)
		if err != nil {
			return nil, fmt.Errorf("apk: index entry %d: %w", i, err)
		}
		st, err := ParseStream(s)
		if err != nil {
			return nil, fmt.Errorf("apk: index entry %d: %w", i, err)
		}
		if st.Schema != SchemaPackage {
			return nil, fmt.Errorf("apk: index entry %d is not a package", i)
		}
		if _, err := decodePackage(st); err != nil {
			return nil, fmt.Errorf("apk: index entry %d: %w", i, err)
		}
		r := &reader{adb: st.ADB}
		root, err := r.slots(binary.LittleEndian.Uint32(st.ADB[4:]))
		if err != nil {
			return nil, err
		}
		info, err := r.copyObject(a, slot(root, pkgInfo))
		if err != nil {
			return nil, fmt.Errorf("apk: index entry %d: %w", i, err)
		}
		info.set(piFileSize, a.integer(uint64(len(e.File))))
		id := sha256.Sum256(st.ADB)
		info.set(piHashes, a.blob(id[:]))
		pkgs.add(a.write(info, typeObject))
	}
	a.sortByNameVersion(&pkgs) // adb_wa_sort with schema_pkginfo's compare
	var root object
	root.set(ndxPackages, a.write(&pkgs, typeObject))
	binary.LittleEndian.PutUint32(a.buf[4:], a.write(&root, typeObject))

	var out bytes.Buffer
	out.Write(binary.LittleEndian.AppendUint32(nil, formatMagic))
	out.Write(binary.LittleEndian.AppendUint32(nil, SchemaIndex))
	writeBlock(&out, blockADB, a.buf)
	if key != nil {
		sig, err := signADB(SchemaIndex, a.buf, key)
		if err != nil {
			return nil, err
		}
		writeBlock(&out, blockSig, sig)
	}
	return Deflate(out.Bytes())
}

// copyObject is adb_w_copy of an object: each slot copied in order
// (blobs and large integers re-written, objects recursively), giving a
// builder the caller may still change before writing it.
func (r *reader) copyObject(a *arena, v uint32) (*object, error) {
	s, err := r.slots(v)
	if err != nil {
		return nil, err
	}
	o := &object{}
	for i := 1; i < len(s); i++ {
		c, err := r.copyValue(a, s[i])
		if err != nil {
			return nil, err
		}
		if c != 0 {
			o.set(i, c)
		}
	}
	return o, nil
}

func (r *reader) copyValue(a *arena, v uint32) (uint32, error) {
	switch v & typeMask {
	case typeSpecial, typeInt:
		return v, nil
	case typeInt32, typeInt64:
		n, err := r.integer(v)
		if err != nil {
			return 0, err
		}
		return a.integer(n), nil
	case typeBlob8, typeBlob16, typeBlob32:
		b, err := r.blob(v)
		if err != nil {
			return 0, err
		}
		return a.blob(b), nil
	case typeObject, typeArray:
		o, err := r.copyObject(a, v)
		if err != nil {
			return 0, err
		}
		// adb_w_copy keeps the count slot as it was, trailing nulls included.
		s, _ := r.slots(v)
		for len(o.slots) < len(s) {
			o.slots = append(o.slots, 0)
		}
		return a.vector(o.slots, v&typeMask), nil
	}
	return 0, fmt.Errorf("apk: cannot copy value %#08x", v)
}

// KeyID is what apk-tools calls a key's id: the first 16 bytes of the
// sha512 of i2d_PublicKey's output (crypto_openssl.c apk_pkey_init), which
// for an EC key is the bare uncompressed point 04||X||Y, not the
// SubjectPublicKeyInfo DER. Checked against `apk mkndx --sign-key`.
func KeyID(pub *ecdsa.PublicKey) ([]byte, error) {
	k, err := pub.ECDH()
	if err != nil {
		return nil, fmt.Errorf("apk: key: %w", err)
	}
	sum := sha512.Sum512(k.Bytes())
	return sum[:16], nil
}

// signedMessage is adb_digest_v0_signature's input: the schema, the
// signature header (version 0, hash SHA-512, key id) and sha512 of the
// ADB block.
func signedMessage(schema uint32, hdr []byte, adb []byte) []byte {
	md := sha512.Sum512(adb)
	m := binary.LittleEndian.AppendUint32(nil, schema)
	m = append(m, hdr...)
	return append(m, md[:]...)
}

const digestSHA512 = 4 // APK_DIGEST_SHA512 (src/apk_crypto.h)

func signADB(schema uint32, adb []byte, key *ecdsa.PrivateKey) ([]byte, error) {
	id, err := KeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	hdr := append([]byte{0, digestSHA512}, id...)
	h := sha512.Sum512(signedMessage(schema, hdr, adb))
	sig, err := key.Sign(nil, h[:], crypto.SHA512) // nil: RFC 6979, reproducible
	if err != nil {
		return nil, fmt.Errorf("apk: sign index: %w", err)
	}
	return append(hdr, sig...), nil
}

// VerifySignature checks a stream's SIG blocks against pub, as apk does
// for keys in /etc/apk/keys; it fails if none verifies.
func VerifySignature(st *Stream, pub *ecdsa.PublicKey) error {
	id, err := KeyID(pub)
	if err != nil {
		return err
	}
	for _, b := range st.Sigs {
		p := b.Payload
		if len(p) < 18 || p[0] != 0 || p[1] != digestSHA512 || !bytes.Equal(p[2:18], id) {
			continue
		}
		h := sha512.Sum512(signedMessage(st.Schema, p[:18], st.ADB))
		if ecdsa.VerifyASN1(pub, h[:], p[18:]) {
			return nil
		}
	}
	return errors.New("apk: no signature by this key verifies")
}

// ParseECKey reads an ECDSA P-256 private key in PEM, as made by
// `openssl ecparam -name prime256v1 -genkey` (OpenWrt's key-build) or
// PKCS#8.
func ParseECKey(b []byte) (*ecdsa.PrivateKey, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("apk: no EC PRIVATE KEY or PRIVATE KEY in the key file")
		}
		switch blk.Type {
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(blk.Bytes)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("apk: key: %w", err)
			}
			ec, ok := k.(*ecdsa.PrivateKey)
			if !ok {
				return nil, errors.New("apk: key is not an ECDSA key")
			}
			return ec, nil
		}
		if strings.TrimSpace(string(b)) == "" {
			return nil, errors.New("apk: no private key in the key file")
		}
	}
}

// PublicKeyPEM is the public half in the form OpenWrt installs under
// /etc/apk/keys/ (openssl ec -pubout).
func PublicKeyPEM(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
