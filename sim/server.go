package sim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the simulator. It implements http.Handler and is safe for
// concurrent use. Task state is computed from the clock on each request, so
// a Server runs no goroutines and no timers of its own.
//
// It speaks one provider's contract (Options.Provider); the routes of each
// are listed in that provider's file. API routes are behind Bearer auth and
// the rate limit; video downloads (and lightricks upload PUTs) need no key,
// like a CDN's URL, and are neither rate-limited nor counted in Requests.
type Server struct {
	opts          Options
	spec          *providerSpec
	mux           *http.ServeMux
	maxConcurrent int           // 0: unlimited
	retention     time.Duration // 0: forever

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
	byPrompt         map[string]int        // prompt → committed creates
	active           []*task               // tasks that may still be generating
	uploads          map[string]*upload    // lightricks uploads by id
	seq              uint64
	created          int // commits, for PlanQuota
	creditsLimited   bool
	balance          float64
	spent            float64
	unreadableSeq    int
	wrongMediaSeq    int // wrong_media deliveries so far: the next one's kind
}

// New returns a simulator with opts. It panics on a Provider not in
// Providers: a programming error (the flags check the name).
func New(opts Options) *Server {
	opts = opts.withDefaults()
	spec := providerSpecs[opts.Provider]
	if spec == nil {
		panic(fmt.Sprintf("sim: unknown provider %q; want one of %s", opts.Provider, strings.Join(Providers, ", ")))
	}
	s := &Server{
		opts:             opts,
		spec:             spec,
		keys:             newKeyring(opts),
		perKey:           map[string]*keyTraffic{},
		rng:              rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)),
		unreachableHosts: lowerSet(opts.UnreachableImageHosts),
		largeHosts:       lowerSet(opts.LargeImageHosts),
		tasks:            map[string]*task{},
		byIdempotencyKey: map[string]*task{},
		byBody:           map[string]*bodyTasks{},
		byPrompt:         map[string]int{},
		uploads:          map[string]*upload{},
		creditsLimited:   opts.Credits > 0,
		balance:          opts.Credits,
	}
	switch {
	case opts.MaxConcurrentGenerations > 0:
		s.maxConcurrent = opts.MaxConcurrentGenerations
	case opts.MaxConcurrentGenerations == 0:
		s.maxConcurrent = spec.maxConcurrent
	}
	switch {
	case opts.Retention > 0:
		s.retention = opts.scaled(opts.Retention)
	case opts.Retention == 0:
		s.retention = opts.scaled(spec.retention)
	}
	for _, r := range opts.Rules {
		s.rules = append(s.rules, &ruleState{Rule: r})
	}
	s.mux = s.buildMux()
	return s
}

func lowerSet(hosts []string) map[string]bool {
	m := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		m[strings.ToLower(h)] = true
	}
	return m
}

// ServeHTTP answers in the contract of Options.Provider.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Provider is the name of the contract the server speaks.
func (s *Server) Provider() string { return s.spec.name }

// baseURL is the simulator's own address as the client reached it; video
// URLs point back at it.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters {
	c := s.counters.snapshot()
	s.mu.Lock()
	c.Spent = s.spent
	s.mu.Unlock()
	return c
}

// CreatesFor is how many tasks were committed for exactly this prompt (by
// any provider, replays excluded): more than one means a video bought twice,
// unless the manifest asked for it.
func (s *Server) CreatesFor(prompt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byPrompt[prompt]
}

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
