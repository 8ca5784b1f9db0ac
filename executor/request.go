package executor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/ltxform/ltxform/ltx"
)

// callResult is the outcome of one API call with its retries.
type callResult struct {
	task *ltx.Task
	err  error
	// maybeSent: some try of a create may have reached the server without an
	// answer, so a task may exist that nobody knows the id of.
	maybeSent bool
}

// rateLimitedTriesPerAttempt bounds how many 429s one call waits out before
// giving up: this many per allowed attempt.
const rateLimitedTriesPerAttempt = 10

// call sends one API request through the shared limiter and retries it,
// unchanged, while the answer is of the retry class (429, 5xx without a code,
// a connection error). Any other answer is returned for the caller to judge.
func (r *run) call(ctx context.Context, address string, send func(context.Context) (*ltx.Task, error)) callResult {
	var res callResult
	tries, throttled := 0, 0
	for {
		epoch, err := r.lim.wait(ctx)
		if err != nil {
			res.err = err
			return res
		}
		// A request that left is let finish when the run is stopped (only
		// the user's interrupt cuts it off): its answer settles what it did,
		// where cutting it would leave a create uncertain.
		task, err := send(r.requestCtx)
		if err == nil {
			r.lim.ok()
			res.task, res.err = task, nil
			return res
		}
		res.err = err
		var apiErr *ltx.APIError
		var reqErr *ltx.RequestError
		switch {
		case errors.As(err, &apiErr):
			rateLimited := apiErr.Class() == ltx.ClassRetry && (apiErr.StatusCode == http.StatusTooManyRequests || apiErr.Code == "RATE_LIMIT_EXCEEDED")
			if rateLimited || apiErr.RetryAfter > 0 {
				r.lim.throttled(epoch, apiErr.RetryAfter, rateLimited)
			} else {
				r.lim.ok()
			}
			if apiErr.Class() != ltx.ClassRetry || ctx.Err() != nil {
				return res
			}
			if rateLimited {
				throttled++
				if throttled > rateLimitedTriesPerAttempt*r.opts.MaxAttempts {
					return res
				}
			} else {
				tries++
				if tries >= r.opts.MaxAttempts {
					return res
				}
			}
			r.emit(Event{Kind: EventRetry, Address: address, RequestID: apiErr.RequestID, ErrorCode: codeOrStatus(apiErr), Message: apiErr.Message})
			// With a Retry-After the limiter already holds every worker back.
			if apiErr.RetryAfter <= 0 {
				if sleep(ctx, r.backoff(tries+throttled)) != nil {
					return res
				}
			}
		case errors.As(err, &reqErr):
			if reqErr.Sent {
				res.maybeSent = true
			}
			if ctx.Err() != nil {
				return res
			}
			tries++
			if tries >= r.opts.MaxAttempts {
				return res
			}
			r.emit(Event{Kind: EventRetry, Address: address, Message: err.Error()})
			if sleep(ctx, r.backoff(tries)) != nil {
				return res
			}
		default:
			return res
		}
	}
}

// backoff is full-jitter exponential: uniform in [0, min(cap, base·2^(n-1))].
func (r *run) backoff(n int) time.Duration {
	ceiling := r.opts.BackoffBase
	for i := 1; i < n && ceiling < r.opts.BackoffCap; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, r.opts.BackoffCap)
	return rand.N(ceiling + 1)
}

func codeOrStatus(e *ltx.APIError) string {
	if e.Code != "" {
		return e.Code
	}
	return fmt.Sprintf("HTTP %d", e.StatusCode)
}
