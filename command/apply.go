package command

import (
	"context"
	"errors"
	"fmt"
	"github.com/ltxform/ltxform/internal/money"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

const applyUsage = "[-auto-approve] [-parallelism N] [-json] [-simulate] [-fail-fast] [-max-cost N] [-retry-uncertain] [-target ADDR]... [-replace ADDR]... [-endpoint URL] [-var NAME=VALUE]... [-var-file FILE]... [-lock=false] [-lock-timeout D] [-workspace NAME] [-report FILE] [DIR | PLANFILE [DIR]]"

// approvalPrompt is asked before anything is sent, unless -auto-approve.
const approvalPrompt = "Do you want to perform these actions? Only 'yes' will be accepted: "

// applyArgs are apply's arguments.
type applyArgs struct {
	Common commonArgs
	// Path is the positional argument: a manifest directory or a saved
	// plan file ("" = the current directory); which one is told at run
	// time, by what is there.
	Path string
	// PlanDir is the directory given after a plan file: where the saved
	// plan applies ("" = its own directory relative to the current one).
	PlanDir     string
	AutoApprove bool   // -auto-approve
	Parallelism int    // -parallelism; 0 = the manifest's
	JSON        bool   // -json
	Simulate    bool   // -simulate
	FailFast    bool   // -fail-fast
	Report      string // -report FILE
	Plan        planArgs
}

// parseApply reads apply's command line. The arguments are returned as far
// as they were read even with an error, so that -json tells it as JSON.
func parseApply(args []string) (applyArgs, error) {
	var a applyArgs
	fs := newFlagSet("apply", applyUsage, &a.Common)
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.IntVar(&a.Parallelism, "parallelism", 0, "videos in flight at once (default: the manifest's api.parallelism)")
	fs.BoolVar(&a.JSON, "json", false, "stream JSON-lines events and the results instead of human output (needs -auto-approve)")
	fs.BoolVar(&a.Simulate, "simulate", false, "run against the built-in simulator on a loopback port: no key, no credits, real files")
	fs.BoolVar(&a.FailFast, "fail-fast", false, "start no new video after the first one fails")
	fs.StringVar(&a.Report, "report", "", "after the run, write its HTML report to `FILE` (as ltxform report -o FILE)")
	addPlanFlags(fs, "apply", &a.Plan)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if err := flagsAfterArgs(fs, 1); err != nil {
		return a, err
	}
	switch fs.NArg() {
	case 0:
	case 1:
		a.Path = fs.Arg(0)
	case 2:
		a.Path, a.PlanDir = fs.Arg(0), fs.Arg(1)
	default:
		return a, &UsageError{Msg: "apply takes a directory, or a plan file and an optional directory, got " + strings.Join(fs.Args(), " ")}
	}
	switch {
	case a.Parallelism < 0:
		return a, &UsageError{Msg: "-parallelism must be at least 1"}
	case !a.Plan.Lock.Enabled:
		// Two applies without the lock interleave their writes and may both
		// buy the same videos: the flag is for looking, not for spending.
		return a, &UsageError{Msg: "apply writes the state and buys videos, so it always takes the lock: -lock=false is for read-only commands (plan, show, state list)"}
	case a.JSON && !a.AutoApprove:
		return a, &UsageError{Msg: "-json needs -auto-approve: there is no one to answer the question in JSON mode"}
	}
	return a, nil
}

// runApply creates, polls and downloads the videos of a plan: made from the
// manifest now, or loaded from a saved plan file that must still hold in
// the directory it applies to. It exits 0 only when every video ends
// completed or unchanged.
func runApply(ctx context.Context, env *Env, args []string) (err error) {
	a, err := parseApply(args)
	var help *helpRequested
	if errors.As(err, &help) {
		return err
	}
	a.Common.applyTo(env)
	view := newApplyView(env, a.JSON)
	if err != nil {
		return view.finish(err)
	}
	started := time.Now()
	r := &applyRun{env: env, args: a, view: view, started: started, runID: state.NewRunID(started),
		pipeline: pipeline{env: env, view: view.view, vars: &a.Plan.Vars, lock: a.Plan.Lock, operation: "apply"}}
	// The log's first and last lines name the run, so that a night's log
	// leads to `ltxform runs show`.
	view.Opening(r.runID, started)
	defer func() {
		message := ""
		if untold(err) {
			message = errorText(err)
		}
		err = view.finish(err)
		r.notify(ctx, ExitStatus(err), message)
		view.Closing(r.runID, time.Now(), ExitStatus(err), r.recorded)
	}()
	defer r.close()
	return r.run(ctx)
}

// applyRun is one apply, step by step.
type applyRun struct {
	env  *Env
	args applyArgs
	view *applyView
	pipeline

	dir   string     // the manifest directory applied to
	saved *plan.Plan // the saved plan, when apply was given one

	started  time.Time
	runID    string // named by the log's first line, before the run exists
	recorded bool   // whether the run was saved in the history
	outcome  notifyOutcome
}

// run is apply's sequence of steps: what to apply; the plan (which opens
// and locks the store); the question; the run; the report.
func (r *applyRun) run(ctx context.Context) error {
	if err := r.resolve(); err != nil {
		return err
	}
	p, err := r.plan(ctx)
	if err != nil {
		return err
	}
	if !p.HasChanges() {
		return r.nothingToDo(ctx, p)
	}
	if err := r.view.Plan(p); err != nil {
		return err
	}
	api, err := r.client(p)
	if err != nil {
		return err
	}
	if err := r.confirm(ctx); err != nil {
		return err
	}
	run, runErr, err := r.execute(ctx, p, api)
	if err != nil {
		return err
	}
	if err := r.report(ctx, run, runErr); err != nil {
		return err
	}
	return r.decisionsPending(p)
}

// resolve decides what is applied: the manifest of a directory, or a saved
// plan applied to its directory taken from the current one (or to the
// directory given after it).
func (r *applyRun) resolve() error {
	a := r.args
	r.dir = dirOrCurrent(a.Path)
	if fi, err := os.Stat(a.Path); a.Path == "" || err != nil || !fi.Mode().IsRegular() {
		if a.PlanDir != "" {
			return &UsageError{Msg: fmt.Sprintf("apply takes a second argument only after a plan file, and %s is not one", a.Path)}
		}
		return nil
	}
	if len(a.Plan.Targets) > 0 || len(a.Plan.Replace) > 0 {
		return &UsageError{Msg: "-target and -replace belong to the plan: make a new one with \"ltxform plan -out FILE\""}
	}
	if a.Simulate {
		return &UsageError{Msg: "-simulate does not apply a saved plan: a plan file is the plan for its endpoint, and simulating it would record the simulator's videos as bought there. " +
			"Simulate the manifest with \"ltxform apply -simulate [DIR]\" instead"}
	}
	if a.Plan.Endpoint != "" {
		return &UsageError{Msg: "-endpoint belongs to the plan: make a plan for that endpoint with \"ltxform plan -endpoint URL -out FILE\", then apply that file"}
	}
	saved, err := plan.Load(a.Path)
	if err != nil {
		return err
	}
	if err := checkSavedEndpoint(saved, r.env.Getenv(envAPIURL)); err != nil {
		return err
	}
	r.saved, r.dir = saved, savedPlanDir(saved, a.PlanDir)
	abs, err := filepath.Abs(r.dir)
	if err != nil {
		return err
	}
	r.view.ApplyingSavedPlan(abs, saved.Dir)
	return nil
}

// checkSavedEndpoint refuses a saved plan when LTX_API_URL names another
// service than the one the plan was made for: the plan's endpoint would win
// silently, and the videos be bought where the user did not mean.
func checkSavedEndpoint(saved *plan.Plan, envURL string) error {
	if envURL == "" || saved.Settings.Simulated || plan.SameEndpoint(envURL, saved.Settings.Endpoint) {
		return nil
	}
	return &UsageError{Msg: fmt.Sprintf("the saved plan sends to %s, but %s is %s: a plan file is the plan for its endpoint. "+
		"Make a plan for %s with \"ltxform plan -out FILE\", or unset %s to apply this one",
		saved.Settings.Endpoint, envAPIURL, plan.CanonicalEndpoint(envURL), plan.CanonicalEndpoint(envURL), envAPIURL)}
}

// savedPlanDir is where a saved plan applies: the directory given, else its
// directory relative to where it was made, taken from the current one. A
// plan file from before DirRelative names only its absolute directory.
func savedPlanDir(p *plan.Plan, given string) string {
	switch {
	case given != "":
		return given
	case p.DirRelative != "":
		return filepath.FromSlash(p.DirRelative)
	default:
		return p.Dir
	}
}

// savePlan writes p to path with its directory relative to the current
// one, so that apply can find it again from another checkout.
func savePlan(path string, p *plan.Plan) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	saved := *p
	if rel, err := filepath.Rel(wd, p.Dir); err == nil {
		saved.DirRelative = filepath.ToSlash(rel)
	} // else on another volume: the absolute directory is all there is
	return plan.Save(path, &saved)
}

// plan is the plan to apply: made now from the manifest, or the saved one,
// checked against the manifest and state of the directory and made again.
// After it the store is open and locked.
func (r *applyRun) plan(ctx context.Context) (*plan.Plan, error) {
	if r.saved != nil {
		return r.checkSavedPlan(ctx)
	}
	opts := r.args.Plan.options(r.env)
	opts.Simulated = r.args.Simulate
	opts.Unattended = r.args.AutoApprove
	p, m, diags, err := r.planFromManifest(ctx, r.dir, opts)
	if m != nil {
		r.outcome.blocks = m.Notify
	}
	r.outcome.noteBudget(diags)
	if err == nil && diags.HasErrors() && p.HasChanges() && !r.args.JSON {
		// A plan refused (over budget, say) is shown first, so that the
		// refusal comes after its table and does not scroll away above it.
		if err := r.view.humanPlan().Plan(p, nil); err != nil {
			return nil, err
		}
	}
	r.view.Diagnostics(m.Files, diags)
	if err == nil && diags.HasErrors() {
		err = ErrReported
	}
	return p, err
}

// checkSavedPlan refuses a plan file made against another manifest or
// state than the directory's now, or over the -max-cost given now. The
// manifest is evaluated again with the -var values given now: a plan keeps
// no variable values (they may be sensitive), so the same ones must be
// given to apply as to plan.
//
// The plan is then made again from them with the options it was made with,
// and must be the same: an edited plan file is refused, and what runs is the
// plan made now, never the file's own word.
func (r *applyRun) checkSavedPlan(ctx context.Context) (*plan.Plan, error) {
	m, diags := loadAndCheck(r.env, r.dir, r.vars)
	r.outcome.blocks = m.Notify
	r.view.Diagnostics(m.Files, diags)
	if diags.HasErrors() {
		return nil, ErrReported
	}
	if err := r.open(ctx, m.Dir); err != nil {
		return nil, err
	}
	st, err := r.readState(ctx)
	if err != nil {
		return nil, err
	}
	p := r.saved
	if err := plan.CheckFresh(p, m, st); err != nil {
		return nil, err
	}
	remade, _ := plan.Build(ctx, m, st, plan.OptionsOf(p))
	if err := plan.CheckSame(p, remade); err != nil {
		return nil, err
	}
	if maxCost := r.args.Plan.MaxCost; maxCost > 0 && plan.OverBudget(remade.Totals.Cost, maxCost) {
		r.outcome.budgetStop = true
		flag := r.args.Plan.MaxCostFlag
		if flag == "" {
			flag = "-max-cost"
		}
		return nil, fmt.Errorf("the saved plan is estimated at %s, over %s %s",
			plan.FormatCost(remade.Totals.Cost, remade.Settings.Unit), flag, plan.FormatCost(maxCost, remade.Settings.Unit))
	}
	return remade, nil
}

// nothingToDo ends a run that sends nothing: it is not recorded (a cron
// job's history keeps the nights that did something), killed runs are
// closed, what needs a decision is shown and keeps the exit status 4, and
// -report still writes the page of the latest run that did something.
func (r *applyRun) nothingToDo(ctx context.Context, p *plan.Plan) error {
	if err := closeKilledRuns(ctx, r.view, r.store, p, r.runID); err != nil {
		return err
	}
	if err := r.view.Plan(p); err != nil {
		return err
	}
	if r.args.Report != "" {
		runs, _ := r.store.ListRuns(ctx) // an unreadable record leaves the page to the state
		if err := r.writeReport(ctx, latestRun(runs)); err != nil {
			return err
		}
	}
	return r.decisionsPending(p)
}

// decisionsPending tells the videos that wait on a decision, and makes
// them the exit status 4 of every apply until they are settled.
func (r *applyRun) decisionsPending(p *plan.Plan) error {
	ds := awaitingDecision(p)
	r.outcome.decisions = len(ds)
	if len(ds) == 0 {
		return nil
	}
	r.view.tellDecisions(ds, ExitSomeVideosFailed)
	return ErrSomeVideosFailed
}

// settings are the plan's api settings with -parallelism.
func (r *applyRun) settings(p *plan.Plan) plan.Settings {
	s := p.Settings
	if r.args.Parallelism > 0 {
		s.Parallelism = r.args.Parallelism
	}
	return s
}

// client is the API the plan's tasks go to, made before the question so
// that a missing key is told before anyone is asked; nil when simulating
// (the simulator starts once approved) or when nothing needs the API.
func (r *applyRun) client(p *plan.Plan) (executor.API, error) {
	if r.args.Simulate || !needsAPI(p) {
		return fetchFallbackClient(r.env, r.settings(p), p), nil
	}
	return newClient(r.env, r.settings(p), p.Dir)
}

// confirm asks for approval, unless -auto-approve or a saved plan (which
// was reviewed when it was made, as in Terraform).
func (r *applyRun) confirm(ctx context.Context) error {
	if r.args.AutoApprove || r.saved != nil {
		return nil
	}
	if !r.view.s.CanPrompt() {
		r.view.NobodyToAsk(r.view.s.whyNoPrompt())
		return ErrReported
	}
	if !r.view.AskApproval(ctx) {
		r.view.Cancelled()
		return ErrReported
	}
	return nil
}

// execute sends the plan: the lineage and the moves first, the run record
// opened before anything is sent, then the executor with the progress view.
// err is a failure before the run; runErr is the run's own.
func (r *applyRun) execute(ctx context.Context, p *plan.Plan, api executor.API) (run *state.Run, runErr, err error) {
	settings := r.settings(p)
	if r.args.Simulate {
		ls, err := startSimulator(settings.Provider)
		if err != nil {
			return nil, nil, err
		}
		defer ls.Close()
		api = ls.client(settings.Parallelism, p.Dir)
		r.view.Simulating(ls.url)
	}
	// The state's lineage is part of every Idempotency-Key: a new state
	// gets one, durably, before its first create.
	if p.StateLineage, err = r.store.EnsureLineage(ctx); err != nil {
		return nil, nil, fmt.Errorf("writing the state: %w", err)
	}
	// Moved blocks re-address the state (and rename files) before anything
	// is sent (command/state_mv.go).
	var tell func(from, to, fileFrom, fileTo string)
	if !r.args.JSON {
		tell = r.view.moved
	}
	if err := applyPlannedMoves(ctx, r.store, p, tell); err != nil {
		return nil, nil, err
	}

	opts := executor.Options{
		Parallelism:       settings.Parallelism,
		RequestsPerMinute: settings.RequestsPerMinute,
		MaxAttempts:       settings.MaxAttempts,
		FailFast:          r.args.FailFast,
	}
	if r.args.Simulate {
		// The simulator's tasks take under a second: learn that at once.
		opts.ScoutStart = simulatedLatency
		opts.PollCap = 2 * time.Second
	}
	sink := interruptFirst(ctx, r.view.Progress(p, settings.Parallelism))
	opts.Sink = sink

	// The record is opened before anything is sent, so that a run killed
	// outright is still listed, with what the ledger says it bought.
	started, runID := time.Now(), r.runID
	if err := closeKilledRuns(ctx, r.view, r.store, p, runID); err != nil {
		return nil, nil, err
	}
	opened := withSettings(&state.Run{ID: runID, Started: started.UTC(), Status: state.RunRunning, PID: os.Getpid(), Host: state.Hostname()}, p)
	if err := r.store.SaveRun(ctx, opened); err != nil {
		return nil, nil, fmt.Errorf("opening the run record: %w", err)
	}
	r.recorded = true
	opts.RunID = runID
	if opts.Storage, err = openVideoStorage(ctx, p); err != nil {
		return nil, nil, err
	}
	results, runErr := executor.Apply(ctx, p, api, r.store, opts)
	sink.Close()

	run = withSettings(newRunRecord(started, time.Now(), results, runErr), p)
	run.ID, run.PID, run.Host = runID, opened.PID, opened.Host
	return run, runErr, nil
}

// report does the bookkeeping that lets the next run resume (even after an
// interrupt: it runs without ctx's cancellation), shows the results and
// turns them into the exit status.
func (r *applyRun) report(ctx context.Context, run *state.Run, runErr error) error {
	bg := context.WithoutCancel(ctx)
	r.outcome.run = run
	var bookkeeping []error
	if err := r.store.Checkpoint(bg); err != nil {
		bookkeeping = append(bookkeeping, fmt.Errorf("writing the state snapshot: %w", err))
	}
	if err := r.store.SaveRun(bg, run); err != nil {
		bookkeeping = append(bookkeeping, fmt.Errorf("saving the run record: %w", err))
	}
	if err := r.view.Results(run, runErr); err != nil {
		return err
	}
	if r.args.Report != "" {
		if err := r.writeReport(bg, run); err != nil {
			bookkeeping = append(bookkeeping, err)
		}
	}
	for _, err := range bookkeeping {
		r.view.Error(err)
	}
	switch {
	case len(bookkeeping) > 0 || run.ExitCode == ExitRunError:
		return ErrReported
	case run.ExitCode == ExitSomeVideosFailed:
		return ErrSomeVideosFailed
	}
	return nil
}

// needsAPI: forgetting entries is bookkeeping, and needs no key.
func needsAPI(p *plan.Plan) bool {
	for i := range p.Changes {
		if a := p.Changes[i].Action; a != plan.ActionNoOp && a != plan.ActionForget && a != plan.ActionMove && a != plan.ActionFetch && a != plan.ActionStore && a != plan.ActionMismatch {
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
	var estimated, consumed money.Amount
	for _, r := range results {
		run.Counts[string(r.Status)]++
		estimated += money.FromFloat(r.CostEstimated)
		consumed += money.FromFloat(r.CostConsumed)
		switch r.Status {
		case state.ResultCompleted, state.ResultUnchanged, state.ResultMoved, state.ResultForgotten, state.ResultParked:
			// A parked video waits for a change of the manifest: a nightly
			// run is not a failure because of it (plan lists it).
		default:
			run.ExitCode = ExitSomeVideosFailed
		}
	}
	run.CostEstimated, run.CostConsumed = estimated.Float(), consumed.Float()
	run.Status = state.RunCompleted
	if run.ExitCode != 0 {
		run.Status = state.RunFailed
	}
	if runErr != nil {
		run.ExitCode = ExitRunError
		run.Message = runErrorText(runErr)
		run.Status = state.RunStopped
		var re *executor.RunError
		if errors.As(runErr, &re) && re.Kind == executor.StopInterrupted {
			run.Status = state.RunInterrupted
		}
		if errors.As(runErr, &re) && re.Kind == executor.StopState {
			run.Status = state.RunStateLost
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
		r.CostConsumed = spend.ByUnit[string(unit)]
		if r.Cost != nil {
			r.Cost.Total = r.CostConsumed
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
	run.Cost = &state.Cost{Unit: string(p.Settings.Unit), Total: run.CostConsumed, Estimated: run.CostEstimated}
	return run
}
