package feed

import (
	"crypto/rand"
	"testing"
)

// FuzzUsignFiles: damaged key and signature files give errors, never a
// panic, and nothing verifies a signature it did not make. A freshly
// generated key is added at run time (no key is committed); the corpus in
// testdata/fuzz/FuzzUsignFiles holds only non-key shapes.
func FuzzUsignFiles(f *testing.F) {
	if sec, err := GenerateUsign(rand.Reader); err == nil {
		f.Add(sec, []byte("msg"))
	}
	f.Fuzz(func(t *testing.T, file, msg []byte) {
		k, err := ParseUsignSecret(file)
		if err != nil {
			VerifyUsign(file, msg, file)
			return
		}
		sig := k.Sign(msg)
		if err := VerifyUsign(k.PublicFile(), msg, sig); err != nil {
			t.Fatalf("own signature does not verify: %v", err)
		}
		if err := VerifyUsign(k.PublicFile(), append(msg, 0), sig); err == nil {
			t.Fatal("signature verifies another message")
		}
	})
}
