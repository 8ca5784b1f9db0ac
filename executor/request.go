package executor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

// callKind tells a create, whose answer says what was bought, from a poll.
type callKind int

const (
	callPoll callKind = iota
	callCreate
)

// errRetryAfterTooLong ends a call whose server asked for a longer wait than
// the run will give it.
var errRetryAfterTooLong = errors.New("the service asked to wait longer than apply waits")

// call sends one API request through the shared limiter and retries it,
// unchanged, while the answer is of the retry class (429, 5xx without a code,
// a connection error). Any other answer is returned for the caller to judge.
// A create that may have made a task (ltx.ClassifyCreate) is sent again
// only with a trusted idempotency key; elsewhere it is returned at once,
// uncertain.
func (r *run) call(ctx context.Context, address string, kind callKind, send func(context.Context) (*ltx.Task, error)) callResult {
	var res callResult
	policy := retryPolicy{maxAttempts: r.opts.MaxAttempts}
	// A request that left is let finish when the run is stopped: its answer
	// settles what it did. A create outlives the user's interrupt by the
	// grace period; a poll does not.
	sendCtx := r.requestCtx
	if kind == callCreate {
		sendCtx = r.createCtx
	}
	for {
		epoch, err := r.lim.wait(ctx)
		if err != nil {
			res.err = err
			return res
		}
		task, err := r.sendOnce(sendCtx, send)
		if err == nil {
			r.lim.ok()
			res.task, res.err = task, nil
			return res
		}
		res.err = err
		if kind == callCreate && ltx.ClassifyCreate(err) == ltx.CreateMaybeMade {
			// A gateway's page, a 5xx, a reset, a timeout, a redirect: the
			// task may exist. Sent again only with a trusted key.
			res.maybeSent = true
			if !r.plan.Settings.IdempotencyKey {
				return res
			}
		}
		var apiErr *ltx.APIError
		var reqErr *ltx.RequestError
		again := false
		switch {
		case errors.As(err, &apiErr):
			again, res.err = r.retryAPIError(ctx, address, epoch, err, apiErr, &policy)
		case errors.As(err, &reqErr):
			again = r.retryRequestError(ctx, address, err, &policy)
		}
		if !again {
			return res
		}
	}
}

// retryPolicy counts one call's failed tries: an ordinary failure spends one
// of the allowed attempts; a throttle (a 429 for the rate or for too many
// generations at once) says nothing of the request, so many more of them are
// waited out.
type retryPolicy struct {
	maxAttempts     int
	tries, throttle int
}

// again counts a failure and tells whether the call may try once more.
func (p *retryPolicy) again(throttled bool) bool {
	if throttled {
		p.throttle++
		return p.throttle <= rateLimitedTriesPerAttempt*p.maxAttempts
	}
	p.tries++
	return p.tries < p.maxAttempts
}

// sendOnce sends one try within the request timeout, and notes that the
// service answered (an error of the API is an answer too).
func (r *run) sendOnce(sendCtx context.Context, send func(context.Context) (*ltx.Task, error)) (*ltx.Task, error) {
	reqCtx, cancel := context.WithTimeout(sendCtx, r.opts.RequestTimeout)
	defer cancel()
	task, err := send(reqCtx)
	var apiErr *ltx.APIError
	if err == nil || errors.As(err, &apiErr) {
		r.answered.Store(true)
	}
	return task, err
}

// retryAPIError tells the limiter what the service's error (err, which
// holds apiErr) said and, when the policy allows another try, waits for it.
// It returns false with the error the call ends with otherwise.
func (r *run) retryAPIError(ctx context.Context, address string, epoch uint64, err error, apiErr *ltx.APIError, p *retryPolicy) (bool, error) {
	class := errorClass(err)
	throttle := apiErr.Throttle()
	rateLimited := class == ltx.ClassRetry && throttle == ltx.ThrottleRate
	if apiErr.RetryAfter > r.opts.MaxRetryAfter {
		return false, fmt.Errorf("%w (Retry-After %s, the most apply waits is %s; the video is left to the next apply): %w",
			errRetryAfterTooLong, apiErr.RetryAfter, r.opts.MaxRetryAfter, apiErr)
	}
	switch {
	case throttle == ltx.ThrottleConcurrency:
		// Too many generations at once is not a request-rate
		// problem: leave the limiter alone.
	case rateLimited || apiErr.RetryAfter > 0:
		r.lim.throttled(epoch, apiErr.RetryAfter, rateLimited)
	default:
		r.lim.ok()
	}
	if class != ltx.ClassRetry || ctx.Err() != nil {
		return false, err
	}
	if !p.again(rateLimited || throttle == ltx.ThrottleConcurrency) {
		return false, err
	}
	r.emit(Event{Kind: EventRetry, Address: address, RequestID: apiErr.RequestID, ErrorCode: codeOrStatus(apiErr), Message: apiErr.Message})
	if throttle == ltx.ThrottleConcurrency {
		// Ask again when one of our tasks ends, or after the
		// service's Retry-After, whichever comes first.
		return r.waitForSlot(ctx, apiErr.RetryAfter, p.throttle) == nil, err
	}
	// With a Retry-After the limiter already holds every worker back.
	if apiErr.RetryAfter <= 0 {
		if sleep(ctx, r.backoff(p.tries+p.throttle)) != nil {
			return false, err
		}
	}
	return true, err
}

// retryRequestError waits before another try of a request that got no
// answer (a connection error), while the policy allows one.
func (r *run) retryRequestError(ctx context.Context, address string, err error, p *retryPolicy) bool {
	if ctx.Err() != nil || !p.again(false) {
		return false
	}
	r.emit(Event{Kind: EventRetry, Address: address, Message: err.Error()})
	return sleep(ctx, r.backoff(p.tries)) == nil
}

// waitForSlot waits until one of the run's tasks ends, or retryAfter (else
// a backoff) has passed.
func (r *run) waitForSlot(ctx context.Context, retryAfter time.Duration, n int) error {
	wait := retryAfter
	if wait <= 0 {
		wait = r.backoff(n)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
	case <-r.slots.nextRelease():
	}
	return nil
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
