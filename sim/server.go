package sim

import (
	"net/http"
)

// Server is the simulator. It implements http.Handler.
type Server struct {
	opts Options
}

// New returns a simulator with opts. Call Close when done: it stops the
// timers that move tasks through their lifecycle.
func New(opts Options) *Server { return &Server{opts: opts} }

// ServeHTTP implements the API contract.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "simulator not built yet", http.StatusNotImplemented)
}

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters { return Counters{} }

// Close releases the simulator's resources.
func (s *Server) Close() {}
