package executor

import (
	"context"
	"testing"
	"time"
)

func TestLimiterHalvesOncePerEpochAndRecoversAdditively(t *testing.T) {
	l := newLimiter(600) // 10 per second
	now := time.Now()
	l.clock = func() time.Time { return now }
	ctx := context.Background()
	epoch, err := l.wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Three 429s for requests that were all in flight at the same rate
	// count as one signal.
	for range 3 {
		l.throttled(epoch, 0, true)
	}
	if got := l.rate(); got != 5 {
		t.Fatalf("rate after one burst of 429s = %v, want 5", got)
	}
	next, _ := l.wait(ctx)
	l.throttled(next, 0, true)
	if got := l.rate(); got != 2.5 {
		t.Fatalf("rate after a second signal = %v, want 2.5", got)
	}
	for range 50 {
		l.ok()
	}
	if got := l.rate(); got != 2.5 {
		t.Fatalf("rate rose to %v at once; it must wait a step", got)
	}
	now = now.Add(recoveryStep)
	l.ok()
	if got := l.rate(); got != 3.5 {
		t.Fatalf("rate after a step without 429 = %v, want 3.5 (one tenth of the ceiling more)", got)
	}
	for range 100 {
		now = now.Add(recoveryStep)
		l.ok()
	}
	if got := l.rate(); got != 10 {
		t.Fatalf("rate after a long streak = %v, want the ceiling 10", got)
	}
	for range 20 {
		e, _ := l.wait(ctx)
		l.throttled(e, 0, true)
		l.mu.Lock()
		l.bucket.SetLimit(1000) // keep the test fast; the limit itself is under test below
		l.mu.Unlock()
	}
	if got := l.rate(); got != float64(minRate) {
		t.Fatalf("rate after many halvings = %v, want the floor %v", got, minRate)
	}
}

func TestLimiterHoldsEveryCallerUntilRetryAfter(t *testing.T) {
	l := newLimiter(0) // no ceiling: only the Retry-After holds callers
	epoch, _ := l.wait(context.Background())
	const retryAfter = 80 * time.Millisecond
	announced := time.Now()
	l.throttled(epoch, retryAfter, true)
	done := make(chan time.Time, 3)
	for range 3 {
		go func() {
			if _, err := l.wait(context.Background()); err != nil {
				t.Error(err)
			}
			done <- time.Now()
		}()
	}
	for range 3 {
		if at := <-done; at.Sub(announced) < retryAfter {
			t.Errorf("a caller went %v after the announcement, before Retry-After %v", at.Sub(announced), retryAfter)
		}
	}
}

func TestLimiterWaitEndsWithTheContext(t *testing.T) {
	l := newLimiter(60)
	epoch, _ := l.wait(context.Background())
	l.throttled(epoch, time.Hour, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.wait(ctx); err == nil {
		t.Fatal("wait returned without error for a cancelled context during a Retry-After")
	}
}

func TestEstimatorLearnsAndWakesWaiters(t *testing.T) {
	e := newEstimator(func(string, int) time.Duration { return time.Minute })
	k := bucketKey{"1080p", 6}
	d, learned, changed := e.expect(k)
	if d != time.Minute || learned {
		t.Fatalf("before any sample: %v learned=%v, want the prior", d, learned)
	}
	if ok, release := e.scout(k); !ok {
		t.Fatal("the first task of a bucket may not scout")
	} else {
		defer release()
	}
	e.observe(k, 2*time.Second)
	select {
	case <-changed:
	default:
		t.Fatal("waiters were not woken by the first sample")
	}
	if d, learned, _ = e.expect(k); d != 2*time.Second || !learned {
		t.Fatalf("after a sample: %v learned=%v", d, learned)
	}
	if ok, _ := e.scout(k); ok {
		t.Error("a learned bucket still sends scouts")
	}
}

// rate reports the current requests per second, for tests and benchmarks.
func (l *limiter) rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return float64(l.current)
}
