package providers

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckCABundle(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bundle, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", bundle)
	if err := CheckCABundle(); err != nil {
		t.Fatalf("existing SSL_CERT_FILE: %v", err)
	}
	t.Setenv("SSL_CERT_FILE", filepath.Join(dir, "missing.pem"))
	if err := CheckCABundle(); err == nil {
		t.Fatal("missing SSL_CERT_FILE accepted")
	}
	if !errors.Is(ErrNoCABundle, ErrNoCABundle) || ErrNoCABundle.Error() == "" {
		t.Fatal("ErrNoCABundle must explain the fix")
	}
}
