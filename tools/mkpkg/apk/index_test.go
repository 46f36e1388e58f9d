package apk

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

func goldenEntries(t *testing.T) []IndexEntry {
	t.Helper()
	var es []IndexEntry
	for _, f := range []string{"tiny/tiny-1.2.3_git20261203_p5-r1.apk", "luci-app-tiny/luci-app-tiny-1.2.3_git20261203_p5-r1.apk"} {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", f))
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, IndexEntry{File: b})
	}
	return es
}

// The unsigned index of the two golden packages equals, inflated, what
// apk mkndx 3.0.5 wrote for them (testdata/golden/README.md).
func TestIndexMatchesMkndx(t *testing.T) {
	got, err := BuildIndex(goldenEntries(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("testdata/golden/index/packages.adb")
	if err != nil {
		t.Fatal(err)
	}
	g, _ := Open(got)
	w, err := Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("index differs from mkndx's at byte %d (ours %d, golden %d)%s", firstDiff(g, w), len(g), len(w), describeDiff(g, w))
	}
}

func TestIndexSignature(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildIndex(goldenEntries(t), key)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := BuildIndex(goldenEntries(t), key)
	if !bytes.Equal(b, again) {
		t.Error("signed index is not reproducible with the same key")
	}
	s, _ := Open(b)
	st, err := ParseStream(s)
	if err != nil {
		t.Fatal(err)
	}
	if st.Schema != SchemaIndex || len(st.Sigs) != 1 {
		t.Fatalf("schema %#x, %d signatures", st.Schema, len(st.Sigs))
	}
	if err := VerifySignature(st, &key.PublicKey); err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err := VerifySignature(st, &other.PublicKey); err == nil {
		t.Error("another key verifies the index")
	}
	st.ADB[len(st.ADB)-1] ^= 1
	if err := VerifySignature(st, &key.PublicKey); err == nil {
		t.Error("a changed index still verifies")
	}
}

// An index signed by the real `apk mkndx --sign-key` verifies with
// VerifySignature and our KeyID (the signed message layout and the key id
// rule are apk-tools'), and the same index with one changed byte does not.
func TestVerifiesMkndxSignature(t *testing.T) {
	pemBytes, err := os.ReadFile("testdata/golden/index/mkndx-signer.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.(*ecdsa.PublicKey)
	b, err := os.ReadFile("testdata/golden/index/packages-signed.adb")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStream(s)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := KeyID(pub)
	if len(st.Sigs) != 1 || !bytes.Equal(st.Sigs[0].Payload[2:18], id) {
		t.Fatalf("key id in the SIG block is not KeyID(pub) = %x", id)
	}
	if err := VerifySignature(st, pub); err != nil {
		t.Fatal(err)
	}
	unsigned, _ := os.ReadFile("testdata/golden/index/packages.adb")
	u, _ := Open(unsigned)
	ust, _ := ParseStream(u)
	if !bytes.Equal(ust.ADB, st.ADB) {
		t.Error("signing changed the ADB block")
	}
	st.ADB[20] ^= 1
	if err := VerifySignature(st, pub); err == nil {
		t.Error("a changed index verifies")
	}
}
