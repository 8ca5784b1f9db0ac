package executor

import (
	"sync"
	"time"
)

// estimator learns, per (resolution, duration) bucket, how long a task takes
// from create to completed, so that the first poll of later tasks lands just
// after they finish: two requests per video (create and one poll) when the
// API is steady. Before a bucket has any sample it answers the prior; the
// first tasks of a bucket ("scouts") poll early instead, and every sample
// wakes the tasks still waiting on the prior.
type estimator struct {
	mu      sync.Mutex
	prior   func(resolution string, duration int) time.Duration
	buckets map[bucketKey]*bucket
}

type bucketKey struct {
	resolution string
	duration   int
}

type bucket struct {
	estimate time.Duration // EWMA of the samples; 0 = none yet
	told     time.Duration // the estimate waiters last heard of
	scouts   int           // tasks polling early because the bucket has no sample
	changed  chan struct{} // closed and replaced on every new sample
}

// maxScouts is how many tasks per bucket poll early while it has no sample.
const maxScouts = 2

// sampleWeight is the EWMA weight of a new sample.
const sampleWeight = 0.25

func newEstimator(prior func(string, int) time.Duration) *estimator {
	return &estimator{prior: prior, buckets: map[bucketKey]*bucket{}}
}

func (e *estimator) bucket(k bucketKey) *bucket {
	b := e.buckets[k]
	if b == nil {
		b = &bucket{changed: make(chan struct{})}
		e.buckets[k] = b
	}
	return b
}

// expect returns the expected completion time of a task in k, whether it is
// learned, and a channel closed when a better estimate arrives.
func (e *estimator) expect(k bucketKey) (d time.Duration, learned bool, changed <-chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.bucket(k)
	if b.estimate > 0 {
		return b.estimate, true, b.changed
	}
	return e.prior(k.resolution, k.duration), false, b.changed
}

// scout asks to poll early; release must be called when the task is done.
func (e *estimator) scout(k bucketKey) (ok bool, release func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.bucket(k)
	if b.estimate > 0 || b.scouts >= maxScouts {
		return false, func() {}
	}
	b.scouts++
	var once sync.Once
	return true, func() {
		once.Do(func() {
			e.mu.Lock()
			b.scouts--
			e.mu.Unlock()
		})
	}
}

// observe adds one sample of the total time from create to completed.
func (e *estimator) observe(k bucketKey, total time.Duration) {
	if total <= 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.bucket(k)
	if b.estimate == 0 {
		b.estimate = total
	} else {
		b.estimate = time.Duration((1-sampleWeight)*float64(b.estimate) + sampleWeight*float64(total))
	}
	// Waking every waiting task costs; do it when the estimate moved enough
	// to matter (always for a bucket's first sample).
	if b.told == 0 || b.estimate < b.told*4/5 || b.estimate > b.told*5/4 {
		b.told = b.estimate
		close(b.changed)
		b.changed = make(chan struct{})
	}
}
