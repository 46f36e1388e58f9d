package httpc

import (
	"crypto/x509"
	"errors"
	"time"
)

// verifyServer checks the server's chain the way crypto/tls does (roots,
// intermediates from the handshake, name or IP, server-auth usage, validity
// at now), with one exception for a clock that is evidently behind.
//
// A router without a battery-backed clock boots at the firmware build date
// or at the last saved time, and eddns reacts to the WAN coming up before
// NTP has run. A provider certificate issued since then is "not yet valid"
// on that clock, so no request could ever reach the API and teach us the
// real time from its Date header. When the only complaint is validity and
// now is before the start of a certificate in the chain, the chain is
// checked again as of the latest start date: everything else (signatures,
// roots, name) must hold, and an expired certificate is never accepted,
// since time is only ever moved forward.
func verifyServer(certs []*x509.Certificate, roots *x509.CertPool, name string, now time.Time) error {
	if len(certs) == 0 {
		return errors.New("httpc: the server sent no certificate")
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(), DNSName: name, CurrentTime: now}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(opts)
	if err == nil {
		return nil
	}
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		return err
	}
	start := now
	for _, c := range certs {
		if c.NotBefore.After(start) {
			start = c.NotBefore
		}
	}
	if !start.After(now) {
		return err // expired, not early: a slow clock cannot explain it
	}
	opts.CurrentTime = start.Add(time.Second)
	if _, err2 := certs[0].Verify(opts); err2 != nil {
		return err
	}
	return nil
}
