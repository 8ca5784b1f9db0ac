package sim

import (
	"net/http"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	h := newHarness(t, Options{RateLimit: 1, RateBurst: 2})
	id := h.mustCreate(`{"prompt":"a"}`)
	h.poll(id)

	r := h.poll(id)
	if r.Status != http.StatusTooManyRequests || r.code() != "RATE_LIMIT_EXCEEDED" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("third request in the same instant: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Raw)
	}
	if c := h.counters(); c.RateLimited != 1 || c.EarlyRequests != 0 {
		t.Errorf("counters %+v, want RateLimited 1, EarlyRequests 0", c)
	}

	h.clock.Advance(500 * time.Millisecond) // before the announced second
	if r := h.poll(id); r.Status != http.StatusTooManyRequests {
		t.Errorf("early retry answered %d", r.Status)
	}
	if c := h.counters(); c.EarlyRequests != 1 {
		t.Errorf("EarlyRequests = %d, want 1", c.EarlyRequests)
	}

	h.clock.Advance(time.Second) // past the announced time, a token is back
	if r := h.poll(id); r.Status != http.StatusOK {
		t.Errorf("on-time retry answered %d %s", r.Status, r.Raw)
	}
	if c := h.counters(); c.EarlyRequests != 1 || c.RateLimited != 2 || c.Requests != 5 {
		t.Errorf("counters %+v, want EarlyRequests 1, RateLimited 2, Requests 5", c)
	}
}

func TestRetryAfterIsWholeSecondsUntilTheNextToken(t *testing.T) {
	tests := []struct {
		rate float64
		want string
	}{
		{10, "1"},   // 0.1 s rounds up to the 1 s minimum
		{0.25, "4"}, // one token every 4 s
		{0.4, "3"},  // 2.5 s rounds up
	}
	for _, tt := range tests {
		h := newHarness(t, Options{RateLimit: tt.rate, RateBurst: 1})
		h.create(`{"prompt":"a"}`)
		r := h.create(`{"prompt":"b"}`)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != tt.want {
			t.Errorf("rate %v: got %d Retry-After %q, want 429 %s", tt.rate, r.Status, r.Header.Get("Retry-After"), tt.want)
		}
	}
}

func TestRateLimitIsPerKeyAndSparesDownloads(t *testing.T) {
	h := newHarness(t, Options{Keys: []string{testKey, "other"}, RateLimit: 1, RateBurst: 1})
	id := h.mustCreate(`{"prompt":"a"}`)
	if r := h.poll(id); r.Status != http.StatusTooManyRequests {
		t.Fatalf("second request: %d", r.Status)
	}
	if r := h.do(http.MethodGet, "/v1/tasks/"+id, "", "Authorization: Bearer other"); r.Status != http.StatusOK {
		t.Errorf("another key was limited by this key's bucket: %d %s", r.Status, r.Raw)
	}
	for range 3 {
		if r := h.do(http.MethodGet, "/v1/videos/"+id+".mp4", ""); r.Status != http.StatusOK {
			t.Errorf("download answered %d", r.Status)
		}
	}
	if c := h.counters(); c.RateLimited != 1 || c.Downloads != 3 || c.Requests != 3 {
		t.Errorf("counters %+v, want RateLimited 1, Downloads 3, Requests 3", c)
	}
}
