package executor

import (
	"crypto/x509"
	"errors"
	"net"
	"syscall"
	"testing"

	"github.com/ltxform/ltxform/ltx"
)

func TestUnreachableIsARequestThatNeverLeft(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", &ltx.RequestError{Method: "POST", URL: "http://x", Err: refused}, true},
		{"no such host", &ltx.RequestError{Err: &net.DNSError{Err: "no such host", Name: "api.invalid", IsNotFound: true}}, true},
		{"unknown certificate authority", &ltx.RequestError{Err: x509.UnknownAuthorityError{}}, true},
		{"reset after it was sent", &ltx.RequestError{Sent: true, Err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}, false},
		{"read error before an answer", &ltx.RequestError{Err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}, false},
		{"an answer from the API", &ltx.APIError{StatusCode: 500}, false},
		{"something else", errors.New("disk full"), false},
	} {
		if got := unreachable(tc.err); got != tc.want {
			t.Errorf("%s: unreachable %v, want %v", tc.name, got, tc.want)
		}
	}
}
