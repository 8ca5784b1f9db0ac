package executor

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"

	"github.com/ltxform/ltxform/ltx"
)

// unreachable is whether err is a request that never reached the server:
// nothing was written, and the reason is the network's or TLS's, which
// every other request of the run would meet too.
func unreachable(err error) bool {
	var reqErr *ltx.RequestError
	if !errors.As(err, &reqErr) || reqErr.Sent {
		return false
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var headerErr tls.RecordHeaderError
	var authErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &certErr), errors.As(err, &headerErr),
		errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return true
	case errors.As(err, &opErr):
		return opErr.Op == "dial"
	}
	return false
}

// unreachableFirst stops the run when a create could not reach the API and
// no request of the run has had an answer: the endpoint is down or wrong,
// and trying each video would only fail them one by one. The video is
// skipped (nothing was sent). It reports whether it stopped the run.
func (v *video) unreachableFirst(err error) bool {
	if v.r.answered.Load() || !unreachable(err) {
		return false
	}
	v.r.abort("no request reached the API", &RunError{Kind: StopUnreachable, Err: err})
	v.skip("no request reached the API")
	return true
}
