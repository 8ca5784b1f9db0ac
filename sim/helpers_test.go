package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "k-test"

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a simulator behind a real HTTP server, on a clock the test owns.
type harness struct {
	t        *testing.T
	provider string
	sim      *Server
	srv      *httptest.Server
	clock    *fakeClock
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := newFakeClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.Keys == nil {
		opts.Keys = []string{testKey}
	}
	s := New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })
	return &harness{t: t, provider: s.Provider(), sim: s, srv: srv, clock: clock}
}

// reply is one answer, its JSON body decoded loosely.
type reply struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

func (r reply) str(path ...string) string {
	var v any = r.Body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func (r reply) num(name string) float64 { f, _ := r.Body[name].(float64); return f }

func (r reply) code() string  { return r.str("error", "code") }
func (r reply) field() string { return r.str("error", "details", "field") }

// do sends one request; headers are "Name: value" strings. The API key is
// sent unless a header names Authorization (use "Authorization:" for none).
func (h *harness) do(method, path, body string, headers ...string) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	for _, hv := range headers {
		name, value, _ := strings.Cut(hv, ":")
		value = strings.TrimSpace(value)
		if value == "" {
			req.Header.Del(name)
		} else {
			req.Header.Set(name, value)
		}
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			h.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, raw)
		}
		if h.provider == ProviderLightricks {
			// The request id lives only in the x-request-id header.
			if _, inBody := r.Body["request_id"]; inBody || !strings.HasPrefix(resp.Header.Get("X-Request-Id"), "req_") {
				h.t.Errorf("%s %s: x-request-id %q, body %s", method, path, resp.Header.Get("X-Request-Id"), raw)
			}
		} else if got, want := r.str("request_id"), resp.Header.Get("X-Request-Id"); got != want || !strings.HasPrefix(got, "req_") {
			h.t.Errorf("%s %s: body request_id %q, header X-Request-Id %q", method, path, got, want)
		}
	}
	return r
}

func (h *harness) create(body string, headers ...string) reply {
	h.t.Helper()
	return h.do(http.MethodPost, "/v1/text-to-video", body, headers...)
}

// mustCreate creates a task and returns its id.
func (h *harness) mustCreate(body string, headers ...string) string {
	h.t.Helper()
	r := h.create(body, headers...)
	if r.Status != http.StatusCreated {
		h.t.Fatalf("create %s: %d %s", body, r.Status, r.Raw)
	}
	return r.str("task_id")
}

func (h *harness) poll(id string) reply {
	h.t.Helper()
	return h.do(http.MethodGet, "/v1/tasks/"+id, "")
}

func (h *harness) counters() Counters { return h.sim.Counters() }
