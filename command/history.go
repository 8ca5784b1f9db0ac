package command

import (
	"context"
	"fmt"

	"github.com/ltxform/ltxform/state"
)

// latestRunName is what `runs show` takes for the latest run that did
// something.
const latestRunName = "latest"

// didSomething is whether a run record is of a run that sent, fetched or
// forgot something, or stopped: the records older versions kept of every
// no-op night (started and finished at once, nothing but unchanged rows)
// are not.
func didSomething(r *state.Run) bool {
	if !r.Started.Equal(r.Finished) || r.CostConsumed > 0 || r.Message != "" {
		return true
	}
	for _, res := range r.Results {
		switch res.Status {
		case state.ResultUnchanged, state.ResultParked, state.ResultUncertain:
		default:
			return true
		}
	}
	return false
}

// latestRun is the newest of runs (newest first, as ListRuns gives them)
// that did something, else the newest, else nil.
func latestRun(runs []*state.Run) *state.Run {
	for _, r := range runs {
		if didSomething(r) {
			return r
		}
	}
	if len(runs) > 0 {
		return runs[0]
	}
	return nil
}

// loadLatestRun is `runs show latest`'s run.
func loadLatestRun(ctx context.Context, store stateStore) (*state.Run, error) {
	runs, err := store.ListRuns(ctx)
	if r := latestRun(runs); r != nil {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no runs yet: run ltxform apply first")
}
