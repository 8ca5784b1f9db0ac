package executor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	// lastStatus is the task's status at its create or latest poll in this
	// run ("" for a task resumed and not yet polled).
	lastStatus ltx.Status
	// spent is what the earlier tasks of this video in this run consumed:
	// a task that failed and was tried again was paid for all the same.
	spent float64
	// paidHere: the current task was bought by this run (not resumed from
	// an earlier one); charged is what the ledger holds for it, and
	// chargedEstimate whether that is the price table's figure.
	paidHere        bool
	charged         float64
	chargedEstimate bool
	// resumed: the task was created by an earlier run, at a time this run
	// did not see, so its timing must not teach the estimator.
	resumed bool
	// holdsSlot: the video holds one of the service's generations-at-once
	// slots, from before its create until its task ends.
	holdsSlot bool
	// reserved is what the current create reserved against the budget.
	reserved float64
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
	s := r.plan.Settings
	if ch.Action != plan.ActionResume && ch.Action != plan.ActionDownload || v.entry.Provider == "" {
		// A resumed task stays where it was made; the plan only resumes a
		// task made by this provider at this endpoint.
		v.entry.Provider, v.entry.Endpoint, v.entry.Simulated = s.Provider, s.Endpoint, s.Simulated
	}
	v.entry.Unit = string(s.Unit)
	// The record keeps what was asked for, with sensitive values hidden.
	asked := ch.Redacted().Request
	v.entry.Request = &asked
	if ch.Cost > 0 {
		v.entry.CostEstimated = ch.Cost
	}
	v.res = Result{Address: ch.Address, CostEstimated: ch.Cost, Output: ch.Output, Request: &asked}
	if ch.Before != nil {
		before := *ch.Before
		if slices.Contains(ch.Sensitive, "prompt") {
			before.Prompt = plan.SensitiveValue
		}
		v.res.Before = &before
	}
	return v
}

// run drives the video to a final row in v.res.
func (v *video) run(ctx context.Context) {
	prior := v.ch.Prior
	switch {
	case v.ch.Action == plan.ActionFetch:
		v.fetchStored(ctx)
	case v.ch.Action == plan.ActionStore:
		v.storeOnly(ctx)
	case v.ch.Action == plan.ActionDownload,
		v.ch.Action == plan.ActionResume && prior != nil && (prior.Status == state.StatusCompleted || prior.Status == state.StatusDownloaded):
		v.res.TaskID, v.res.RequestID, v.res.Attempts = prior.TaskID, prior.RequestID, prior.Attempts
		v.download(ctx)
	case v.ch.Action == plan.ActionResume && prior != nil && prior.Status == state.StatusCreated:
		v.res.TaskID, v.res.RequestID, v.res.Attempts = prior.TaskID, prior.RequestID, prior.Attempts
		v.first = max(prior.Attempts, 1)
		// Created in an earlier run: it may well be done, so poll at once.
		v.resumed = true
		v.res.PaidBy = firstNonEmpty(prior.RunID, "an earlier run")
		created := prior.CreatedAt
		if created.IsZero() {
			created = time.Now()
		}
		if !v.acquireSlot(ctx) {
			v.inFlight(fmt.Sprintf("%s while task %s waited to be polled; it stays recorded as created and the next apply resumes it", v.stopWord(ctx), prior.TaskID))
			return
		}
		v.follow(ctx, prior.TaskID, created)
	case v.ch.Action == plan.ActionResume && prior != nil && prior.Status == state.StatusPending && prior.IdempotencyKey != "":
		// The create may have gone through: only the same key may be sent
		// (without a trusted key, by -retry-uncertain: a service that
		// honours it after all replays the task instead of a second one).
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
// failure, up to MaxAttempts in this run. Each step is recorded in the state
// before the next request («State and crash safety» in ARCHITECTURE.md).
func (v *video) generate(ctx context.Context, gen int, key string) {
	if !v.reserve(ctx) {
		return
	}
	if key == "" {
		// Generations count from 0 in the key; attempts count from 1. The
		// lineage is the state's own (apply gives a new state one before its
		// first create); a pending entry resends the key it recorded.
		key = ltx.IdempotencyKey(v.r.plan.StateLineage, v.ch.Address, v.ch.InputHash, gen-1)
	}
	if !v.recordIntent(ctx, gen, key) {
		return
	}
	out, tried := v.create(ctx, key)
	if out.err != nil {
		if !out.maybeSent {
			v.unreserve()
		}
		v.releaseSlot()
		v.createFailed(ctx, gen, out, tried)
		return
	}
	task := out.task
	if !v.recordCreated(ctx, task, key) {
		return
	}
	v.resumed = task.Replayed // a replay's task may be older than this create
	v.r.emit(Event{Kind: EventCreated, Address: v.ch.Address, TaskID: task.ID, RequestID: task.RequestID, Attempt: gen})
	v.follow(ctx, task.ID, time.Now())
}

// reserve takes a generation slot and the create's estimate from the
// budget, or skips the video when the run stopped creating.
func (v *video) reserve(ctx context.Context) bool {
	if reason := v.r.createsStopped(); reason != "" {
		v.skip(reason)
		return false
	}
	// The slot comes before the intent: a video waiting for one has sent
	// nothing and needs nothing taken back.
	if !v.acquireSlot(ctx) {
		v.skip(firstNonEmpty(v.r.createsStopped(), v.stopWord(ctx)) + " while waiting for a generation slot")
		return false
	}
	if reason := v.r.createsStopped(); reason != "" {
		v.releaseSlot()
		v.skip(reason)
		return false
	}
	estimate := v.ch.Cost
	if estimate <= 0 {
		estimate = v.entry.CostEstimated
	}
	if !v.r.commit(v.ch.Address, estimate) {
		v.releaseSlot()
		v.skip(v.r.createsStopped())
		return false
	}
	v.reserved = estimate
	return true
}

// recordIntent records the pending entry, with the key the create will
// send, before the create leaves: a kill after it leaves a key to replay.
func (v *video) recordIntent(ctx context.Context, gen int, key string) bool {
	if v.entry.PriorFile == nil {
		v.entry.PriorFile = priorFileOf(v.ch.Prior) // the file stays until the new one arrives
	}
	v.entry.Status = state.StatusPending
	v.entry.IdempotencyKey = key
	v.entry.Attempts = gen
	v.entry.RunID = v.r.opts.RunID
	v.entry.ManifestHash, v.entry.MadeBy = v.r.plan.ManifestHash, v.r.opts.Host
	v.entry.TaskID, v.entry.RequestID, v.entry.VideoURL = "", "", ""
	v.entry.TaskURLs = ltx.TaskURLs{}
	v.entry.ErrorCode, v.entry.ErrorMessage = "", ""
	v.entry.SHA256, v.entry.Bytes = "", 0
	v.res.Attempts = gen
	if v.r.record(ctx, v.entry) != nil {
		v.releaseSlot()
		v.stateFailed()
		return false
	}
	return true
}

// create sends the create with its retries; tried tells whether any try
// reached the client.
func (v *video) create(ctx context.Context, key string) (out callResult, tried bool) {
	req := v.ch.Request
	out = v.r.call(ctx, v.ch.Address, callCreate, func(ctx context.Context) (*ltx.Task, error) {
		// Checked at every try, after the limiter's wait: the run may have
		// been stopped while this create waited for its turn.
		if v.r.createsStopped() != "" {
			return nil, errCreatesStopped
		}
		tried = true
		return v.r.api.Create(ctx, req, key)
	})
	return out, tried
}

// recordCreated charges the new task to the run that paid for it and
// records it as created.
func (v *video) recordCreated(ctx context.Context, task *ltx.Task, key string) bool {
	// The run whose create made the task paid for it: a replay of the key
	// an earlier (killed) run sent returns that run's task.
	paidBy := v.r.opts.RunID
	if prior := v.ch.Prior; task.Replayed && prior != nil && prior.IdempotencyKey == key && prior.RunID != "" {
		paidBy = prior.RunID
	}
	v.entry.RunID = paidBy
	v.paidHere = paidBy == v.r.opts.RunID
	if !v.paidHere {
		v.res.PaidBy = paidBy
		v.unreserve() // bought by the earlier run, not against this one's budget
	} else {
		v.res.TasksPaid++
	}
	v.entry.Status = state.StatusCreated
	v.entry.TaskID, v.entry.RequestID = task.ID, task.RequestID
	v.entry.TaskURLs = task.URLs
	v.lastStatus = task.Status
	v.charged, v.chargedEstimate = 0, false
	v.setConsumed(task) // charged at create: an interrupted run must still show it
	// The ledger line comes before the created record: a kill between the
	// two leaves a pending entry whose key replays this task, and the
	// ledger, folded by task id, counts it once.
	if v.chargeTask(ctx, task, key, paidBy) != nil {
		v.releaseSlot()
		v.stateFailed()
		return false
	}
	v.entry.CreatedAt = v.r.opts.Now().UTC()
	v.res.TaskID, v.res.RequestID = task.ID, task.RequestID
	v.res.ErrorCode, v.res.ErrorMessage, v.res.Suggestion = "", "", ""
	if v.r.record(ctx, v.entry) != nil {
		// The task exists and was paid for, but the state still says
		// pending: the next plan re-sends its key, or lists it uncertain.
		v.releaseSlot()
		v.stateFailed()
		return false
	}
	return true
}

// createFailed judges a create that got no task.
func (v *video) createFailed(ctx context.Context, gen int, out callResult, tried bool) {
	var apiErr *ltx.APIError
	isAPI := errors.As(out.err, &apiErr)
	class := errorClass(out.err)
	outcome := ltx.ClassifyCreate(out.err)
	switch {
	case out.maybeSent && outcome != ltx.CreateRefused, outcome == ltx.CreateMaybeMade:
		// No answer that says "not created": the task may exist.
		v.uncertain(ctx, gen, out.err)
		if isAPI {
			v.applyClass(apiErr) // e.g. a wrong base URL still stops the run
		}
	case errors.As(out.err, new(*ltx.UploadError)):
		// The image never reached the service, so no create was sent:
		// nothing is bought and the next apply tries again.
		v.unrecord(ctx)
		v.res.Status = ResultFailed
		v.res.ErrorMessage = "not created, the next apply tries again: " + out.err.Error()
		if isAPI {
			v.res.ErrorCode, v.res.RequestID = codeOrStatus(apiErr), apiErr.RequestID
			v.applyClass(apiErr)
		}
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, Attempt: gen, ErrorCode: v.res.ErrorCode, Message: v.res.ErrorMessage})
		v.failFast()
	case isAPI && errors.Is(out.err, errRetryAfterTooLong):
		// Refused with a wait longer than apply gives: nothing was bought.
		// The state says what it said before; the row says why.
		v.unrecord(ctx)
		v.res.Status = ResultFailed
		v.res.ErrorCode, v.res.RequestID, v.res.Suggestion = codeOrStatus(apiErr), apiErr.RequestID, apiErr.SuggestionOrCatalogue()
		v.res.ErrorMessage = "not created, the next apply tries again: " + out.err.Error()
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, RequestID: apiErr.RequestID, ErrorCode: v.res.ErrorCode, Attempt: gen, Message: v.res.ErrorMessage})
		// The wait is the account's, not this video's (a daily quota, a
		// maintenance window): the other creates would each be refused
		// the same way, so none is sent; tasks already bought go on.
		v.r.stopCreates(fmt.Sprintf("the service asked %s to wait %s before another create (%s, request %s), longer than apply waits (%s); the next apply tries again",
			v.ch.Address, apiErr.RetryAfter, codeOrStatus(apiErr), apiErr.RequestID, v.r.opts.MaxRetryAfter), nil)
	case isAPI && class != ltx.ClassRetry:
		// A definite answer, even if it came after the run was stopped.
		if class == ltx.ClassTaskRetry && ctx.Err() == nil {
			v.retryOrFail(ctx, gen, apiErr.Code, apiErr.Message, apiErr.RequestID)
			return
		}
		v.failAPI(ctx, apiErr)
	case errors.Is(out.err, errCreatesStopped):
		// Nothing was sent: take back the intent, so that the state says
		// what it said before this run.
		v.unrecord(ctx)
		v.skip(v.r.createsStopped())
	case ctx.Err() != nil:
		if !tried || !out.maybeSent && unreachable(out.err) {
			v.unrecord(ctx) // stopped while waiting for its turn, or nothing ever reached the API
		}
		v.skip(v.stopWord(ctx) + " before the create was sent")
	case isAPI:
		v.failAPI(ctx, apiErr) // retries exhausted
	case errors.As(out.err, new(*ltx.RequestError)):
		// The API could not be reached and nothing was sent: the state
		// says what it said before; the row says why.
		v.unrecord(ctx)
		if v.unreachableFirst(out.err) {
			return
		}
		v.res.Status = ResultFailed
		v.res.ErrorMessage = out.err.Error()
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, Attempt: gen, Message: v.res.ErrorMessage})
		v.failFast()
	default:
		v.fail(ctx, "", out.err.Error(), "", "")
	}
}

// uncertain leaves a create that may have made a task: the state keeps the
// pending entry and its key, and the ledger lists it as maybe billed.
func (v *video) uncertain(ctx context.Context, gen int, err error) {
	if v.r.charge(ctx, v.uncertainCharge()) != nil {
		v.stateFailed()
		return
	}
	v.res.Status = ResultUncertain
	if v.r.plan.Settings.IdempotencyKey {
		v.res.ErrorMessage = "the create may have reached the API but was never confirmed; the next apply re-sends it with the same Idempotency-Key: " + err.Error()
	} else {
		v.res.ErrorMessage = fmt.Sprintf("the create may have reached %s but no answer said it was not made, so it may be bought already; "+
			"it is not sent again: check the service, then run apply -retry-uncertain (or -replace %s) to buy it knowingly: %s",
			v.r.plan.Settings.Provider, v.ch.Address, err.Error())
	}
	v.r.emit(Event{Kind: EventUncertain, Address: v.ch.Address, Attempt: gen, Message: v.res.ErrorMessage})
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
		v.r.abort("the state could not be written", &RunError{Kind: StopState, Address: v.ch.Address, Err: err})
	}
}

// follow polls taskID until it ends, then downloads or tries again.
func (v *video) follow(ctx context.Context, taskID string, created time.Time) {
	task, err := v.poll(ctx, taskID, created)
	v.releaseSlot()
	var apiErr *ltx.APIError
	switch {
	case err == nil:
	case ctx.Err() != nil && v.cancelQueued(ctx, taskID):
		return
	case ctx.Err() != nil:
		v.inFlight(fmt.Sprintf("%s while task %s was in flight; it stays recorded as created and the next apply resumes it", v.stopWord(ctx), taskID))
		return
	case errors.Is(err, errTaskTimeout) || errors.Is(err, errRetryAfterTooLong):
		v.res.Status = ResultFailed
		v.res.ErrorCode = "GAVE_UP"
		v.res.ErrorMessage = fmt.Sprintf("task %s: %v; it stays recorded as created and the next apply resumes it", taskID, err)
		v.r.emit(Event{Kind: EventFailed, Address: v.ch.Address, TaskID: taskID, ErrorCode: v.res.ErrorCode, Message: v.res.ErrorMessage})
		v.failFast()
		return
	case errors.As(err, &apiErr) && errorClass(err) == ltx.ClassTaskLost:
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
	if v.paidHere && (v.charged != v.res.CostConsumed-v.spent || v.chargedEstimate != v.costIsEstimate(task)) {
		// The poll's figure is the final one: the ledger follows it.
		if v.chargeTask(ctx, task, v.entry.IdempotencyKey, v.r.opts.RunID) != nil {
			v.stateFailed()
			return
		}
	}
	if task.Status == ltx.StatusFailed {
		taskErr := task.Error
		if taskErr == nil {
			taskErr = &ltx.TaskError{Message: "the task failed without a reason"}
		}
		if errorClass(taskErr) == ltx.ClassTaskRetry {
			v.retryOrFail(ctx, v.entry.Attempts, taskErr.Code, taskErr.Message, task.RequestID)
			return
		}
		v.fail(ctx, taskErr.Code, taskErr.Message, task.RequestID, v.suggestion(taskErr.Code))
		return
	}
	if task.VideoURL == "" {
		// Completed without a video: downloading would fail the same way on
		// every apply. The task is useless; say so once, with the way out.
		v.fail(ctx, "NO_VIDEO_URL", fmt.Sprintf("%s reported task %s completed but gave no video URL; the next apply makes the video again (a new task, paid again); if it keeps happening, contact the service with request id %s",
			v.r.plan.Settings.Provider, taskID, firstNonEmpty(task.RequestID, "(none)")), task.RequestID, "")
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
		v.fail(ctx, code, fmt.Sprintf("%s (after %d attempts)", msg, gen-v.first+1), requestID, v.suggestion(code))
		return
	}
	if reason := v.r.createsStopped(); reason != "" || ctx.Err() != nil {
		v.fail(ctx, code, msg+"; not tried again: "+firstNonEmpty(reason, v.stopWord(ctx)), requestID, v.suggestion(code))
		return
	}
	if reason := v.r.overBudget(v.ch.Cost); reason != "" {
		// The budget is reached for the whole run; the failed task is
		// recorded as failed, so that the next apply does not poll it again.
		v.r.stopCreates(reason, nil)
		v.fail(ctx, code, msg+"; not tried again: "+reason, requestID, v.suggestion(code))
		return
	}
	v.r.emit(Event{Kind: EventRetry, Address: v.ch.Address, TaskID: v.entry.TaskID, RequestID: requestID, ErrorCode: code, Attempt: gen + 1, Message: msg})
	v.spent = v.res.CostConsumed
	v.reserved = 0
	v.generate(ctx, gen+1, "")
}

// setConsumed records what the current task has consumed so far, on top of
// what this video's earlier tasks in this run consumed. A service that
// reports no cost is charged the estimate. The budget's reservation follows
// the service's figure.
func (v *video) setConsumed(task *ltx.Task) {
	if !v.paidHere {
		// A task an earlier run bought: its cost is that run's, in the
		// ledger and in the entry already; this run was not charged.
		return
	}
	cost := task.ConsumedCost
	if v.costIsEstimate(task) {
		cost = v.reserved // no cost in any answer: the price table's is the best figure
	}
	if cost > 0 && cost != v.reserved {
		v.r.adjust(cost - v.reserved)
		v.reserved = cost
	}
	v.res.CostConsumed = v.spent + cost
	v.res.CostFromPriceTable = v.res.CostFromPriceTable || v.costIsEstimate(task)
	v.entry.CostConsumed = v.res.CostConsumed
}

// costIsEstimate: the service said nothing of the task's cost, so the price
// table's figure stands for it.
func (v *video) costIsEstimate(task *ltx.Task) bool {
	return task.ConsumedCost <= 0 && v.r.plan.Settings.Unit == ltx.UnitUSD
}

// chargeTask writes the ledger line of the current task: what it cost so
// far, credited to paidBy.
func (v *video) chargeTask(ctx context.Context, task *ltx.Task, key, paidBy string) error {
	cost, estimated := v.res.CostConsumed-v.spent, v.costIsEstimate(task)
	if !v.paidHere {
		// A replay of a task an earlier run sent: its figure, or the plan's.
		cost, estimated = task.ConsumedCost, false
		if cost <= 0 {
			cost, estimated = v.ch.Cost, true
		}
	}
	c := v.newCharge()
	c.TaskID, c.IdempotencyKey, c.RunID, c.Cost, c.Estimated = task.ID, key, paidBy, cost, estimated
	// The task settles an uncertain line of the same key (the lost create
	// was this task) only where the key is trusted or the service said it
	// replayed it: otherwise the lost create may be a second bill, and
	// stays in the ledger as maybe billed.
	c.KeyUnconfirmed = !v.r.plan.Settings.IdempotencyKey && !task.Replayed
	if err := v.r.charge(ctx, c); err != nil {
		return err
	}
	v.charged, v.chargedEstimate = cost, c.Estimated
	return nil
}

// uncertainCharge is the ledger line of a create whose answer was lost: it
// may have been billed, at about the estimate.
func (v *video) uncertainCharge() state.Charge {
	c := v.newCharge()
	c.IdempotencyKey, c.RunID, c.Cost = v.entry.IdempotencyKey, v.r.opts.RunID, v.reserved
	c.Uncertain, c.Estimated = true, true
	return c
}

func (v *video) newCharge() state.Charge {
	s := v.r.plan.Settings
	return state.Charge{
		Address: v.ch.Address, Unit: string(s.Unit), Simulated: s.Simulated,
		Provider: s.Provider, Endpoint: s.Endpoint, At: v.r.opts.Now().UTC(),
	}
}

// unreserve gives back the budget of a create that provably bought nothing.
func (v *video) unreserve() {
	v.r.adjust(-v.reserved)
	v.reserved = 0
}

func (v *video) acquireSlot(ctx context.Context) bool {
	if v.holdsSlot || v.r.slots == nil {
		return ctx.Err() == nil
	}
	if len(v.r.slots.sem) == cap(v.r.slots.sem) {
		v.r.emit(Event{Kind: EventSlotWait, Address: v.ch.Address})
	}
	waited, err := v.r.slots.acquire(ctx)
	v.res.SlotWaitSeconds += waited.Seconds()
	if err != nil {
		return false
	}
	v.holdsSlot = true
	return true
}

func (v *video) releaseSlot() {
	if v.holdsSlot {
		v.holdsSlot = false
		v.r.slots.release()
	}
}

// errorClass is ltx.ErrorClass, the one classifier, for an error it knows.
func errorClass(err error) ltx.Class {
	c, _ := ltx.ErrorClass(err)
	return c
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
	switch errorClass(e) {
	case ltx.ClassRunFatal:
		why := "the API refuses this key"
		if e.StatusCode != http.StatusUnauthorized && e.StatusCode != http.StatusForbidden {
			why = e.Message // e.g. a wrong base URL: the message names it
		}
		v.r.abort(fmt.Sprintf("%s on %s: %s", code, v.ch.Address, why), &RunError{Kind: StopRunFatal, Address: v.ch.Address, Err: e})
	case ltx.ClassRunStop:
		v.r.stopCreates(fmt.Sprintf("%s on %s", code, v.ch.Address), &RunError{Kind: StopRunStop, Address: v.ch.Address, Err: e})
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

// inFlight is the row of a video whose task was bought and still runs (or
// waits to be downloaded) when the run stopped: not skipped, resumed later.
func (v *video) inFlight(reason string) {
	v.res.Status = ResultInFlight
	v.res.ErrorMessage = "in flight — will resume: " + reason
	v.r.emit(Event{Kind: EventInFlight, Address: v.ch.Address, TaskID: v.res.TaskID, Message: reason})
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

// suggestion is the provider's suggestion for a code.
func (v *video) suggestion(code string) string {
	p, ok := ltx.LookupProvider(v.r.plan.Settings.Provider)
	if !ok {
		return ""
	}
	if info, ok := p.LookupCode(code); ok {
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
