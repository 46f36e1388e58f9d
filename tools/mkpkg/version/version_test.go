package version

import (
	"testing"
	"time"
)

// A few cases of apk-tools' own test/unit/version.data (v3.0.5), the
// reference for CompareAPK and ValidAPK.
func TestAPKReferenceCases(t *testing.T) {
	for _, c := range []struct {
		a    string
		want int
		b    string
	}{
		{"2.34", 1, "0.1.0_alpha"},
		{"0.1.0_alpha2", 1, "0.1.0_alpha"},
		{"1.0.4-r3", -1, "1.0.4-r4"},
		{"1.1", 1, "1.1_alpha1"},
		{"1.2", -1, "1.3_alpha"},
		{"0.8_beta4", -1, "4.8-r1"},
		{"3.10.18-r1", 1, "2.3.0b-r1"},
		{"1.0", -1, "1.0.1"},
		{"1.0_p1", 1, "1.0"},
		{"1.0_git20200101", 1, "1.0"},
		{"1.01", -1, "1.1"}, // leading zero: string order
	} {
		if got := CompareAPK(c.a, c.b); got != c.want {
			t.Errorf("CompareAPK(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	for _, v := range []string{"0.1bc", "0.1a1", "0.1_pre2~", "1.0-1", "0.0.0+git.abc", "1.0_foo"} {
		if ValidAPK(v) {
			t.Errorf("ValidAPK(%q) = true", v)
		}
	}
	for _, v := range []string{"1.2.3-r1", "2024.01.02~abcdef-r3", "1.0_rc1-r2", "0.0.0_git20261203_p42-r1"} {
		if !ValidAPK(v) {
			t.Errorf("ValidAPK(%q) = false", v)
		}
	}
}

// dpkg/opkg ordering facts: '~' before everything, letters before other
// characters, digit runs numerically, revision after the last '-'.
func TestOpkgReferenceCases(t *testing.T) {
	for _, c := range []struct {
		a    string
		want int
		b    string
	}{
		{"1.0~rc1-1", -1, "1.0-1"},
		{"1.0-1", -1, "1.0a-1"},
		{"1.0a-1", -1, "1.0+b-1"},
		{"1.10-1", 1, "1.9-1"},
		{"1.0-2", 1, "1.0-1"},
		{"1.0-9", -1, "1.0-10"},
		{"1:0.1-1", 1, "9.9-1"},
		{"1.0_p1-1", 1, "1.0-1"},
	} {
		if got := CompareOpkg(c.a, c.b); got != c.want {
			t.Errorf("CompareOpkg(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// Versions of successive snapshots and releases increase for both package
// managers, as `make` names them (-r<release> for apk, -<release> for
// opkg, as OpenWrt's package-defaults.mk does).
func TestSnapshotsSortInBoth(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	var history []string
	for _, c := range []struct {
		tag            string
		since, commits int
		date           string
	}{
		{"", 0, 9, "2026-11-30"},
		{"", 0, 10, "2026-12-01"},
		{"", 0, 11, "2026-12-01"},
		{"", 0, 99, "2026-12-01"},
		{"", 0, 100, "2026-12-01"}, // 99 -> 100: numeric, not string, order
		{"", 0, 101, "2026-12-03"},
		{"v0.1.0", 0, 102, "2026-12-04"},
		{"v0.1.0", 1, 103, "2026-12-04"},
		{"v0.1.0", 12, 114, "2026-12-04"},
		{"v0.1.0", 13, 115, "2026-12-10"},
		{"v0.1.1", 0, 116, "2026-12-10"},
		{"v0.2.0", 0, 130, "2027-01-02"},
		{"v1.0.0", 0, 200, "2027-03-01"},
		{"v1.0.0", 1, 201, "2027-03-01"},
		{"v1.0.10", 0, 250, "2027-04-01"},
	} {
		v, err := FromGit(c.tag, c.since, c.commits, d(c.date))
		if err != nil {
			t.Fatal(err)
		}
		if !ValidAPK(v + "-r1") {
			t.Fatalf("%s-r1 is not a valid apk version", v)
		}
		history = append(history, v)
	}
	for i := 1; i < len(history); i++ {
		a, b := history[i-1], history[i]
		if CompareAPK(a+"-r1", b+"-r1") >= 0 {
			t.Errorf("apk: %s-r1 does not sort before %s-r1", a, b)
		}
		if CompareOpkg(a+"-1", b+"-1") >= 0 {
			t.Errorf("opkg: %s-1 does not sort before %s-1", a, b)
		}
	}
	// A new package release of the same version is an upgrade too.
	if CompareAPK(history[3]+"-r1", history[3]+"-r2") >= 0 || CompareOpkg(history[3]+"-1", history[3]+"-2") >= 0 {
		t.Error("release bump is not an upgrade")
	}
}

// The scheme this replaces: 0.0.0+git.<hash> is not even a valid apk
// version, and opkg orders it by hash, so a later commit can look older.
func TestOldSchemeDidNotSort(t *testing.T) {
	older, newer := "0.0.0+git.f00dcafe1234", "0.0.0+git.0badc0de5678"
	if ValidAPK(older + "-r1") {
		t.Error("old scheme is valid for apk")
	}
	if CompareOpkg(older+"-1", newer+"-1") <= 0 {
		t.Error("expected opkg to order the old scheme by hash")
	}
}

func TestParseDescribe(t *testing.T) {
	tag, n, err := ParseDescribe("v1.2.0-3-gabc1234\n")
	if err != nil || tag != "v1.2.0" || n != 3 {
		t.Errorf("got %q %d %v", tag, n, err)
	}
	if _, _, err := ParseDescribe("abc1234"); err == nil {
		t.Error("no error for a bare hash")
	}
	if _, err := FromGit("release-1", 0, 1, time.Now()); err == nil {
		t.Error("no error for a tag that is not vX.Y.Z")
	}
}
