package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// RunError is what stopped a run early: a run-fatal or run-stop answer of the
// API (Err is then an *ltx.APIError), a state write that failed, or the
// interrupt. Videos that failed on their own are not run errors; they are
// rows of the results.
type RunError struct {
	Kind    StopKind
	Address string // the video whose request met the error; "" for an interrupt
	Err     error
}

// StopKind says why a run stopped; its value is the "kind" of the JSON
// run error.
type StopKind string

const (
	StopRunFatal    StopKind = StopKind(ltx.ClassRunFatal) // an API error that stops every create at once
	StopRunStop     StopKind = StopKind(ltx.ClassRunStop)  // create nothing more; tasks in flight finish
	StopState       StopKind = "state"                     // the state or the ledger could not be written
	StopInterrupted StopKind = "interrupted"               // the user interrupted the run
	// StopUnreachable: no request reached the API (the connection was
	// refused, the name did not resolve, or TLS failed). It is one error
	// for the run, not a failure of each video.
	StopUnreachable StopKind = "unreachable"
)

func (e *RunError) Error() string {
	if e.Address == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%s: %v", e.Address, e.Err)
}

func (e *RunError) Unwrap() error { return e.Err }

// Apply carries out p's changes and returns one result per change, in the
// plan's order, also when the run stops early (the error then says why). A
// video's own failure is in its row, not in the error.
func Apply(ctx context.Context, p *plan.Plan, api API, store state.Store, opts Options) ([]Result, error) {
	opts = opts.withDefaults()
	r := newRun(ctx, p, api, store, opts)
	defer r.holdCreatesForGrace(ctx)()

	results := make([]Result, len(p.Changes))
	r.emit(Event{Kind: EventStart, Total: len(p.Changes)})
	removeStaleParts(p.Dir, outputsToWrite(p))

	workCtx, cancelWork := context.WithCancelCause(ctx)
	defer cancelWork(nil)
	r.cancelWork = cancelWork
	g, gctx := errgroup.WithContext(workCtx)
	g.SetLimit(opts.Parallelism)

	for i := range p.Changes {
		ch := &p.Changes[i]
		if res, settled := r.settle(ctx, ch); settled {
			results[i] = res
			continue
		}
		if reason := r.blocked(gctx, ch); reason != "" {
			results[i] = r.skip(ch, reason)
			continue
		}
		g.Go(func() error {
			// The slot may have been waited for while the run stopped.
			if reason := r.blocked(gctx, ch); reason != "" {
				results[i] = r.skip(ch, reason)
				return nil
			}
			v := newVideo(r, ch)
			v.run(gctx)
			results[i] = v.res
			return nil
		})
	}
	_ = g.Wait()
	err := r.runError(ctx)
	r.emit(Event{Kind: EventDone})
	return results, err
}

func newRun(ctx context.Context, p *plan.Plan, api API, store state.Store, opts Options) *run {
	r := &run{
		requestCtx:  ctx,
		plan:        p,
		api:         api,
		store:       store,
		opts:        opts,
		lim:         newLimiter(opts.RequestsPerMinute),
		est:         newEstimator(opts.PollPrior),
		slots:       newSlots(p.Settings.MaxConcurrentTasks),
		budget:      p.Totals.MaxCost,
		taskTimeout: p.Settings.TaskTimeout(),
	}
	if opts.TaskTimeout > 0 {
		r.taskTimeout = opts.TaskTimeout
	}
	return r
}

// holdCreatesForGrace sets the run's createCtx: creates already on the wire
// outlive the interrupt by CreateGrace, so that the answer saying what was
// bought is read and recorded; only then are they cut (and left uncertain).
// The returned func releases the timer and must run when Apply returns.
func (r *run) holdCreatesForGrace(ctx context.Context) func() {
	createCtx, cancelCreates := context.WithCancel(context.WithoutCancel(ctx))
	var graceMu sync.Mutex
	var grace *time.Timer
	stopGrace := context.AfterFunc(ctx, func() {
		graceMu.Lock()
		grace = time.AfterFunc(r.opts.CreateGrace, cancelCreates)
		graceMu.Unlock()
	})
	r.createCtx = createCtx
	return func() {
		stopGrace()
		graceMu.Lock()
		if grace != nil {
			grace.Stop()
		}
		graceMu.Unlock()
		cancelCreates()
	}
}

// outputsToWrite are the files the plan may write, whose stale partial
// downloads are cleared before the run.
func outputsToWrite(p *plan.Plan) []string {
	outputs := make([]string, 0, len(p.Changes))
	for i := range p.Changes {
		if a := p.Changes[i].Action; a != plan.ActionNoOp && a != plan.ActionForget && a != plan.ActionUncertain && a != plan.ActionAltered && a != plan.ActionParked && a != plan.ActionElsewhere && a != plan.ActionMismatch {
			outputs = append(outputs, p.Changes[i].Output)
		}
	}
	return outputs
}

// settle gives the row of a change that sends nothing to the service, and
// false for one that needs a worker.
func (r *run) settle(ctx context.Context, ch *plan.Change) (Result, bool) {
	switch ch.Action {
	case plan.ActionNoOp, plan.ActionAltered:
		r.emit(Event{Kind: EventUnchanged, Address: ch.Address})
		row := unchangedRow(ch)
		if ch.MovedFrom != "" && ch.Action == plan.ActionNoOp {
			row.Status = ResultMoved // a move, made durable before the run (command/state_mv.go)
		}
		return row, true
	case plan.ActionParked:
		r.emit(Event{Kind: EventUnchanged, Address: ch.Address, Message: ch.Reason})
		return parkedRow(ch), true
	case plan.ActionMismatch:
		res := mismatchRow(ch)
		r.emit(Event{Kind: EventFailed, Address: ch.Address, TaskID: res.TaskID, RequestID: res.RequestID, ErrorCode: res.ErrorCode, Message: ch.Reason})
		return res, true
	case plan.ActionForget:
		return r.forget(ctx, ch), true
	case plan.ActionUncertain:
		r.emit(Event{Kind: EventUncertain, Address: ch.Address, Message: ch.Reason})
		return uncertainRow(ch), true
	case plan.ActionElsewhere:
		// Its file is on another host and cannot be fetched here:
		// nothing to send, nothing to buy without -replace. Not a
		// failure: a cron job on a second host must not fail for it.
		r.emit(Event{Kind: EventUnchanged, Address: ch.Address, Message: ch.Reason})
		return unchangedRow(ch), true
	}
	return Result{}, false
}

// run is one Apply's shared machinery.
type run struct {
	requestCtx context.Context // the caller's: ends a poll or download in flight on interrupt
	createCtx  context.Context // ends a create in flight CreateGrace after the interrupt
	plan       *plan.Plan
	api        API
	store      state.Store
	opts       Options
	lim        *limiter
	est        *estimator
	cancelWork context.CancelCauseFunc
	slots      *slots
	// budget caps what this run's creates may commit, retries included (0:
	// no budget); committed is what they have, in the plan's unit.
	budget      float64
	taskTimeout time.Duration

	// answered: some request of this run had an answer from the server.
	answered atomic.Bool

	mu         sync.Mutex
	stopReason string    // why no new create may start; "" while they may
	stopErr    *RunError // the run-fatal, run-stop or state error, first one wins

	committed money.Amount // exact: $0.09 + $0.20 is within $0.29
}

// commit reserves cost for one more create against the budget; it refuses
// (and stops creating) when the create would take the run over it.
func (r *run) commit(address string, cost float64) bool {
	r.mu.Lock()
	over := r.budget > 0 && r.committed+money.FromFloat(cost) > money.FromFloat(r.budget)
	ledgerStop := ""
	if !over {
		ledgerStop = r.ledgerRefuses(address, cost)
	}
	if !over && ledgerStop == "" {
		r.committed += money.FromFloat(cost)
	}
	committed := r.committed.Float()
	r.mu.Unlock()
	if ledgerStop != "" {
		r.stopCreates(ledgerStop, nil)
		return false
	}
	if over {
		unit := r.plan.Settings.Unit
		r.stopCreates(fmt.Sprintf("the budget of %s would be exceeded: this run has committed %s, and %s would add %s",
			plan.FormatCost(r.budget, unit), plan.FormatCost(committed, unit), address, plan.FormatCost(cost, unit)), nil)
	}
	return !over
}

// overBudget says why one more create of cost would take the run over its
// budget, or "" when it fits (commit then reserves it).
func (r *run) overBudget(cost float64) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.budget > 0 && r.committed+money.FromFloat(cost) > money.FromFloat(r.budget) {
		unit := r.plan.Settings.Unit
		return fmt.Sprintf("the budget of %s would be exceeded (this run has committed %s)", plan.FormatCost(r.budget, unit), plan.FormatCost(r.committed.Float(), unit))
	}
	return r.ledgerRefuses("a retry", cost)
}

// adjust corrects a reservation once the service says what a task cost.
func (r *run) adjust(delta float64) {
	r.mu.Lock()
	r.committed += money.FromFloat(delta)
	r.mu.Unlock()
}

func (r *run) emit(e Event) {
	e.Time = r.opts.Now()
	r.opts.Sink.Event(e)
}

// stopCreates lets no new create start. err is nil for -fail-fast.
func (r *run) stopCreates(reason string, err *RunError) {
	r.mu.Lock()
	first := r.stopReason == ""
	if first {
		r.stopReason = reason
	}
	if err != nil && r.stopErr == nil {
		r.stopErr = err
	}
	r.mu.Unlock()
	if first {
		r.emit(Event{Kind: EventRunStop, Message: reason})
	}
}

// abort stops the run at once: nothing new starts and polling ends; what is
// in flight stays recorded as it is (a created task is resumed next run).
func (r *run) abort(reason string, err *RunError) {
	r.stopCreates(reason, err)
	r.cancelWork(err)
}

func (r *run) createsStopped() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopReason
}

// blocked says why ch may not start now, or "".
func (r *run) blocked(ctx context.Context, ch *plan.Change) string {
	if ctx.Err() != nil {
		if reason := r.createsStopped(); reason != "" {
			return reason
		}
		return "interrupted before it started"
	}
	if needsCreate(ch) {
		return r.createsStopped()
	}
	return ""
}

func (r *run) runError(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopErr != nil {
		return r.stopErr
	}
	if ctx.Err() != nil {
		return &RunError{Kind: StopInterrupted, Err: fmt.Errorf("interrupted: %w", ctx.Err())}
	}
	return nil
}

// record makes e durable. It runs even after an interrupt, so that what is
// in flight is written down; a failure stops the run, since nothing after it
// could be accounted for.
func (r *run) record(ctx context.Context, e state.Entry) error {
	e.UpdatedAt = r.opts.Now().UTC()
	if err := r.store.Record(context.WithoutCancel(ctx), e); err != nil {
		err = fmt.Errorf("writing the state: %w", err)
		r.abort("the state could not be written", &RunError{Kind: StopState, Address: e.Address, Err: err})
		return err
	}
	// A store that lost its database keeps e locally, but no new create may
	// be sent: polls and downloads of what is in flight go on.
	if d, ok := r.store.(degradable); ok {
		if err := d.Degraded(); err != nil {
			r.stopCreates(err.Error(), &RunError{Kind: StopState, Err: err})
		}
	}
	return nil
}

// degradable is a store that can lose its database mid-run and keep the
// transitions locally (the pg store): Degraded says so, nil while it may
// not have.
type degradable interface {
	Degraded() error
}

// charge writes one ledger line durably; like record, a failure stops the
// run, since what it buys next could not be accounted for.
func (r *run) charge(ctx context.Context, c state.Charge) error {
	if err := r.store.Charge(context.WithoutCancel(ctx), c); err != nil {
		err = fmt.Errorf("writing the ledger: %w", err)
		r.abort("the ledger could not be written", &RunError{Kind: StopState, Address: c.Address, Err: err})
		return err
	}
	return nil
}

func (r *run) forget(ctx context.Context, ch *plan.Change) Result {
	row := Result{Address: ch.Address, Status: ResultForgotten, Output: ch.Output}
	if err := r.store.Remove(context.WithoutCancel(ctx), ch.Address); err != nil {
		err = fmt.Errorf("writing the state: %w", err)
		r.abort("the state could not be written", &RunError{Kind: StopState, Address: ch.Address, Err: err})
		row.Status = ResultFailed
		row.ErrorMessage = err.Error()
		r.emit(Event{Kind: EventFailed, Address: ch.Address, Message: row.ErrorMessage})
		return row
	}
	r.emit(Event{Kind: EventForgotten, Address: ch.Address})
	return row
}

func (r *run) skip(ch *plan.Change, reason string) Result {
	row := Result{
		Address:       ch.Address,
		Status:        ResultSkipped,
		ErrorMessage:  "skipped: " + reason,
		CostEstimated: ch.Cost,
		Output:        ch.Output,
		Request:       askedOf(ch),
	}
	if ch.Prior != nil {
		row.TaskID = ch.Prior.TaskID
		row.Attempts = ch.Prior.Attempts
	}
	r.emit(Event{Kind: EventSkipped, Address: ch.Address, Message: reason})
	return row
}

// parkedRow is a video the service refused for good, not sent again.
func parkedRow(ch *plan.Change) Result {
	row := unchangedRow(ch)
	row.Status = ResultParked
	row.ErrorMessage = ch.Reason
	if ch.Prior != nil {
		row.ErrorCode = ch.Prior.ErrorCode
	}
	return row
}

func uncertainRow(ch *plan.Change) Result {
	row := Result{Address: ch.Address, Status: ResultUncertain, Output: ch.Output, CostEstimated: ch.Cost, ErrorMessage: ch.Reason, Request: askedOf(ch)}
	if ch.Prior != nil {
		row.Attempts = ch.Prior.Attempts
	}
	return row
}

func unchangedRow(ch *plan.Change) Result {
	row := Result{Address: ch.Address, Status: ResultUnchanged, Output: ch.Output, Request: askedOf(ch)}
	if ch.Prior != nil {
		row.TaskID = ch.Prior.TaskID
		row.RequestID = ch.Prior.RequestID
		row.Attempts = ch.Prior.Attempts
	}
	return row
}

// askedOf is the request of a change as records keep it, sensitive values
// hidden; nil for a change with none (an entry gone from the manifest).
func askedOf(ch *plan.Change) *ltx.CreateRequest {
	if ch.Request.Prompt == "" && ch.Request.ImageURL == "" {
		return nil
	}
	asked := ch.Redacted().Request
	return &asked
}

// needsCreate tells the changes that send a create from those that only poll
// or download what already exists.
func needsCreate(ch *plan.Change) bool {
	switch ch.Action {
	case plan.ActionCreate, plan.ActionReplace, plan.ActionRetry:
		return true
	case plan.ActionResume:
		return ch.Prior == nil || (ch.Prior.Status != state.StatusCreated &&
			ch.Prior.Status != state.StatusCompleted && ch.Prior.Status != state.StatusDownloaded)
	}
	return false
}

var errNoVideoURL = errors.New("the state has no video_url for this address")
