package apk

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// FuzzReadPackage: no input may crash the reader, and whatever it accepts
// is self-consistent (every file's data hashes to its recorded sha256).
// Seeds live in testdata/fuzz/FuzzReadPackage (inflated goldens and
// damaged variants).
func FuzzReadPackage(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadPackage(b)
		if err != nil {
			return
		}
		for _, d := range p.Dirs {
			for _, e := range d.Files {
				if e.Data == nil {
					continue
				}
				sum := sha256.Sum256(e.Data)
				if !bytes.Equal(sum[:], e.Hash) || uint64(len(e.Data)) != e.Size {
					t.Fatalf("%s accepted with mismatching data", d.Path(e))
				}
			}
		}
		_ = p.CheckOpenWrt(0)
	})
}
