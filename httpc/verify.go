package httpc

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// verifyServer checks the server's chain the way crypto/tls does (roots,
// intermediates from the handshake, name or IP, server-auth usage, validity)
// at the time at, which the caller takes from TrustedTime: never earlier than
// the build time or the last verified response, so a router clock reset to
// an old date cannot make an expired certificate valid.
//
// A chain that is not yet valid at that time is refused like any other. The
// error then wraps ErrClockNotSet if the chain would verify once the clock
// reaches its start (the likely story on a router before NTP): the status
// says to wait for NTP rather than to distrust the provider.
func verifyServer(certs []*x509.Certificate, roots *x509.CertPool, name string, at time.Time) error {
	if len(certs) == 0 {
		return errors.New("httpc: the server sent no certificate")
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(), DNSName: name, CurrentTime: at}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(opts)
	if err == nil {
		return nil
	}
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired || invalid.Cert == nil || !invalid.Cert.NotBefore.After(at) {
		return err
	}
	// Diagnosis only: would the chain verify at its start? The answer
	// chooses the message; the connection is refused either way.
	start := invalid.Cert.NotBefore // may be a root's, not among certs
	for _, c := range certs {
		if c.NotBefore.After(start) {
			start = c.NotBefore
		}
	}
	opts.CurrentTime = start.Add(time.Second)
	if _, err2 := certs[0].Verify(opts); err2 != nil {
		return err
	}
	return fmt.Errorf("%w: the server's certificate is valid only from %s, after the trusted time %s: %w",
		ErrClockNotSet, invalid.Cert.NotBefore.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339), err)
}
