// Package feed writes package feeds that OpenWrt's package managers can
// use as custom repositories, one directory per architecture:
//
//	<out>/<arch>/*.ipk, Packages, Packages.gz, Packages.sig   (opkg, 24.10 and older)
//	<out>/<arch>/*.apk, packages.adb                          (apk, 25.12 and later)
//	<out>/keys/                                               the public keys users install
//
// Packages follows OpenWrt's scripts/ipkg-make-index.sh; packages.adb is
// apk mkndx's format (tools/mkpkg/apk.BuildIndex).
package feed

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/eddns/eddns/tools/mkpkg/apk"
	"github.com/eddns/eddns/tools/mkpkg/ipk"
)

// Options says what to index and how to sign it. A nil key leaves that
// index unsigned.
type Options struct {
	In     string // directory `mkpkg build` wrote: *.ipk and apk/<arch>/*.apk
	Out    string
	Arches []string // architectures to write a feed for
	APKKey *ecdsa.PrivateKey
	Usign  *UsignKey
}

// Write builds every architecture's feed. It writes into Out, which it
// creates; files already there are overwritten.
func Write(o Options) error {
	ipks, err := filepath.Glob(filepath.Join(o.In, "*.ipk"))
	if err != nil {
		return err
	}
	for _, arch := range o.Arches {
		dir := filepath.Join(o.Out, arch)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		var mine []string
		for _, f := range ipks {
			a, err := ipkArch(f)
			if err != nil {
				return err
			}
			if a == arch || a == "all" {
				mine = append(mine, f)
			}
		}
		apks, err := filepath.Glob(filepath.Join(o.In, "apk", arch, "*.apk"))
		if err != nil {
			return err
		}
		noarch, err := filepath.Glob(filepath.Join(o.In, "apk", "noarch", "*.apk"))
		if err != nil {
			return err
		}
		apks = append(apks, noarch...)
		if len(mine) == 0 && len(apks) == 0 {
			return fmt.Errorf("feed: no packages for %s in %s", arch, o.In)
		}
		if err := writeOpkg(dir, mine, o.Usign); err != nil {
			return fmt.Errorf("feed: %s: %w", arch, err)
		}
		if err := writeAPK(dir, apks, o.APKKey); err != nil {
			return fmt.Errorf("feed: %s: %w", arch, err)
		}
	}
	return writeKeys(filepath.Join(o.Out, "keys"), o)
}

// ipkArch reads a package's Architecture field (its file name cannot
// tell: versions and architectures both contain "_").
func ipkArch(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	p, err := ipk.Read(b)
	if err != nil {
		return "", fmt.Errorf("feed: %s: %w", file, err)
	}
	a, ok := ipk.Get(p.Fields, "Architecture")
	if !ok {
		return "", fmt.Errorf("feed: %s: no Architecture", file)
	}
	return a, nil
}

func copyInto(dir string, files []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(f)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, err
		}
		out[name] = b
	}
	return out, nil
}

// Packages renders opkg's index the way ipkg-make-index.sh does: for each
// package (file names sorted), its control file with Filename, Size and
// SHA256sum inserted before Description, then a blank line.
func Packages(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var out bytes.Buffer
	for _, n := range names {
		b := files[n]
		p, err := ipk.Read(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		var control []byte
		for _, m := range p.Control {
			if strings.TrimPrefix(m.Name, "./") == "control" {
				control = m.Body
			}
		}
		sum := sha256.Sum256(b)
		extra := "Filename: " + n + "\nSize: " + strconv.Itoa(len(b)) + "\nSHA256sum: " + hex.EncodeToString(sum[:]) + "\n"
		text := string(control)
		i := strings.Index(text, "\nDescription:")
		if strings.HasPrefix(text, "Description:") {
			i = -1
			text = extra + text
		} else if i >= 0 {
			text = text[:i+1] + extra + text[i+1:]
		} else {
			return nil, fmt.Errorf("%s: control has no Description", n)
		}
		out.WriteString(text)
		out.WriteString("\n")
	}
	return out.Bytes(), nil
}

func writeOpkg(dir string, files []string, key *UsignKey) error {
	if len(files) == 0 {
		return nil
	}
	m, err := copyInto(dir, files)
	if err != nil {
		return err
	}
	idx, err := Packages(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "Packages"), idx, 0o644); err != nil {
		return err
	}
	// gzip -9n: no name, no time, OS Unix.
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.OS = 3
	zw.Write(idx)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "Packages.gz"), gz.Bytes(), 0o644); err != nil {
		return err
	}
	if key != nil {
		return os.WriteFile(filepath.Join(dir, "Packages.sig"), key.Sign(idx), 0o644)
	}
	return nil
}

func writeAPK(dir string, files []string, key *ecdsa.PrivateKey) error {
	if len(files) == 0 {
		return nil
	}
	sort.Strings(files)
	m, err := copyInto(dir, files)
	if err != nil {
		return err
	}
	var es []apk.IndexEntry
	for _, f := range files {
		es = append(es, apk.IndexEntry{File: m[filepath.Base(f)]})
	}
	idx, err := apk.BuildIndex(es, key)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "packages.adb"), idx, 0o644)
}

// writeKeys publishes the public halves: keys/eddns-feed.pem for
// /etc/apk/keys/ and keys/<fingerprint> for /etc/opkg/keys/.
func writeKeys(dir string, o Options) error {
	if o.APKKey == nil && o.Usign == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if o.APKKey != nil {
		pub, err := apk.PublicKeyPEM(&o.APKKey.PublicKey)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "eddns-feed.pem"), pub, 0o644); err != nil {
			return err
		}
	}
	if o.Usign != nil {
		return os.WriteFile(filepath.Join(dir, o.Usign.FingerprintHex()), o.Usign.PublicFile(), 0o644)
	}
	return nil
}
