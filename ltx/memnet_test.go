package ltx

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
)

// memListener hands out the server ends of in-memory connections
// (net.Pipe), so that an HTTP client and server can run inside a
// testing/synctest bubble, where a socket cannot: there time is virtual, a
// 300 ms timeout fires when 300 ms have passed and never early or late
// because the machine is busy, and the test takes no real time.
type memListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *memListener) Addr() net.Addr { return memAddr{} }

func (l *memListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "mem" }

// newMemServer serves h in the calling synctest bubble and returns a client
// that reaches it, and its base URL. Both end with the test.
func newMemServer(t *testing.T, h http.Handler) (*http.Client, string) {
	l := &memListener{conns: make(chan net.Conn), closed: make(chan struct{})}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(l) }()
	tr := &http.Transport{DialContext: l.dial}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close()
	})
	return &http.Client{Transport: tr}, "http://ltx.invalid"
}
