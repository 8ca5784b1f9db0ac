package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// video carries one change from its first request to its result row. Only
// its own worker touches it.
type video struct {
	r     *run
	ch    *plan.Change
	entry state.Entry // what the state says now; every change is recorded before the next request
	res   Result
	first int // the first generation tried in this run
	// spent is what the earlier tasks of this video in this run consumed:
	// a task that failed and was tried again was paid for all the same.
	spent float64
	// resumed: the task was created by an earlier run, at a time this run
	// did not see, so its timing must not teach the estimator.
	resumed bool
}

func newVideo(r *run, ch *plan.Change) *video {
	v := &video{r: r, ch: ch}
	if ch.Prior != nil {
		v.entry = *ch.Prior
	}
	v.entry.Address = ch.Address
	v.entry.InputHash = ch.InputHash
	v.entry.Mode = string(ch.Mode)
	v.entry.Duration = ch.Request.Duration
	v.entry.Resolution = ch.Request.Resolution
	v.entry.Output = ch.Output
	if ch.Credits > 0 {
		v.entry.CreditsEstimated = ch.Credits
	}
	v.res = Result{Address: ch.Address, CreditsEstimated: ch.Credits, Output: ch.Output}
	return v
}

// run drives the video to a final row in v.res.
func (v *video) run(ctx context.Context) {
	prior := v.ch.Prior
	switch {
	case v.ch.Action == plan.ActionDownload,
		v.ch.Action == plan.ActionResume && prior != nil && (prior.Status == state.StatusCompleted || prior.Status == state.StatusDownloaded):
		v.res.TaskID, v.res.RequestID, v.res.Attempts = prior.TaskID, prior.RequestID, prior.Attempts
		v.download(ctx)
	case v.ch.Action == plan.ActionResume && prior != nil && prior.Status == state.StatusCreated:
		v.res.TaskID, v.res.RequestID, v.res.Attempts = prior.TaskID, prior.RequestID, prior.Attempts
		v.first = max(prior.Attempts, 1)
		// Created in an earlier run: it may well be done, so poll at once.
		v.resumed = true
		created := prior.CreatedAt
		if created.IsZero() {
			created = time.Now()
		}
		v.follow(ctx, prior.TaskID, created)
	case v.ch.Action == plan.ActionResume && prior != nil && prior.Status == state.StatusPending && prior.IdempotencyKey != "":
		// The create may have gone through: only the same key may be sent.
		v.first = max(prior.Attempts, 1)
		v.generate(ctx, v.first, prior.IdempotencyKey)
	default:
		gen := 1
		if prior != nil && prior.InputHash == v.ch.InputHash {
			// The last generation's key would replay its (failed) task.
			gen = prior.Attempts + 1
		}
		v.first = gen
		v.generate(ctx, gen, "")
	}
}

// generate creates a task (generation gen, key or a key derived from gen),
// follows it to the end, and creates the next generation after a task-retry
// failure, up to MaxAttempts in this run.
func (v *video) generate(ctx context.Context, gen int, key string) {
	if reason := v.r.createsStopped(); reason != "" {
		v.skip(reason)
		return
	}
	if key == "" {
		// Generations count from 0 in the key; attempts count from 1.
		key = ltx.IdempotencyKey(v.ch.Address, v.ch.InputHash, gen-1)
	}
	v.entry.Status = state.StatusPending
	v.entry.IdempotencyKey = key
	v.entry.Attempts = gen
	v.entry.TaskID, v.entry.RequestID, v.entry.VideoURL = "", "", ""
	v.entry.ErrorCode, v.entry.ErrorMessage = "", ""
	v.entry.SHA256, v.entry.Bytes = "", 0
	v.res.Attempts = gen
	if v.r.record(ctx, v.entry) != nil {
		v.stateFailed()
		return
	}
	req := v.ch.Request
	tried := false // whether any try reached the client
	out := v.r.call(ctx, v.ch.Address, func(ctx context.Context) (*ltx.Task, error) {
		// Checked at every try, after the limiter's wait: the run may have
		// been stopped while this create waited for its turn.
		if v.r.createsStopped() != "" {
			return nil, errCreatesStopped
		}
		tried = true
		return v.r.api.Create(ctx, req, key)
	})
	if out.err != nil {
		v.createFailed(ctx, gen, out, tried)
		return
	}
	task := out.task
	v.entry.Status = state.StatusCreated
	v.entry.TaskID, v.entry.RequestID = task.ID, task.RequestID
	v.setConsumed(task) // charged at create: an interrupted run must still show it
	v.entry.CreatedAt = v.r.opts.Now().UTC()
	v.res.TaskID, v.res.RequestID = task.ID, task.RequestID
	v.res.ErrorCode, v.res.ErrorMessage, v.res.Suggestion = "", "", ""
	if v.r.record(ctx, v.entry) != nil {
		v.stateFailed()
		return
	}
	v.resumed = task.Replayed // a replay's task may be older than this create
	v.r.emit(Event{Kind: EventCreated, Address: v.ch.Address, TaskID: task.ID, RequestID: task.RequestID, Attempt: gen})
	v.follow(ctx, task.ID, time.Now())
}

// createFailed judges a create that got no task.
func (v *video) createFailed(ctx context.Context, gen int, out callResult, tried bool) {
	var apiErr *ltx.APIError
	isAPI := errors.As(out.err, &apiErr)
	switch {
	case isAPI && apiErr.Class() != ltx.ClassRetry:
		// A definite answer, even if it came after the run was stopped.
		if apiErr.Class() == ltx.ClassTaskRetry && ctx.Err() == nil {
			v.retryOrFail(ctx, gen, apiErr.Code, apiErr.Message, apiErr.RequestID)
			return
		}
		v.failAPI(ctx, apiErr)
	case out.maybeSent:
		// Never confirmed either way: the state keeps the pending entry and
		// its key, and the next run re-sends that same key.
		v.res.Status = ResultUncertain
		v.res.ErrorMessage = "the create may have reached the API but was never confirmed; the next apply re-sends it with the same Idempotency-Key: " + out.err.Error()
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, Attempt: gen, Message: v.res.ErrorMessage})
	case errors.Is(out.err, errCreatesStopped):
		// Nothing was sent: take back the intent, so that the state says
		// what it said before this run.
		v.unrecord(ctx)
		v.skip(v.r.createsStopped())
	case ctx.Err() != nil:
		if !tried {
			v.unrecord(ctx) // stopped while waiting for its turn
		}
		v.skip(v.stopWord(ctx) + " before the create was sent")
	case isAPI:
		v.failAPI(ctx, apiErr) // retries exhausted
	case errors.As(out.err, new(*ltx.RequestError)):
		// The API could not be reached and nothing was sent: the state
		// says what it said before; the row says why.
		v.unrecord(ctx)
		v.res.Status = ResultFailed
		v.res.ErrorMessage = out.err.Error()
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, Attempt: gen, Message: v.res.ErrorMessage})
		v.failFast()
	default:
		v.fail(ctx, "", out.err.Error(), "", "")
	}
}

// errCreatesStopped ends a create that was about to be sent when the run
// stopped creating.
var errCreatesStopped = errors.New("the run stopped creating")

// unrecord puts the state back as the plan found it, for an intent that
// never became a request.
func (v *video) unrecord(ctx context.Context) {
	var err error
	v.res.Attempts = 0 // no create left: this run's attempt does not count
	if v.ch.Prior != nil {
		v.res.Attempts = v.ch.Prior.Attempts
		err = v.r.store.Record(context.WithoutCancel(ctx), *v.ch.Prior)
	} else {
		err = v.r.store.Remove(context.WithoutCancel(ctx), v.ch.Address)
	}
	if err != nil {
		err = fmt.Errorf("writing the state: %w", err)
		v.r.abort("the state could not be written", &RunError{Kind: "state", Address: v.ch.Address, Err: err})
	}
}

// follow polls taskID until it ends, then downloads or tries again.
func (v *video) follow(ctx context.Context, taskID string, created time.Time) {
	task, err := v.poll(ctx, taskID, created)
	var apiErr *ltx.APIError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		v.skip(fmt.Sprintf("%s while task %s was in flight; it stays recorded as created and the next apply resumes it", v.stopWord(ctx), taskID))
		return
	case errors.As(err, &apiErr) && apiErr.Class() == ltx.ClassTaskLost:
		v.failAPI(ctx, apiErr) // the task is gone: the next plan creates the video again
		return
	case errors.As(err, &apiErr):
		// Polling gave up (or the key died) but the task may still finish:
		// the state keeps it created, so that no second task is paid for.
		v.res.Status = ResultFailed
		v.res.ErrorCode, v.res.RequestID, v.res.Suggestion = codeOrStatus(apiErr), apiErr.RequestID, apiErr.SuggestionOrCatalogue()
		v.res.ErrorMessage = "polling stopped; the task stays recorded as created and the next apply resumes it: " + apiErr.Message
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: taskID, RequestID: apiErr.RequestID, ErrorCode: v.res.ErrorCode, Message: v.res.ErrorMessage})
		v.applyClass(apiErr)
		v.failFast()
		return
	default:
		v.res.Status = ResultFailed
		v.res.ErrorMessage = "polling stopped; the task stays recorded as created and the next apply resumes it: " + err.Error()
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: taskID, Message: v.res.ErrorMessage})
		v.failFast()
		return
	}
	v.setConsumed(task)
	if task.Status == ltx.StatusFailed {
		code, msg := "", "the task failed without a reason"
		if task.Error != nil {
			code, msg = task.Error.Code, task.Error.Message
		}
		if ltx.Classify(code, 0) == ltx.ClassTaskRetry {
			v.retryOrFail(ctx, v.entry.Attempts, code, msg, task.RequestID)
			return
		}
		v.fail(ctx, code, msg, task.RequestID, suggestion(code))
		return
	}
	v.entry.Status = state.StatusCompleted
	v.entry.VideoURL = task.VideoURL
	v.entry.CompletedAt = v.r.opts.Now().UTC()
	if v.r.record(ctx, v.entry) != nil {
		v.stateFailed()
		return
	}
	v.r.emit(Event{Kind: EventCompleted, Address: v.ch.Address, TaskID: taskID, RequestID: task.RequestID})
	v.download(ctx)
}

// retryOrFail creates the next generation after a task-retry failure, while
// attempts remain and creates are allowed.
func (v *video) retryOrFail(ctx context.Context, gen int, code, msg, requestID string) {
	if gen-v.first+1 >= v.r.opts.MaxAttempts {
		v.fail(ctx, code, fmt.Sprintf("%s (after %d attempts)", msg, gen-v.first+1), requestID, suggestion(code))
		return
	}
	if reason := v.r.createsStopped(); reason != "" || ctx.Err() != nil {
		v.fail(ctx, code, msg+"; not tried again: "+firstNonEmpty(reason, v.stopWord(ctx)), requestID, suggestion(code))
		return
	}
	v.r.emit(Event{Kind: EventRetry, Address: v.ch.Address, TaskID: v.entry.TaskID, RequestID: requestID, ErrorCode: code, Attempt: gen + 1, Message: msg})
	v.spent = v.res.CreditsConsumed
	v.generate(ctx, gen+1, "")
}

// setConsumed records what the current task has consumed so far, on top of
// what this video's earlier tasks in this run consumed.
func (v *video) setConsumed(task *ltx.Task) {
	v.res.CreditsConsumed = v.spent + task.ConsumedCredits
	v.entry.CreditsConsumed = v.res.CreditsConsumed
}

// failAPI fails the video for an API error and applies its class to the run.
func (v *video) failAPI(ctx context.Context, e *ltx.APIError) {
	code := codeOrStatus(e)
	v.fail(ctx, code, e.Message, e.RequestID, e.SuggestionOrCatalogue())
	v.applyClass(e)
}

// applyClass stops the run for a run-fatal error, and new creates for a
// run-stop one.
func (v *video) applyClass(e *ltx.APIError) {
	code := codeOrStatus(e)
	switch e.Class() {
	case ltx.ClassRunFatal:
		v.r.abort(fmt.Sprintf("%s on %s: the API refuses this key", code, v.ch.Address), &RunError{Kind: string(ltx.ClassRunFatal), Address: v.ch.Address, Err: e})
	case ltx.ClassRunStop:
		v.r.stopCreates(fmt.Sprintf("%s on %s", code, v.ch.Address), &RunError{Kind: string(ltx.ClassRunStop), Address: v.ch.Address, Err: e})
	}
}

// fail records the video as failed with code and shows it in its row.
func (v *video) fail(ctx context.Context, code, msg, requestID, sugg string) {
	v.entry.Status = state.StatusFailed
	v.entry.ErrorCode, v.entry.ErrorMessage = code, msg
	if requestID != "" {
		v.entry.RequestID = requestID
	}
	v.res.Status = ResultFailed
	v.res.ErrorCode, v.res.ErrorMessage, v.res.Suggestion = code, msg, sugg
	if requestID != "" {
		v.res.RequestID = requestID
	}
	if v.r.record(ctx, v.entry) != nil {
		v.stateFailed()
		return
	}
	v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: v.entry.TaskID, RequestID: v.res.RequestID, ErrorCode: code, Attempt: v.entry.Attempts, Message: msg})
	v.failFast()
}

func (v *video) failFast() {
	if v.r.opts.FailFast {
		v.r.stopCreates("-fail-fast: "+v.ch.Address+" failed", nil)
	}
}

func (v *video) skip(reason string) {
	v.res.Status = ResultSkipped
	v.res.ErrorMessage = "skipped: " + reason
	v.r.emit(Event{Kind: EventSkipped, Address: v.ch.Address, TaskID: v.res.TaskID, Message: reason})
}

func (v *video) stateFailed() {
	v.res.Status = ResultFailed
	v.res.ErrorMessage = "the state could not be written; see the run's error"
}

// stopWord names why ctx ended: the run was stopped, or the user interrupted.
func (v *video) stopWord(ctx context.Context) string {
	if reason := v.r.createsStopped(); reason != "" && context.Cause(ctx) != context.Canceled {
		return "run stopped (" + reason + ")"
	}
	return "interrupted"
}

func suggestion(code string) string {
	if info, ok := ltx.LookupCode(code); ok {
		return info.Suggestion
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
