package sim

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Server is the simulator. It implements http.Handler and is safe for
// concurrent use. Task state is computed from the clock on each request, so
// a Server runs no goroutines and no timers of its own.
//
// Routes: POST /v1/text-to-video, POST /v1/image-to-video,
// GET /v1/tasks/{task_id} (all behind Bearer auth and the rate limit), and
// GET /v1/videos/{task_id}.mp4, which needs no key (like a CDN's URL) and is
// neither rate-limited nor counted in Requests.
type Server struct {
	opts Options

	counters counterSet
	inFlight atomic.Int64

	mu               sync.Mutex // guards everything below
	keys             keyring
	perKey           map[string]*keyTraffic
	rules            []*ruleState
	rng              *rand.Rand // random faults
	unreachableHosts map[string]bool
	largeHosts       map[string]bool
	tasks            map[string]*task
	byIdempotencyKey map[string]*task      // API key + "\x00" + Idempotency-Key
	byBody           map[string]*bodyTasks // normalized body → its tasks
	seq              uint64
	created          int // commits, for PlanQuota
	creditsLimited   bool
	balance          float64
}

// New returns a simulator with opts.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		opts:             opts,
		keys:             newKeyring(opts),
		perKey:           map[string]*keyTraffic{},
		rng:              rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)),
		unreachableHosts: lowerSet(opts.UnreachableImageHosts),
		largeHosts:       lowerSet(opts.LargeImageHosts),
		tasks:            map[string]*task{},
		byIdempotencyKey: map[string]*task{},
		byBody:           map[string]*bodyTasks{},
		creditsLimited:   opts.Credits > 0,
		balance:          opts.Credits,
	}
	for _, r := range opts.Rules {
		s.rules = append(s.rules, &ruleState{Rule: r})
	}
	return s
}

func lowerSet(hosts []string) map[string]bool {
	m := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		m[strings.ToLower(h)] = true
	}
	return m
}

// ServeHTTP implements the API contract of DESIGN.md.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newID("req_")
	w.Header().Set("X-Request-Id", requestID)
	path := r.URL.Path
	if strings.HasPrefix(path, videosPrefix) {
		s.serveDownload(w, r, requestID)
		return
	}

	s.counters.Requests.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	s.counters.raiseMaxInFlight(n)

	now := s.opts.Now()
	s.mu.Lock()
	key, aerr := s.keys.authenticate(r)
	if aerr == nil {
		aerr = s.admit(key, now, w)
	}
	s.mu.Unlock()
	if aerr != nil {
		aerr.send(w, requestID)
		return
	}

	switch {
	case path == "/v1/text-to-video" || path == "/v1/image-to-video":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, requestID, http.MethodPost)
			return
		}
		s.serveCreate(w, r, requestID, key, strings.TrimPrefix(path, "/v1/"))
	case strings.HasPrefix(path, tasksPrefix) && !strings.Contains(path[len(tasksPrefix):], "/") && len(path) > len(tasksPrefix):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, requestID, http.MethodGet)
			return
		}
		s.servePoll(w, r, requestID, path[len(tasksPrefix):])
	default:
		(&apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: "no such endpoint: " + r.Method + " " + path}).send(w, requestID)
	}
}

const (
	tasksPrefix  = "/v1/tasks/"
	videosPrefix = "/v1/videos/"
)

func methodNotAllowed(w http.ResponseWriter, requestID, allow string) {
	w.Header().Set("Allow", allow)
	(&apiError{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed, Message: "use " + allow}).send(w, requestID)
}

// baseURL is the simulator's own address as the client reached it; video
// URLs point back at it.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters { return s.counters.snapshot() }

// Close releases the simulator's resources. The simulator holds none beyond
// memory (it runs no goroutines or timers); Close exists so that callers need
// not know that.
func (s *Server) Close() {}

// SetCredits sets the remaining balance; 0 makes it unlimited again.
func (s *Server) SetCredits(balance float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.balance = balance
	s.creditsLimited = balance > 0
}

// Balance returns the remaining credits and whether there is a limit at all.
func (s *Server) Balance() (remaining float64, limited bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance, s.creditsLimited
}

// RevokeKey makes key answer 401 INVALID_API_KEY from now on.
func (s *Server) RevokeKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys.revoked[key] = true
}

// ExpireKey makes key answer 401 API_KEY_EXPIRED from now on.
func (s *Server) ExpireKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys.expired[key] = true
}

// AddRule adds a deterministic fault after the existing ones.
func (s *Server) AddRule(r Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, &ruleState{Rule: r})
}
