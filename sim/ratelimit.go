package sim

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// keyTraffic is one key's token bucket and the retry time last announced to
// it; guarded by Server.mu.
type keyTraffic struct {
	bucket  *rate.Limiter // nil when there is no rate limit
	retryAt time.Time     // requests before it are counted as EarlyRequests
}

// traffic returns key's state, creating it on first use. Caller holds s.mu.
func (s *Server) traffic(key string) *keyTraffic {
	t := s.perKey[key]
	if t == nil {
		t = &keyTraffic{}
		if s.opts.RateLimit > 0 {
			t.bucket = rate.NewLimiter(rate.Limit(s.opts.RateLimit), s.opts.RateBurst)
		}
		s.perKey[key] = t
	}
	return t
}

// admit takes a token for key at now, or answers 429 with the whole seconds
// until the next token (at least 1) as Retry-After, and remembers that time.
// Caller holds s.mu.
func (s *Server) admit(key string, now time.Time, w http.ResponseWriter) *apiError {
	t := s.traffic(key)
	if now.Before(t.retryAt) {
		s.counters.EarlyRequests.Add(1)
	}
	if t.bucket == nil || t.bucket.AllowN(now, 1) {
		return nil
	}
	r := t.bucket.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	secs := max(1, int(math.Ceil(wait.Seconds())))
	if at := now.Add(time.Duration(secs) * time.Second); at.After(t.retryAt) {
		t.retryAt = at
	}
	s.counters.RateLimited.Add(1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &apiError{Status: http.StatusTooManyRequests, Code: codeRateLimited,
		Message:    "rate limit exceeded: " + strconv.FormatFloat(s.opts.RateLimit, 'g', -1, 64) + " requests per second",
		Suggestion: "Wait for Retry-After seconds before the next request, and lower the request rate."}
}
