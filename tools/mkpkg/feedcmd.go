package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/eddns/eddns/tools/mkpkg/apk"
	"github.com/eddns/eddns/tools/mkpkg/feed"
	"github.com/eddns/eddns/tools/mkpkg/target"
)

// cmdFeed writes installable feeds from what `build` produced.
func cmdFeed(args []string) error {
	fs := flag.NewFlagSet("feed", flag.ContinueOnError)
	in := fs.String("in", "dist", "directory `mkpkg build` wrote")
	out := fs.String("out", "dist/feed", "feed directory to write")
	arches := fs.String("arch", "", "space-separated architectures (default: all known)")
	apkKey := fs.String("apk-key", "", "ECDSA P-256 private key (PEM) to sign packages.adb")
	usignKey := fs.String("usign-key", "", "usign secret key to sign Packages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := feed.Options{In: *in, Out: *out, Arches: strings.Fields(*arches)}
	if len(o.Arches) == 0 {
		for _, t := range target.All() {
			o.Arches = append(o.Arches, t.Arch)
		}
	}
	if *apkKey != "" {
		b, err := os.ReadFile(*apkKey)
		if err != nil {
			return err
		}
		if o.APKKey, err = apk.ParseECKey(b); err != nil {
			return fmt.Errorf("%s: %w", *apkKey, err)
		}
		if o.APKKey.Curve != elliptic.P256() {
			return fmt.Errorf("%s: OpenWrt's apk keys are P-256 (prime256v1)", *apkKey)
		}
	}
	if *usignKey != "" {
		b, err := os.ReadFile(*usignKey)
		if err != nil {
			return err
		}
		if o.Usign, err = feed.ParseUsignSecret(b); err != nil {
			return fmt.Errorf("%s: %w", *usignKey, err)
		}
	}
	if err := feed.Write(o); err != nil {
		return err
	}
	fmt.Printf("feed written to %s (%s)\n", *out, strings.Join(o.Arches, " "))
	return nil
}

// cmdKeygen writes a throwaway key pair for feeds (for tests and for
// `make reproducible`); real feeds should use keys kept offline.
func cmdKeygen(args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	apkKey := fs.String("apk-key", "", "write an ECDSA P-256 private key (PEM) here")
	usignKey := fs.String("usign-key", "", "write a usign secret key here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *apkKey == "" && *usignKey == "" {
		return errors.New("keygen: give -apk-key and/or -usign-key")
	}
	if *apkKey != "" {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*apkKey, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return err
		}
	}
	if *usignKey != "" {
		b, err := feed.GenerateUsign(rand.Reader)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*usignKey, b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// cmdVerify reads back each .apk (format, file hashes, package id) and
// checks OpenWrt's conventions; with -epoch every mtime must equal it.
func cmdVerify(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	epoch := fs.Int64("epoch", epochFromEnv(), "SOURCE_DATE_EPOCH the packages were built with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: mkpkg verify [-epoch N] FILE.apk...")
	}
	if *epoch < 0 {
		return errors.New("verify: no -epoch and no SOURCE_DATE_EPOCH")
	}
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		p, err := apk.ReadPackage(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := p.CheckOpenWrt(*epoch); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		fmt.Printf("%s: OK (%s %s %s)\n", f, p.Info["name"], p.Info["version"], p.Info["arch"])
	}
	return nil
}
