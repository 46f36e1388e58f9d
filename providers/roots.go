package providers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// caFiles are where Go looks for the CA bundle on Linux; the first is what
// OpenWrt's ca-bundle package installs, the last its compatibility symlink.
var caFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// ErrNoCABundle says TLS cannot be verified because no CA certificates exist.
var ErrNoCABundle = errors.New("no CA certificates found: install the ca-bundle package (opkg install ca-bundle) or set SSL_CERT_FILE to a PEM bundle")

// CheckCABundle reports whether Go's TLS stack will find CA certificates, so
// that a router without ca-bundle gets one clear error at start-up instead of
// "certificate signed by unknown authority" on every update. Verification is
// never turned off.
func CheckCABundle() error {
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("SSL_CERT_FILE: %w", err)
		}
		return nil
	}
	for _, f := range caFiles {
		if fi, err := os.Stat(f); err == nil && fi.Size() > 0 {
			return nil
		}
	}
	dirs := []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		dirs = filepath.SplitList(d)
	}
	for _, d := range dirs {
		if m, _ := filepath.Glob(filepath.Join(d, "*")); len(m) > 0 {
			return nil
		}
	}
	return ErrNoCABundle
}
