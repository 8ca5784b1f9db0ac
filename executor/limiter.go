package executor

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is the one gate every API request (create or poll) passes: a token
// bucket that starts with a burst of 1, halves its rate on a 429 and climbs
// back additively, and a shared "not before" instant set by Retry-After so
// that no worker sends anything until the server said it may.
type limiter struct {
	mu        sync.Mutex
	bucket    *rate.Limiter // nil: no client-side ceiling
	ceiling   rate.Limit    // the configured rate; recovery never exceeds it
	floor     rate.Limit
	current   rate.Limit
	changed   time.Time        // when the rate last changed
	clock     func() time.Time // of the recovery steps; tests move it by hand
	epoch     uint64           // bumped on every decrease; a 429 from an older epoch is already accounted for
	notBefore time.Time
}

// recoveryStep is how long the rate must go without a 429 (with answers
// coming back) before it rises by one tenth of the ceiling. Counting time
// rather than answers keeps recovery from the floor as quick as from near
// the ceiling: 10 steps of a second from half the rate to all of it.
const recoveryStep = time.Second

// minRate is the floor of the multiplicative decrease: one request per 10 s.
const minRate = rate.Limit(0.1)

func newLimiter(requestsPerMinute float64) *limiter {
	l := &limiter{clock: time.Now}
	if requestsPerMinute > 0 {
		l.ceiling = rate.Limit(requestsPerMinute / 60)
		l.current = l.ceiling
		l.floor = min(minRate, l.ceiling)
		l.bucket = rate.NewLimiter(l.current, 1)
	}
	return l
}

// wait blocks until this request may be sent and returns the epoch to hand
// back to throttled.
func (l *limiter) wait(ctx context.Context) (uint64, error) {
	for {
		if err := sleepUntil(ctx, l.after()); err != nil {
			return 0, err
		}
		if l.bucket != nil {
			if err := l.bucket.Wait(ctx); err != nil {
				return 0, ctx.Err()
			}
		}
		// A Retry-After may have arrived while this worker waited for its token.
		if time.Now().Before(l.after()) {
			continue
		}
		l.mu.Lock()
		e := l.epoch
		l.mu.Unlock()
		return e, nil
	}
}

func (l *limiter) after() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.notBefore
}

// ok notes an answer that was not a 429.
func (l *limiter) ok() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bucket == nil || l.current >= l.ceiling {
		return
	}
	if now := l.clock(); now.Sub(l.changed) >= recoveryStep {
		l.changed = now
		l.current = min(l.ceiling, l.current+l.ceiling/10)
		l.bucket.SetLimit(l.current)
	}
}

// throttled notes a 429 (or a 503 with Retry-After) for a request sent in
// epoch: every worker waits out retryAfter, and the rate halves once per
// epoch so that a burst of 429s for requests already in flight does not
// collapse it.
func (l *limiter) throttled(epoch uint64, retryAfter time.Duration, rateLimited bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if retryAfter > 0 {
		if nb := time.Now().Add(retryAfter); nb.After(l.notBefore) {
			l.notBefore = nb
		}
	}
	if !rateLimited || l.bucket == nil || epoch != l.epoch {
		return
	}
	l.epoch++
	l.changed = l.clock()
	l.current = max(l.floor, l.current/2)
	l.bucket.SetLimit(l.current)
}

// sleepUntil waits until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	return sleep(ctx, time.Until(t))
}

// sleep waits d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
