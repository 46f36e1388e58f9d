// Package certtest issues throwaway certificates for TLS tests: a CA and a
// leaf for 127.0.0.1 signed by it, each with its own validity window, so
// tests can put either in the past or the future. httptest's built-in
// certificate is the same in every server and always valid, so it can show
// neither an unrelated CA being refused nor a clock being off.
package certtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"
)

// Window is a certificate's validity period.
type Window struct{ From, To time.Time }

// Valid is the Window from from to to.
func Valid(from, to time.Time) Window { return Window{From: from, To: to} }

// PKI is one issued CA and leaf.
type PKI struct {
	CA    *x509.Certificate
	Leaf  *x509.Certificate
	Cert  tls.Certificate // the leaf with its key, for a server
	Pool  *x509.CertPool  // trusts CA only
	CAPEM []byte          // CA as PEM, for SSL_CERT_FILE

	caKey *ecdsa.PrivateKey
}

// Issue makes a fresh CA valid during ca and a leaf for 127.0.0.1 valid
// during leaf.
func Issue(t testing.TB, ca, leaf Window) PKI {
	t.Helper()
	caKey := key(t)
	caTmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "certtest CA"},
		NotBefore: ca.From, NotAfter: ca.To,
		KeyUsage: x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
	}
	caCert := create(t, caTmpl, caTmpl, caKey, caKey)
	return issueLeaf(t, caCert, caKey, leaf)
}

// Reissue returns p with a new leaf, valid during leaf, from the same CA:
// a server renewing its certificate.
func (p PKI) Reissue(t testing.TB, leaf Window) PKI {
	t.Helper()
	return issueLeaf(t, p.CA, p.caKey, leaf)
}

func serial() *big.Int { n, _ := rand.Int(rand.Reader, big.NewInt(1<<62)); return n }

func issueLeaf(t testing.TB, caCert *x509.Certificate, caKey *ecdsa.PrivateKey, leaf Window) PKI {
	leafKey := key(t)
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: leaf.From, NotAfter: leaf.To,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafCert := create(t, leafTmpl, caCert, leafKey, caKey)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return PKI{
		CA: caCert, Leaf: leafCert, Pool: pool,
		Cert:  tls.Certificate{Certificate: [][]byte{leafCert.Raw}, PrivateKey: leafKey},
		CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}),
		caKey: caKey,
	}
}

func key(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func create(t testing.TB, tmpl, parent *x509.Certificate, k, signer *ecdsa.PrivateKey) *x509.Certificate {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
