package command

import (
	"context"
	"fmt"

	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/internal/procalive"
	"github.com/ltxform/ltxform/state"
)

// runRuns lists the run history, or with `show ID` one run's results.
func runRuns(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "show" {
		return runRunsShow(ctx, env, args[1:])
	}
	a, err := parseRuns(args)
	if err != nil {
		return err
	}
	return readRunHistory(ctx, env, a, func(v *runsView, store stateStore, ledger state.Ledger) error {
		runs, listErr := store.ListRuns(ctx)
		if listErr != nil && runs == nil {
			return listErr
		}
		if err := v.List(runs, ledger); err != nil {
			return err
		}
		if listErr != nil {
			// The readable runs are listed; the unreadable ones still fail the command.
			return fmt.Errorf("some run records could not be read: %w", listErr)
		}
		return nil
	})
}

// readRunHistory is runs and runs show: the state of a's directory opened
// for reading, its ledger read, and then show through the view.
func readRunHistory(ctx context.Context, env *Env, a runsArgs, show func(*runsView, stateStore, state.Ledger) error) (err error) {
	a.Common.applyTo(env)
	v := newRunsView(env, a.JSON)
	defer func() { err = v.finish(err) }()
	store, err := openStore(ctx, env, v.view, a.Dir, a.Workspace, storeRead)
	if err != nil {
		return err
	}
	defer store.Close()
	ledger, err := store.Charges(ctx)
	if err != nil {
		return fmt.Errorf("reading the ledger: %w", err)
	}
	return show(v, store, ledger)
}

// runsArgs are the arguments of runs and runs show.
type runsArgs struct {
	Common    commonArgs
	RunID     string // runs show's ID
	Dir       string // "." when not given
	JSON      bool   // -json
	Workspace string // -workspace
}

func parseRuns(args []string) (runsArgs, error) {
	var a runsArgs
	fs, err := parseReadFlags("runs", "[-json] [-workspace NAME] [DIR]  |  runs show [-json] [-workspace NAME] ID [DIR]", &a.Common, &a.JSON, &a.Workspace, args)
	if err != nil {
		return a, err
	}
	dir, err := oneOptionalArg(fs)
	a.Dir = dirOrCurrent(dir)
	return a, err
}

func parseRunsShow(args []string) (runsArgs, error) {
	var a runsArgs
	fs, err := parseReadFlags("runs show", "[-json] [-workspace NAME] ID|latest [DIR]", &a.Common, &a.JSON, &a.Workspace, args)
	if err != nil {
		return a, err
	}
	a.RunID, a.Dir, err = argAndOptionalDir(fs, "runs show takes a run ID (from ltxform runs) and an optional directory")
	return a, err
}

func runRunsShow(ctx context.Context, env *Env, args []string) error {
	a, err := parseRunsShow(args)
	if err != nil {
		return err
	}
	return readRunHistory(ctx, env, a, func(v *runsView, store stateStore, ledger state.Ledger) error {
		load := store.LoadRun
		if a.RunID == latestRunName {
			load = func(ctx context.Context, _ string) (*state.Run, error) { return loadLatestRun(ctx, store) }
		}
		r, err := load(ctx, a.RunID)
		if err != nil {
			return err
		}
		var all []*state.Run
		if r.Unfinished() {
			// Whether it is still at work, the listing's rule decides.
			all, _ = store.ListRuns(ctx)
		}
		r.Status = displayStatus(r, all)
		return v.Show(r, ledger.ForRun(r.ID))
	})
}

// runFigures is a run's cost as the runs listing shows it: from the ledger
// (what the run's creates were billed, wherever its tasks ended) once there
// is one; records from before the ledger keep their own figure.
func runFigures(r *state.Run, ledger state.Ledger) (consumed float64, estimate bool) {
	if len(ledger) == 0 || r.Simulated {
		return r.CostConsumed, false
	}
	s := ledger.ForRun(r.ID).Spend()
	return s.ByUnit[string(runUnit(r))], s.Estimated > 0
}

// displayStatus is how a run stands: a record left running is killed when
// a later run exists (applies hold the lock, so it cannot be at work) or its
// process on this machine is gone.
func displayStatus(r *state.Run, all []*state.Run) state.RunStatus {
	switch {
	case r.Status == "" && r.ExitCode == 0:
		return state.RunCompleted
	case r.Status == "" && r.Message != "":
		return state.RunStopped
	case r.Status == "":
		return state.RunFailed
	case r.Status != state.RunRunning:
		return r.Status
	}
	for _, o := range all {
		if o.ID != r.ID && o.Started.After(r.Started) {
			return state.RunKilled
		}
	}
	if r.Host == state.Hostname() {
		if alive, known := procalive.Alive(r.PID); known && !alive {
			return state.RunKilled
		}
	}
	return state.RunRunning
}

// runsTotal is the ledger's spend, or with no ledger (runs from before it)
// the sum of the records' own figures.
func runsTotal(runs []*state.Run, ledger state.Ledger) state.Spend {
	if len(ledger) > 0 {
		return ledger.Spend()
	}
	spent := map[string]money.Amount{}
	for _, r := range runs {
		if !r.Simulated {
			spent[string(runUnit(r))] += money.FromFloat(r.CostConsumed)
		}
	}
	return state.Spend{ByUnit: state.Figures(spent)}
}
