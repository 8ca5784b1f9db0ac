package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ltxform/ltxform/ltx"
)

// firstPollMargin puts the first poll of a learned bucket just after the
// expected completion, so that it usually finds the task done.
const firstPollMargin = 1.05

// minPollInterval keeps a task's polls apart however early its progress says
// it will finish.
const minPollInterval = 20 * time.Millisecond

// errTaskTimeout ends the polling of a task that runs past the task timeout.
var errTaskTimeout = errors.New("gave up on the task")

// poll asks for taskID until it is completed or failed. The first poll waits
// for the expected completion time (learned, else the prior; the first tasks
// of a bucket scout early), later ones follow the API's progress or back
// off ×1.5 up to the cap. It returns the final task or the error that ended
// polling.
func (v *video) poll(ctx context.Context, taskID string, created time.Time) (*ltx.Task, error) {
	following := time.Now()
	key := bucketKey{v.ch.Request.Resolution, v.ch.Request.Duration}
	est := v.r.est
	scouting, release := est.scout(key)
	defer release()

	due, err := v.waitFirstPoll(ctx, key, created, scouting)
	if err != nil {
		return nil, err
	}
	ceiling := v.r.pollCeiling()
	interval := min(v.r.opts.ScoutStart, ceiling)
	if expected, learned, _ := est.expect(key); learned {
		// Found unfinished just after its learned end, a task is nearly
		// done: ask again after a tenth of the estimate (a scout interval
		// is longer than a short task; a minute's task waits the ceiling).
		interval = min(ceiling, max(expected/10, minPollInterval))
	}
	var lastPending time.Duration // elapsed at the last poll that found the task unfinished
	var lastAt time.Duration      // elapsed at the last progress reading
	var lastProgress float64      // that reading (0: none yet)
	for {
		var sent time.Time // after the limiter's wait: when the poll left
		out := v.r.call(ctx, v.ch.Address, callPoll, func(ctx context.Context) (*ltx.Task, error) {
			sent = time.Now()
			return v.r.api.GetTask(ctx, ltx.TaskRef{ID: taskID, Mode: v.ch.Mode, URLs: v.entry.TaskURLs})
		})
		if out.err != nil {
			return nil, out.err
		}
		task := out.task
		v.lastStatus = task.Status
		// Measured at the send, not the answer: a sample that included the
		// round trip would push every later first poll a little later, and
		// the estimate would creep up without end.
		elapsed := sent.Sub(created)
		switch task.Status {
		case ltx.StatusCompleted, ltx.StatusFailed:
			if !v.resumed {
				est.observe(key, endedSample(elapsed, due.Sub(created), lastPending))
			}
			return task, nil
		}
		lastPending = elapsed
		// Each apply follows a task for at most the task timeout, counted
		// from when this run began to follow it (a resumed task was made
		// by an earlier run and may have waited for us since): apply ends.
		if v.r.taskTimeout > 0 && time.Since(following) > v.r.taskTimeout {
			return nil, fmt.Errorf("%w: not finished after %s of polling in this run", errTaskTimeout, v.r.taskTimeout)
		}
		v.r.emit(Event{Kind: EventProgress, Address: v.ch.Address, TaskID: taskID, RequestID: task.RequestID, Progress: task.Progress})

		next := nextPollGap(interval, elapsed, ceiling)
		if p := task.Progress; p != nil && *p > 0 && *p < 100 {
			total, measured := progressEnd(elapsed, *p, lastAt, lastProgress)
			if measured && !v.resumed {
				est.observe(key, total)
			}
			// Progress only ever brings the next poll sooner.
			next = min(next, max(total-elapsed, minPollInterval))
			lastAt, lastProgress = elapsed, *p
		}
		interval = next
		if err := sleep(ctx, next); err != nil {
			return nil, err
		}
	}
}

// endedSample is when a task that ended between the last two polls
// (elapsed is the last one's send) is taken to have ended. Without a lower
// bound (lastPending: no poll found it unfinished), guess well before the
// poll: the estimate then shrinks until a poll finds the task unfinished,
// whose progress says how long it really takes. The bound is the planned
// time of the first poll (firstDue), not when it left: a busy machine's
// lateness would otherwise feed back into the estimate and push it up on
// every task.
func endedSample(elapsed, firstDue, lastPending time.Duration) time.Duration {
	if lastPending > 0 {
		return (lastPending + elapsed) / 2
	}
	return min(elapsed, firstDue) * 85 / 100
}

// progressEnd is when a task at progress p (percent), elapsed after its
// create, will end. Two readings give the rate of the work itself (measured:
// true); one reading alone, read as linear from the create, counts the
// time queued as work and guesses late, so it only hurries a poll and
// teaches the estimator nothing.
func progressEnd(elapsed time.Duration, p float64, lastAt time.Duration, lastP float64) (total time.Duration, measured bool) {
	if lastP > 0 && p > lastP && elapsed > lastAt {
		perPercent := float64(elapsed-lastAt) / (p - lastP)
		return elapsed + time.Duration((100-p)*perPercent), true
	}
	return time.Duration(float64(elapsed) * 100 / p), false
}

// nextPollGap is the wait after a poll that found the task unfinished, age
// after its create: the last gap ×1.5, but never more than a quarter of the
// age (a task is noticed at most 25% after its end) nor the ceiling.
func nextPollGap(last, age, ceiling time.Duration) time.Duration {
	return min(time.Duration(float64(last)*1.5), ceiling, max(age/4, minPollInterval))
}

// defaultPollInterval is the time between polls that Lightricks recommends
// ("poll every 5 s"), for a service that recommends none.
const defaultPollInterval = 5 * time.Second

// pollCeiling is the longest wait between two polls: the service's
// recommended interval, within PollCap.
func (r *run) pollCeiling() time.Duration {
	d := defaultPollInterval
	if p, ok := ltx.LookupProvider(r.plan.Settings.Provider); ok && p.Capabilities.PollInterval > 0 {
		d = p.Capabilities.PollInterval
	}
	return min(d, r.opts.PollCap)
}

// waitFirstPoll sleeps until the first poll is due, moving the deadline
// whenever the bucket learns a better estimate. A resumed task (made by an
// earlier run, maybe long finished) is polled at once. A bucket's first
// tasks (scouts) poll within ScoutStart, well inside the service's
// recommended interval, and learn for the others, which wait for that
// lesson (or the prior) and then poll just after the expected end: one
// poll a video. (Had every task polled by the recommended interval, 40
// one-minute tasks at once cost 16.6 requests a video, measured.)
func (v *video) waitFirstPoll(ctx context.Context, key bucketKey, created time.Time, scouting bool) (time.Time, error) {
	if v.resumed {
		return time.Now(), ctx.Err()
	}
	for {
		expected, learned, changed := v.r.est.expect(key)
		due := created.Add(expected)
		switch {
		case learned:
			due = created.Add(time.Duration(float64(expected) * firstPollMargin))
		case scouting:
			due = created.Add(min(v.r.opts.ScoutStart, expected, v.r.pollCeiling()))
		}
		wait := time.Until(due)
		if wait <= 0 {
			return due, ctx.Err()
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return due, ctx.Err()
		case <-timer.C:
			return due, nil
		case <-changed:
			timer.Stop()
		}
	}
}
