package ltx_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

// exchange is one round trip the client made, as the wire saw it.
type exchange struct {
	method, path string
	body         []byte
	idemKey      string // the Idempotency-Key header sent
	status       int
	requestID    string // the x-request-id header of the answer
}

// recorder is a RoundTripper that keeps every exchange, so that a test can
// compare what the client reports with what the server sent.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []exchange
	// inspect, when set, sees every request's headers before it is sent.
	inspect func(http.Header)
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	if r.inspect != nil {
		r.inspect(req.Header)
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.log = append(r.log, exchange{method: req.Method, path: req.URL.Path, body: body, idemKey: req.Header.Get("Idempotency-Key"),
		status: resp.StatusCode, requestID: resp.Header.Get("X-Request-Id")})
	r.mu.Unlock()
	return resp, nil
}

// last is the latest exchange.
func (r *recorder) last(t *testing.T) exchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.log) == 0 {
		t.Fatal("the client sent nothing")
	}
	return r.log[len(r.log)-1]
}

// sent lists the exchanges whose method and path match.
func (r *recorder) sent(method, path string) []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []exchange
	for _, e := range r.log {
		if e.method == method && e.path == path {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log)
}

// providerEnv is a simulator speaking one provider and a client of the same
// provider, with every exchange recorded.
type providerEnv struct {
	*simEnv
	wire *recorder
	// spec checks every lightricks exchange against the vendor's OpenAPI
	// (nil for other providers, or when the spec is absent).
	spec *specChecker
}

type envOptions struct {
	key      string // "" sends no key
	imageDir string
	baseURL  func(simURL string) string // default: the simulator's URL
	// taskTimeout is the client's TaskTimeout (fal's X-Fal-Request-Timeout,
	// Replicate's Cancel-After).
	taskTimeout time.Duration
}

// newProviderSim starts a simulator of provider (its clock fake, its key
// simKey, a 40 s latency unless opts say otherwise) and a client for it.
func newProviderSim(t *testing.T, provider string, opts sim.Options, eo envOptions) *providerEnv {
	t.Helper()
	opts.Provider = provider
	s, srv, clk := startSim(t, opts)
	var transport http.RoundTripper = srv.Client().Transport
	var spec *specChecker
	if provider == "lightricks" {
		if spec = newSpecChecker(t, transport); spec != nil {
			transport = spec
		}
	}
	rec := &recorder{next: transport}
	base := srv.URL
	if eo.baseURL != nil {
		base = eo.baseURL(srv.URL)
	}
	c := ltx.NewClient(ltx.Options{
		Provider:    ltx.MustProvider(provider),
		BaseURL:     base,
		Key:         ltx.NewKey(eo.key),
		ImageDir:    eo.imageDir,
		HTTPClient:  &http.Client{Transport: rec},
		TaskTimeout: eo.taskTimeout,
	})
	return &providerEnv{simEnv: &simEnv{sim: s, url: srv.URL, clock: clk, client: c}, wire: rec, spec: spec}
}

// asAPIError reads err as an *APIError and the exchange that answered it.
func asAPIError(t *testing.T, err error) *ltx.APIError {
	t.Helper()
	var apiErr *ltx.APIError
	if err == nil {
		t.Fatal("no error, want an *ltx.APIError")
	}
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v (%T), want an *ltx.APIError", err, err)
	}
	class, ok := ltx.ErrorClass(err)
	if !ok || class != apiErr.Class() {
		t.Errorf("ErrorClass = %s, %v; APIError.Class = %s", class, ok, apiErr.Class())
	}
	return apiErr
}
