package sim

import "sync/atomic"

// counterSet is the live form of Counters, updated without the server lock.
type counterSet struct {
	Requests, Creates, Replays, DuplicateCreates, Polls, Downloads,
	RateLimited, EarlyRequests, MaxInFlight atomic.Int64
}

func (c *counterSet) raiseMaxInFlight(n int64) {
	for {
		old := c.MaxInFlight.Load()
		if n <= old || c.MaxInFlight.CompareAndSwap(old, n) {
			return
		}
	}
}

func (c *counterSet) snapshot() Counters {
	return Counters{
		Requests:         c.Requests.Load(),
		Creates:          c.Creates.Load(),
		Replays:          c.Replays.Load(),
		DuplicateCreates: c.DuplicateCreates.Load(),
		Polls:            c.Polls.Load(),
		Downloads:        c.Downloads.Load(),
		RateLimited:      c.RateLimited.Load(),
		EarlyRequests:    c.EarlyRequests.Load(),
		MaxInFlight:      c.MaxInFlight.Load(),
	}
}
