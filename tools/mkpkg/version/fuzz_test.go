package version

import "testing"

// FuzzVersionCompare: the apk tokenizer and both comparisons take any
// input without panicking, and both orders are antisymmetric and
// reflexive. Seeds in testdata/fuzz/FuzzVersionCompare.
func FuzzVersionCompare(f *testing.F) {
	f.Fuzz(func(t *testing.T, a, b string) {
		ValidAPK(a)
		if CompareAPK(a, a) != 0 || CompareOpkg(a, a) != 0 {
			t.Fatalf("%q does not equal itself", a)
		}
		if ValidAPK(a) && ValidAPK(b) && CompareAPK(a, b) != -CompareAPK(b, a) {
			t.Fatalf("apk: compare(%q, %q) = %d but compare(%q, %q) = %d", a, b, CompareAPK(a, b), b, a, CompareAPK(b, a))
		}
		if CompareOpkg(a, b) != -CompareOpkg(b, a) {
			t.Fatalf("opkg: compare(%q, %q) not antisymmetric", a, b)
		}
		if _, _, err := ParseDescribe(a); err == nil {
			ParseDescribe(b)
		}
	})
}
