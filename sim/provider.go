package sim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Provider names, as `api { provider = "…" }` and `ltxform sim -provider` spell them.
const (
	ProviderLTX2APIv1  = "ltx2api-v1" // the default: ARCHITECTURE.md's "The ltx2api-v1 contract"
	ProviderLTX2API    = "ltx2api"    // ltx-2api.com's /api/generate reference
	ProviderLightricks = "lightricks" // api.ltx.video, async v2
	ProviderFal        = "fal"        // fal.ai's queue API
	ProviderReplicate  = "replicate"  // Replicate's predictions API
)

// Providers lists every contract the simulator speaks, the default first.
var Providers = []string{ProviderLTX2APIv1, ProviderLTX2API, ProviderLightricks, ProviderFal, ProviderReplicate}

// providerSpec is one wire contract. Everything else (the task model, clock,
// rate limit, credits, faults, counters) is shared. A new provider is one
// file defining its spec plus a row in providerSpecs.
type providerSpec struct {
	name string
	// authScheme is the word before the key ("" is Bearer).
	authScheme string
	// register adds the provider's routes; the catch-all 404/405 is added
	// after it.
	register func(rt router)
	// writeError answers e in the provider's error shape.
	writeError func(w http.ResponseWriter, requestID string, e *apiError)
	// insufficient is the 402 message for a price above the balance, both
	// in the provider's unit.
	insufficient func(cost, balance float64) string
	// queuesPastLimit: past maxConcurrent a create is not refused but
	// waits in the queue for a slot (fal).
	queuesPastLimit bool
	// keepsStatus: past retention, a task's status is still answered (only
	// its output is gone: Replicate's data_removed).
	keepsStatus bool
	// honoursIdempotencyKey: same Idempotency-Key ⇒ same task.
	honoursIdempotencyKey bool
	// maxConcurrent and retention are the provider's defaults for the
	// knobs of the same name (0: unlimited, forever).
	maxConcurrent int
	retention     time.Duration
	// videoPath is where the provider serves task id's MP4 on the sim's host.
	videoPath func(id string) string
}

var providerSpecs = map[string]*providerSpec{
	ProviderLTX2APIv1:  &ltx2apiV1Spec,
	ProviderLTX2API:    &ltx2apiSpec,
	ProviderLightricks: &lightricksSpec,
	ProviderFal:        &falSpec,
	ProviderReplicate:  &replicateSpec,
}

// scheme is the provider's Authorization scheme.
func (p *providerSpec) scheme() string {
	if p.authScheme == "" {
		return "Bearer"
	}
	return p.authScheme
}

// ValidProvider reports whether name is one of Providers ("" is the default).
func ValidProvider(name string) bool {
	return name == "" || providerSpecs[name] != nil
}

// call is what the middleware learned about a request before its handler.
type call struct {
	requestID string
	key       string // the authenticated API key; "" on open routes
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c call)

// router registers a provider's routes on the server's mux.
type router struct {
	s   *Server
	mux *http.ServeMux
}

// api registers an endpoint behind Bearer auth and the rate limit, counted in
// Requests and MaxInFlight.
func (rt router) api(pattern string, h handlerFunc) {
	rt.mux.HandleFunc(pattern, rt.s.guarded(h))
}

// open registers an endpoint that needs no key and is not rate-limited (video
// downloads, upload PUTs: a CDN's or a storage bucket's signed URL).
func (rt router) open(pattern string, h handlerFunc) {
	s := rt.s
	rt.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		h(w, r, call{requestID: s.startRequest(w, r)})
	})
}

// buildMux is the provider's routes plus a guarded catch-all that answers
// 405 when another method would match the path, else 404.
func (s *Server) buildMux() *http.ServeMux {
	mux := http.NewServeMux()
	s.spec.register(router{s: s, mux: mux})
	mux.HandleFunc("/", s.guarded(func(w http.ResponseWriter, r *http.Request, c call) {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) > 0 {
			allow := strings.Join(allowed, ", ")
			w.Header().Set("Allow", allow)
			s.fail(w, c, &apiError{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed, Message: "use " + allow})
			return
		}
		s.fail(w, c, &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	}))
	return mux
}

// startRequest gives the request its id (in the X-Request-Id header; with
// EchoKey the caller's Bearer key is part of it).
func (s *Server) startRequest(w http.ResponseWriter, r *http.Request) string {
	id := newID("req_")
	if s.opts.EchoKey {
		if key, _ := schemeKey(r, s.spec.scheme()); key != "" {
			id += "_" + key
		}
	}
	w.Header().Set("X-Request-Id", id)
	return id
}

// guarded wraps h with the request id, the counters, auth and the rate limit.
func (s *Server) guarded(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := call{requestID: s.startRequest(w, r)}
		s.counters.Requests.Add(1)
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		s.counters.raiseMaxInFlight(n)

		now := s.opts.Now()
		s.mu.Lock()
		key, aerr := s.keys.authenticate(r, s.spec.scheme())
		if aerr == nil {
			aerr = s.admit(key, now, w)
		}
		s.mu.Unlock()
		if aerr != nil {
			s.fail(w, c, aerr)
			return
		}
		c.key = key
		h(w, r, c)
	}
}

// fail answers e in the provider's error shape.
func (s *Server) fail(w http.ResponseWriter, c call, e *apiError) {
	s.spec.writeError(w, c.requestID, e)
}

// answer ends a read of a task: held when the task hangs, the error when
// there is one, else body with status.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, c call, hangs bool, aerr *apiError, status int, body any) {
	switch {
	case hangs:
		hang(r)
	case aerr != nil:
		s.fail(w, c, aerr)
	default:
		writeJSON(w, status, body)
	}
}

// hang holds the request until the client gives up (or the server shuts
// down): the response never comes, and no goroutine outlives the request.
func hang(r *http.Request) {
	<-r.Context().Done()
}

// creditsMessage is the v1-style 402 message.
func creditsMessage(cost, balance float64) string {
	return fmt.Sprintf("this video costs %g credits; the balance is %g", cost, balance)
}
