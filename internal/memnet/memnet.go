// Package memnet serves HTTP over in-memory connections (net.Pipe), for
// tests that run a client and a server inside a testing/synctest bubble,
// where real sockets cannot be: there time is virtual, so a 300 ms timeout
// fires when 300 ms have passed, never early or late because the machine
// is busy, and waiting takes no real time.
package memnet

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// BaseURL is the address a Server answers at; the name never resolves.
const BaseURL = "http://memnet.invalid"

// Server is an http.Server on in-memory connections.
type Server struct {
	srv *http.Server
	l   *listener
	tr  *http.Transport
}

// NewServer starts serving h. Call it inside the bubble that uses it, and
// Close it there.
func NewServer(h http.Handler) *Server {
	l := &listener{conns: make(chan net.Conn), closed: make(chan struct{})}
	s := &Server{srv: &http.Server{Handler: h}, l: l}
	s.tr = &http.Transport{DialContext: l.dial, MaxIdleConnsPerHost: 16}
	go func() { _ = s.srv.Serve(l) }()
	return s
}

// Client is an HTTP client whose every connection reaches the server.
func (s *Server) Client() *http.Client { return &http.Client{Transport: s.tr} }

// Close ends the server and every connection, so that the bubble's
// goroutines can end.
func (s *Server) Close() {
	s.tr.CloseIdleConnections()
	_ = s.srv.Close()
}

type listener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *listener) Addr() net.Addr { return addr{} }

func (l *listener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
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

type addr struct{}

func (addr) Network() string { return "memnet" }
func (addr) String() string  { return "memnet" }
