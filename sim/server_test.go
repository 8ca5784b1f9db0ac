package sim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRouting(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string
	}{
		{"GET", "/v1/text-to-video", 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", "/v1/tasks/task_x", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/v1/tasks/", 404, "NOT_FOUND"},
		{"GET", "/v1/tasks/a/b", 404, "NOT_FOUND"},
		{"GET", "/v1/tasks/task_unknown", 404, "TASK_NOT_FOUND"},
		{"GET", "/", 404, "NOT_FOUND"},
		{"POST", "/v2/text-to-video", 404, "NOT_FOUND"},
	}
	for _, tt := range tests {
		r := h.do(tt.method, tt.path, "")
		if r.Status != tt.wantStatus || r.code() != tt.wantCode {
			t.Errorf("%s %s: %d %s, want %d %s", tt.method, tt.path, r.Status, r.Raw, tt.wantStatus, tt.wantCode)
		}
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	h := newHarness(t, Options{})
	seen := map[string]bool{}
	for range 50 {
		id := h.create(`{"prompt":"a"}`).Header.Get("X-Request-Id")
		if seen[id] {
			t.Fatalf("request id %s repeated", id)
		}
		seen[id] = true
	}
}

func TestMaxInFlight(t *testing.T) {
	const n = 3
	var (
		mu      sync.Mutex
		arrived int
		release = make(chan struct{})
		start   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	)
	// The clock holds the first n requests until all n are inside the
	// handler, so that they are in flight together.
	now := func() time.Time {
		mu.Lock()
		arrived++
		if arrived == n {
			close(release)
		}
		held := arrived <= n
		mu.Unlock()
		if held {
			<-release
		}
		return start
	}
	h := newHarness(t, Options{Now: now})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { h.do(http.MethodGet, "/v1/tasks/task_x", "") })
	}
	wg.Wait()
	h.do(http.MethodGet, "/v1/tasks/task_x", "")
	if c := h.counters(); c.MaxInFlight != n || c.Requests != n+1 {
		t.Errorf("counters %+v, want MaxInFlight %d, Requests %d", c, n, n+1)
	}
}

// serve calls the handler directly, without a network, for load tests.
func serve(s *Server, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testKey)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

func TestConcurrentCreatesAndPolls(t *testing.T) {
	s := New(Options{Keys: []string{testKey}, Latency: time.Millisecond})
	const workers, each = 20, 50
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				rec := serve(s, "POST", "/v1/text-to-video", fmt.Sprintf(`{"prompt":"w%d i%d"}`, w, i))
				if rec.Code != http.StatusCreated {
					errs <- rec.Body.String()
					continue
				}
				id := rec.Body.String()[len(`{"task_id":"`):][:len("task_")+20]
				if rec := serve(s, "GET", "/v1/tasks/"+id, ""); rec.Code != http.StatusOK {
					errs <- rec.Body.String()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	c := s.Counters()
	if c.Creates != workers*each || c.Polls != workers*each || c.Requests != 2*workers*each || c.DuplicateCreates != 0 {
		t.Errorf("counters %+v", c)
	}
}

// BenchmarkCreateAndPoll is one create and one poll of a distinct video.
func BenchmarkCreateAndPoll(b *testing.B) {
	s := New(Options{Keys: []string{testKey}})
	i := 0
	for b.Loop() {
		i++
		rec := serve(s, "POST", "/v1/text-to-video", fmt.Sprintf(`{"prompt":"shot %d","duration":8}`, i))
		id := rec.Body.String()[len(`{"task_id":"`):][:len("task_")+20]
		if rec := serve(s, "GET", "/v1/tasks/"+id, ""); rec.Code != http.StatusOK {
			b.Fatal(rec.Body.String())
		}
	}
}
