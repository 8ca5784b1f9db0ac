package executor

import (
	"context"
	"sync"
	"time"
)

// slots caps the tasks between create and their end (a service's number of
// generations at once), separately from the request rate. A nil *slots is
// unlimited.
type slots struct {
	sem chan struct{}

	mu    sync.Mutex
	freed chan struct{} // closed and replaced whenever a slot is given back
}

func newSlots(n int) *slots {
	if n <= 0 {
		return nil
	}
	return &slots{sem: make(chan struct{}, n), freed: make(chan struct{})}
}

// acquire waits for a free slot and says how long it waited.
func (s *slots) acquire(ctx context.Context) (time.Duration, error) {
	if s == nil {
		return 0, nil
	}
	start := time.Now()
	select {
	case s.sem <- struct{}{}:
		return time.Since(start), nil
	case <-ctx.Done():
		return time.Since(start), ctx.Err()
	}
}

func (s *slots) release() {
	if s == nil {
		return
	}
	<-s.sem
	s.mu.Lock()
	close(s.freed)
	s.freed = make(chan struct{})
	s.mu.Unlock()
}

// nextRelease is closed the next time any slot is given back: a service
// that says it runs too many of our tasks is worth asking again then.
func (s *slots) nextRelease() <-chan struct{} {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.freed
}
