package sim

import "sync/atomic"

// counterSet is the live form of Counters, updated without the server lock.
type counterSet struct {
	Requests, Creates, Replays, DuplicateCreates, Polls, Downloads,
	RateLimited, EarlyRequests, MaxInFlight,
	RepeatedCreates, MaxGenerating, ConcurrencyLimited, Uploads, Cancelled atomic.Int64
}

func (c *counterSet) raiseMaxGenerating(n int64) { raise(&c.MaxGenerating, n) }

func (c *counterSet) raiseMaxInFlight(n int64) { raise(&c.MaxInFlight, n) }

// raise sets v to n if n is higher.
func raise(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n <= old || v.CompareAndSwap(old, n) {
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

		RepeatedCreates:    c.RepeatedCreates.Load(),
		MaxGenerating:      c.MaxGenerating.Load(),
		ConcurrencyLimited: c.ConcurrencyLimited.Load(),
		Uploads:            c.Uploads.Load(),
		Cancelled:          c.Cancelled.Load(),
	}
}
