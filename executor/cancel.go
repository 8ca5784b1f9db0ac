package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/ltxform/ltxform/ltx"
)

// canceller is the part of *ltx.Client that cancels a task; an API without
// it (a test's fake) cancels nothing.
type canceller interface {
	Cancel(ctx context.Context, ref ltx.TaskRef) error
}

// cancelTimeout bounds the status check and cancel sent after an interrupt.
const cancelTimeout = 10 * time.Second

// cancelQueued is the interrupt's way with a task that has not started: on
// a provider that cancels queued tasks (fal), a task still queued when
// checked once more is cancelled, and since it never started nothing was
// bought; the state goes back to what the plan found, so the next apply
// creates it. It reports whether it did so; otherwise the task stays in
// flight, to be resumed.
func (v *video) cancelQueued(ctx context.Context, taskID string) bool {
	p, ok := ltx.LookupProvider(v.r.plan.Settings.Provider)
	c, can := v.r.api.(canceller)
	if !ok || !can || !p.Capabilities.CancelQueued || v.lastStatus != ltx.StatusQueued || !v.paidHere {
		return false
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	ref := ltx.TaskRef{ID: taskID, Mode: v.ch.Mode, URLs: v.entry.TaskURLs}
	// Checked again at once: a task that started since the last poll may
	// be billed, and is left to finish.
	if now, err := v.r.api.GetTask(cctx, ref); err != nil || now.Status != ltx.StatusQueued {
		return false
	}
	if err := c.Cancel(cctx, ref); err != nil {
		return false
	}
	charge := v.newCharge()
	charge.TaskID, charge.IdempotencyKey, charge.RunID = taskID, v.entry.IdempotencyKey, v.r.opts.RunID
	if v.r.charge(cctx, charge) != nil { // cost 0: the task never started
		v.stateFailed()
		return true
	}
	v.res.TasksPaid--
	v.res.CostConsumed = v.spent
	v.unreserve()
	v.unrecord(ctx)
	v.res.Status = ResultSkipped
	v.res.ErrorMessage = fmt.Sprintf("skipped: %s while task %s was queued; it was cancelled before it started, nothing was bought, and the next apply creates it", v.stopWord(ctx), taskID)
	v.r.emit(Event{Kind: EventSkipped, Address: v.ch.Address, TaskID: taskID, Message: v.res.ErrorMessage})
	return true
}
