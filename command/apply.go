package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

const applyUsage = "[-auto-approve] [-parallelism N] [-json] [-simulate] [-fail-fast] [-max-cost N] [-retry-uncertain] [-target ADDR]... [-replace ADDR]... [-endpoint URL] [-var NAME=VALUE]... [-var-file FILE]... [-lock=false] [-lock-timeout D] [-workspace NAME] [-report FILE] [DIR | PLANFILE]"

// approvalPrompt is asked before anything is sent, unless -auto-approve.
const approvalPrompt = "Do you want to perform these actions? Only 'yes' will be accepted: "

// runApply creates, polls and downloads the videos of a plan: built from the
// manifest now, or loaded from a saved plan file that must still be fresh.
// It exits 0 only when every video ends completed or unchanged.
func runApply(ctx context.Context, env *Env, args []string) (err error) {
	fs := newFlagSet(env, "apply", applyUsage)
	autoApprove := fs.Bool("auto-approve", false, "apply without asking for confirmation")
	parallelism := fs.Int("parallelism", 0, "videos in flight at once (default: the manifest's api.parallelism)")
	jsonOut := fs.Bool("json", false, "stream JSON-lines events and the results instead of human output (needs -auto-approve)")
	simulate := fs.Bool("simulate", false, "run against the built-in simulator on a loopback port: no key, no credits, real files")
	failFast := fs.Bool("fail-fast", false, "start no new video after the first one fails")
	reportFile := fs.String("report", "", "after the run, write its HTML report to `FILE` (as ltxform report -o FILE)")
	pf := addPlanFlags(fs, "apply")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	arg, err := oneOptionalArg(fs)
	if err != nil {
		return err
	}
	view := newApplyView(env, *jsonOut)
	defer func() { err = view.finish(err) }()
	if *parallelism < 0 {
		return &UsageError{Msg: "-parallelism must be at least 1"}
	}
	if !pf.lock.enabled {
		// Two applies without the lock interleave their writes and may both
		// buy the same videos: the flag is for looking, not for spending.
		return &UsageError{Msg: "apply writes the state and buys videos, so it always takes the lock: -lock=false is for read-only commands (plan, show, state list)"}
	}
	if *jsonOut && !*autoApprove {
		return &UsageError{Msg: "-json needs -auto-approve: there is no one to answer the question in JSON mode"}
	}

	planFile := ""
	dir := env.ManifestDir(arg)
	if arg != "" {
		if fi, err := os.Stat(arg); err == nil && fi.Mode().IsRegular() {
			planFile, dir = arg, ""
		}
	}
	var saved *plan.Plan
	if planFile != "" {
		if len(pf.targets) > 0 || len(pf.replace) > 0 {
			return &UsageError{Msg: "-target and -replace belong to the plan: make a new one with \"ltxform plan -out FILE\""}
		}
		if saved, err = plan.Load(planFile); err != nil {
			return err
		}
		dir = saved.Dir
	}

	store, err := openStore(ctx, env, dir, *pf.lock.workspace)
	if err != nil {
		return err
	}
	defer store.Close()
	unlock, err := pf.lock.acquire(ctx, store, "apply")
	if err != nil {
		return err
	}
	defer unlock()

	p := saved
	if p == nil {
		opts := pf.options(env)
		opts.Simulated = *simulate
		if p, _, err = buildPlan(ctx, env, store, dir, pf.vars, opts, *jsonOut); err != nil {
			return err
		}
	} else if p, err = checkSavedPlan(ctx, env, store, p, pf.vars, *pf.maxCost, *jsonOut); err != nil {
		return err
	}

	if !p.HasChanges() {
		// Nothing is sent, but the run is recorded all the same, so that the
		// history of a cron job has every night in it. No-op rows need no API.
		now := time.Now()
		runID := state.NewRunID(now)
		if err := closeKilledRuns(ctx, view, store, p, runID); err != nil {
			return err
		}
		results, _ := executor.Apply(ctx, p, nil, store, executor.Options{RunID: runID})
		run := withSettings(newRunRecord(now, now, results, nil), p)
		run.ID = runID
		if err := store.SaveRun(ctx, run); err != nil {
			return fmt.Errorf("saving the run record: %w", err)
		}
		// Nothing to send; the plan view still lists what needs a decision
		// (uncertain, parked, altered by hand), or says there is nothing.
		return view.Plan(env, p)
	}
	if err := view.Plan(env, p); err != nil {
		return err
	}

	settings := p.Settings
	if *parallelism > 0 {
		settings.Parallelism = *parallelism
	}
	var api executor.API
	if !*simulate && needsAPI(p) {
		client, err := newClient(env, settings, p.Dir)
		if err != nil {
			return err
		}
		api = client
	}

	// A saved plan was reviewed when it was made, as in Terraform.
	if !*autoApprove && planFile == "" {
		if !env.StdinIsTerminal || env.NoInput {
			why := "stdin is not a terminal, so nobody can answer"
			if env.NoInput {
				why = "-input=false forbids asking"
			}
			view.NobodyToAsk(why)
			return ErrReported
		}
		if !view.AskApproval(ctx) {
			view.Cancelled()
			return ErrReported
		}
	}

	if *simulate {
		ls, err := startSimulator(settings.Provider)
		if err != nil {
			return err
		}
		defer ls.Close()
		api = ls.client(settings.Parallelism, p.Dir)
		view.Simulating(ls.url)
	}

	// The state's lineage is part of every Idempotency-Key: a new state
	// gets one, durably, before its first create.
	if p.StateLineage, err = store.EnsureLineage(ctx); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	// Moved blocks re-address the state (and rename files) before anything
	// is sent (command/state_mv.go).
	var say func(string)
	if !*jsonOut {
		say = func(line string) { fmt.Fprintln(env.Stdout, line) }
	}
	if err := applyPlannedMoves(ctx, store, p, say); err != nil {
		return err
	}

	opts := executor.Options{
		Parallelism:       settings.Parallelism,
		RequestsPerMinute: settings.RequestsPerMinute,
		MaxAttempts:       settings.MaxAttempts,
		FailFast:          *failFast,
	}
	if *simulate {
		// The simulator's tasks take under a second: learn that at once.
		opts.ScoutStart = simulatedLatency
		opts.PollCap = 2 * time.Second
	}
	sink := view.Progress(p, settings.Parallelism)
	opts.Sink = sink

	// The record is opened before anything is sent, so that a run killed
	// outright is still listed, with what the ledger says it bought.
	started := time.Now()
	runID := state.NewRunID(started)
	if err := closeKilledRuns(ctx, view, store, p, runID); err != nil {
		return err
	}
	opened := withSettings(&state.Run{ID: runID, Started: started.UTC(), Status: state.RunRunning, PID: os.Getpid(), Host: state.Hostname()}, p)
	if err := store.SaveRun(ctx, opened); err != nil {
		return fmt.Errorf("opening the run record: %w", err)
	}
	opts.RunID = runID
	stopInterruptNotice := context.AfterFunc(ctx, sink.Interrupted)
	results, runErr := executor.Apply(ctx, p, api, store, opts)
	stopInterruptNotice()
	sink.Close()
	finished := time.Now()

	run := withSettings(newRunRecord(started, finished, results, runErr), p)
	run.ID, run.PID, run.Host = runID, opened.PID, opened.Host
	// The interrupt must not stop the bookkeeping that lets the next run resume.
	bg := context.WithoutCancel(ctx)
	var bookkeeping []error
	if err := store.Checkpoint(bg); err != nil {
		bookkeeping = append(bookkeeping, fmt.Errorf("writing the state snapshot: %w", err))
	}
	if err := store.SaveRun(bg, run); err != nil {
		bookkeeping = append(bookkeeping, fmt.Errorf("saving the run record: %w", err))
	} else if *reportFile != "" {
		bookkeeping = append(bookkeeping, writeApplyReport(bg, env, store, dir, run, *reportFile)...)
	}
	if err := view.Results(run, runErr); err != nil {
		return err
	}
	for _, err := range bookkeeping {
		view.Error(err)
	}
	switch {
	case len(bookkeeping) > 0 || run.ExitCode == ExitRunError:
		return ErrReported
	case run.ExitCode == ExitSomeVideosFailed:
		return ErrSomeVideosFailed
	}
	return nil
}

// checkSavedPlan refuses a plan file made against another manifest or state,
// or over the -max-credits given now. The manifest is evaluated again with
// the -var values given now: a plan keeps no variable values (they may be
// sensitive), so the same ones must be given to apply as to plan.
//
// The plan is then made again from them with the options it was made with,
// and must be the same: an edited plan file is refused, and what runs is the
// plan made now, never the file's own word.
func checkSavedPlan(ctx context.Context, env *Env, store state.Store, p *plan.Plan, vf *varFlags, maxCredits float64, jsonOut bool) (*plan.Plan, error) {
	m, err := loadManifest(env, p.Dir, vf, jsonOut)
	if err != nil {
		return nil, err
	}
	st, err := loadState(ctx, store)
	if err != nil {
		return nil, err
	}
	if err := plan.CheckFresh(p, m, st); err != nil {
		return nil, err
	}
	remade, _ := plan.BuildContext(ctx, m, st, plan.OptionsOf(p))
	if err := plan.CheckSame(p, remade); err != nil {
		return nil, err
	}
	if maxCredits > 0 && remade.Totals.Credits > maxCredits {
		return nil, fmt.Errorf("the saved plan is estimated at %s, over -max-cost %s",
			plan.FormatCost(remade.Totals.Credits, remade.Settings.Unit), plan.FormatCost(maxCredits, remade.Settings.Unit))
	}
	return remade, nil
}

// needsAPI: forgetting entries is bookkeeping, and needs no key.
func needsAPI(p *plan.Plan) bool {
	for i := range p.Changes {
		if a := p.Changes[i].Action; a != plan.ActionNoOp && a != plan.ActionForget && a != plan.ActionMove {
			return true
		}
	}
	return false
}

// newRunRecord sums a run's rows for its record and its exit code.
func newRunRecord(started, finished time.Time, results []executor.Result, runErr error) *state.Run {
	run := &state.Run{
		ID:       state.NewRunID(started),
		Started:  started.UTC(),
		Finished: finished.UTC(),
		Counts:   map[string]int{},
		Results:  results,
	}
	for _, r := range results {
		run.Counts[string(r.Status)]++
		run.CreditsEstimated += r.CreditsEstimated
		run.CreditsConsumed += r.CreditsConsumed
		switch r.Status {
		case state.ResultCompleted, state.ResultUnchanged, state.ResultForgotten, state.ResultParked:
			// A parked video waits for a change of the manifest: a nightly
			// run is not a failure because of it (plan lists it).
		default:
			run.ExitCode = ExitSomeVideosFailed
		}
	}
	run.Status = state.RunCompleted
	if run.ExitCode != 0 {
		run.Status = state.RunFailed
	}
	if runErr != nil {
		run.ExitCode = ExitRunError
		run.Message = runErrorText(runErr)
		run.Status = state.RunStopped
		var re *executor.RunError
		if errors.As(runErr, &re) && re.Kind == "interrupted" {
			run.Status = state.RunInterrupted
		}
	}
	return run
}

// closeKilledRuns finds the run records left running by an apply that never
// finished (we hold the lock, so none is at work), marks them killed with
// what the ledger says they bought, and says that this run resumes what
// they left in flight.
func closeKilledRuns(ctx context.Context, view *applyView, store stateStore, p *plan.Plan, runID string) error {
	runs, _ := store.ListRuns(ctx) // an unreadable record is runs' business, not apply's
	var killed []*state.Run
	for _, r := range runs {
		if r.Unfinished() && r.ID != runID {
			killed = append(killed, r)
		}
	}
	if len(killed) == 0 {
		return nil
	}
	ledger, err := store.Charges(ctx)
	if err != nil {
		return fmt.Errorf("reading the ledger: %w", err)
	}
	for _, r := range killed {
		paid := ledger.ForRun(r.ID)
		killedAt := r.Started
		for _, c := range paid {
			if c.At.After(killedAt) {
				killedAt = c.At
			}
		}
		inFlight := 0
		for i := range p.Changes {
			e := p.Changes[i].Prior
			if e == nil || e.RunID != r.ID {
				continue
			}
			if e.UpdatedAt.After(killedAt) {
				killedAt = e.UpdatedAt
			}
			switch e.Status {
			case state.StatusPending, state.StatusCreated, state.StatusCompleted:
				inFlight++
			}
		}
		spend := paid.Spend()
		unit := runUnit(r)
		r.Status, r.ExitCode, r.ResumedBy = state.RunKilled, 1, runID
		r.Finished = killedAt.UTC()
		r.CreditsConsumed = spend.ByUnit[string(unit)]
		if r.Cost != nil {
			r.Cost.Total = r.CreditsConsumed
		}
		r.Message = fmt.Sprintf("killed before it finished (last sign of life %s): it paid for %s; run %s resumed %s in flight",
			stateTime(killedAt), plural(spend.Tasks, "task", "tasks"), runID, plural(inFlight, "task", "tasks"))
		if err := store.SaveRun(ctx, r); err != nil {
			return fmt.Errorf("closing the record of killed run %s: %w", r.ID, err)
		}
		if err := view.Resuming(r.ID, killedAt, inFlight, spend, unit); err != nil {
			return err
		}
	}
	return nil
}

// withSettings notes in a run record who was asked and in which unit its
// figures are.
func withSettings(run *state.Run, p *plan.Plan) *state.Run {
	run.Provider, run.Endpoint, run.Simulated = p.Settings.Provider, p.Settings.Endpoint, p.Settings.Simulated
	run.Cost = &state.Cost{Unit: string(p.Settings.Unit), Total: run.CreditsConsumed, Estimated: run.CreditsEstimated}
	return run
}
