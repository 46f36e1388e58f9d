package apk

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/ipk"
)

// goldenEpoch is the SOURCE_DATE_EPOCH the goldens were made with
// (testdata/golden/README.md).
const goldenEpoch = 1764720000

// buildGolden builds testdata/golden/<name>/spec.json with our writer.
func buildGolden(t *testing.T, name string) (*Package, []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "golden", name)
	s, err := ipk.LoadSpec(filepath.Join(dir, "spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromSpec(s, dir, goldenEpoch)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Build()
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

// TestGoldenInflatedStreams compares our packages with what the real
// `apk mkpkg` (apk-tools 3.0.5) made from the same trees, staged the way
// package-pack.mk stages them. Deflate output differs between zlib and Go,
// so the inflated streams are compared, byte for byte.
func TestGoldenInflatedStreams(t *testing.T) {
	for _, name := range []string{"tiny", "luci-app-tiny"} {
		t.Run(name, func(t *testing.T) {
			p, ours := buildGolden(t, name)
			golden, err := os.ReadFile(filepath.Join("testdata", "golden", name, p.FileName()))
			if err != nil {
				t.Fatal(err)
			}
			want, err := Open(golden)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Open(ours)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("inflated stream differs from apk mkpkg's at byte %d (ours %d bytes, golden %d)%s",
					firstDiff(got, want), len(got), len(want), describeDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// describeDiff shows the bytes around the first difference, to make a
// failure debuggable.
func describeDiff(a, b []byte) string {
	i := firstDiff(a, b)
	lo := max(0, i-16)
	return fmt.Sprintf("\nours:   % x\ngolden: % x", a[lo:min(len(a), i+32)], b[lo:min(len(b), i+32)])
}
