package feed

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/apk"
	"github.com/eddns/eddns/tools/mkpkg/ipk"
)

const epoch = 1764720000

// dist builds the apk package tests' two small specs in both formats into
// a directory laid out as `mkpkg build` lays it out.
func dist(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"tiny", "luci-app-tiny"} {
		src := filepath.Join("..", "apk", "testdata", "golden", name)
		s, err := ipk.LoadSpec(filepath.Join(src, "spec.json"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := ipk.Build(s, src, epoch)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.FileName()), b, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := apk.FromSpec(s, src, epoch)
		if err != nil {
			t.Fatal(err)
		}
		a, err := p.Build()
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, "apk", p.Arch), 0o755)
		if err := os.WriteFile(filepath.Join(dir, "apk", p.Arch, p.FileName()), a, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func keys(t *testing.T) (*ecdsa.PrivateKey, *UsignKey) {
	t.Helper()
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := GenerateUsign(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	uk, err := ParseUsignSecret(sec)
	if err != nil {
		t.Fatal(err)
	}
	return ek, uk
}

func TestFeed(t *testing.T) {
	in := dist(t)
	out := t.TempDir()
	ek, uk := keys(t)
	if err := Write(Options{In: in, Out: out, Arches: []string{"mipsel_24kc"}, APKKey: ek, Usign: uk}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "mipsel_24kc")

	// opkg: Packages lists both .ipk files with Filename, Size and
	// SHA256sum right before Description, and Packages.gz is the same text.
	idx, err := os.ReadFile(filepath.Join(dir, "Packages"))
	if err != nil {
		t.Fatal(err)
	}
	records := strings.Split(strings.TrimSuffix(string(idx), "\n"), "\n\n")
	if len(records) != 2 || !strings.HasPrefix(records[0], "Package: luci-app-tiny\n") || !strings.HasPrefix(records[1], "Package: tiny\n") {
		t.Fatalf("Packages records: %q", records)
	}
	for _, r := range records {
		fields, err := ipk.ParseControl(r)
		if err != nil {
			t.Fatal(err)
		}
		fn, _ := ipk.Get(fields, "Filename")
		b, err := os.ReadFile(filepath.Join(dir, fn))
		if err != nil {
			t.Fatalf("Filename %q: %v", fn, err)
		}
		sum := sha256.Sum256(b)
		if !strings.Contains(r, "\nSHA256sum: "+hex.EncodeToString(sum[:])+"\nDescription: ") {
			t.Errorf("record for %s lacks the right SHA256sum before Description:\n%s", fn, r)
		}
	}
	gz, _ := os.ReadFile(filepath.Join(dir, "Packages.gz"))
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, idx) {
		t.Error("Packages.gz is not Packages")
	}
	sig, _ := os.ReadFile(filepath.Join(dir, "Packages.sig"))
	pub, err := os.ReadFile(filepath.Join(out, "keys", uk.FingerprintHex()))
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyUsign(pub, idx, sig); err != nil {
		t.Fatal(err)
	}
	if err := VerifyUsign(pub, append(idx, ' '), sig); err == nil {
		t.Error("a changed Packages verifies")
	}

	// apk: packages.adb is signed by the key, lists both .apk files and
	// records each one's size and the sha256 of its ADB block.
	adb, _ := os.ReadFile(filepath.Join(dir, "packages.adb"))
	s, err := apk.Open(adb)
	if err != nil {
		t.Fatal(err)
	}
	st, err := apk.ParseStream(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := apk.VerifySignature(st, &ek.PublicKey); err != nil {
		t.Fatal(err)
	}
	pem, _ := os.ReadFile(filepath.Join(out, "keys", "eddns-feed.pem"))
	if !strings.HasPrefix(string(pem), "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("public key file: %q", pem)
	}
	for _, f := range []string{"tiny-1.2.3_git20261203_p5-r1.apk", "luci-app-tiny-1.2.3_git20261203_p5-r1.apk"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		ps, _ := apk.Open(b)
		pst, _ := apk.ParseStream(ps)
		id := sha256.Sum256(pst.ADB)
		if !bytes.Contains(st.ADB, id[:]) {
			t.Errorf("index lacks the identity of %s", f)
		}
	}

	// Same inputs and keys: the same feed, byte for byte.
	out2 := t.TempDir()
	if err := Write(Options{In: in, Out: out2, Arches: []string{"mipsel_24kc"}, APKKey: ek, Usign: uk}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Packages", "Packages.gz", "Packages.sig", "packages.adb"} {
		a, _ := os.ReadFile(filepath.Join(dir, f))
		b, _ := os.ReadFile(filepath.Join(out2, "mipsel_24kc", f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", f)
		}
	}
}

// Our usign signature verifies with the real signify (OpenBSD's, whose
// file format usign shares) when it is installed.
func TestUsignWithSignify(t *testing.T) {
	bin, err := exec.LookPath("signify-openbsd")
	if err != nil {
		t.Skip("signify-openbsd not installed")
	}
	_, uk := keys(t)
	dir := t.TempDir()
	msg := []byte("Package: x\nVersion: 1\n\n")
	os.WriteFile(filepath.Join(dir, "Packages"), msg, 0o644)
	os.WriteFile(filepath.Join(dir, "Packages.sig"), uk.Sign(msg), 0o644)
	os.WriteFile(filepath.Join(dir, "key.pub"), uk.PublicFile(), 0o644)
	cmd := exec.Command(bin, "-V", "-p", "key.pub", "-x", "Packages.sig", "-m", "Packages")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("signify: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "Packages"), append(msg, 'x'), 0o644)
	cmd = exec.Command(bin, "-V", "-p", "key.pub", "-x", "Packages.sig", "-m", "Packages")
	cmd.Dir = dir
	if err := cmd.Run(); err == nil {
		t.Error("signify accepts a changed Packages")
	}
}

func TestUsignSecretRejects(t *testing.T) {
	sec, _ := GenerateUsign(rand.Reader)
	lines := strings.SplitN(string(sec), "\n", 3)
	if _, err := ParseUsignSecret([]byte(lines[1])); err == nil {
		t.Error("a key without the comment line parses")
	}
	raw := []byte(lines[1])
	raw[60] ^= 2 // inside the base64 of the secret key: checksum mismatch or bad base64
	if _, err := ParseUsignSecret([]byte(lines[0] + "\n" + string(raw) + "\n")); err == nil {
		t.Error("a damaged key parses")
	}
}
