package command

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// runsJSONFormat is the format_version of runs -json output.
const runsJSONFormat = "1.0"

// runRuns lists the run history, or with `show ID` one run's results.
func runRuns(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "show" {
		return runRunsShow(ctx, env, args[1:])
	}
	fs := newFlagSet(env, "runs", "[-json] [-workspace NAME] [DIR]  |  runs show [-json] [-workspace NAME] ID [DIR]")
	jsonOut := fs.Bool("json", false, "print JSON")
	workspace := addWorkspaceFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	arg, err := oneOptionalArg(fs)
	if err != nil {
		return err
	}
	dir := env.ManifestDir(arg)
	if err := checkManifestDir(dir); err != nil {
		return err
	}
	store, err := openStore(ctx, env, dir, *workspace)
	if err != nil {
		return err
	}
	defer store.Close()
	runs, listErr := store.ListRuns(ctx)
	if listErr != nil && runs == nil {
		return listErr
	}
	if err := newRunsView(env, *jsonOut).List(runs); err != nil {
		return err
	}
	if listErr != nil {
		// The readable runs are listed; the unreadable ones still fail the command.
		return fmt.Errorf("some run records could not be read: %w", listErr)
	}
	return nil
}

func runRunsShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "runs show", "[-json] [-workspace NAME] ID [DIR]")
	jsonOut := fs.Bool("json", false, "print JSON")
	workspace := addWorkspaceFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return &UsageError{Msg: "runs show takes a run ID (from ltxform runs) and an optional directory"}
	}
	dir := env.ManifestDir(fs.Arg(1))
	if err := checkManifestDir(dir); err != nil {
		return err
	}
	store, err := openStore(ctx, env, dir, *workspace)
	if err != nil {
		return err
	}
	defer store.Close()
	r, err := store.LoadRun(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	return newRunsView(env, *jsonOut).Show(r)
}

// runsView is the output of runs and runs show, human or JSON.
type runsView interface {
	List(runs []*state.Run) error
	Show(r *state.Run) error
}

func newRunsView(env *Env, jsonOut bool) runsView {
	if jsonOut {
		return &runsJSONView{w: env.Stdout}
	}
	return &runsHumanView{w: env.Stdout}
}

type runsHumanView struct{ w io.Writer }

func (v *runsHumanView) List(runs []*state.Run) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(v.w, "No runs yet: run ltxform apply first.")
		return err
	}
	// A shared state's runs come from several machines: say which ran each.
	hosts := slices.ContainsFunc(runs, func(r *state.Run) bool { return r.Host != "" })
	rows := make([][]string, 0, len(runs))
	for _, r := range runs {
		row := []string{r.ID, stateTime(r.Started)}
		if hosts {
			row = append(row, r.Host)
		}
		rows = append(rows, append(row,
			runDuration(r),
			runCounts(r.Counts),
			plan.FormatCost(r.CreditsEstimated, runUnit(r)),
			plan.FormatCost(r.CreditsConsumed, runUnit(r)),
			strconv.Itoa(r.ExitCode),
		))
	}
	header := []string{"run", "started", "took", "results", "estimated", "consumed", "exit"}
	if hosts {
		header = slices.Insert(header, 2, "host")
	}
	return renderTable(v.w, header, rows)
}

func (v *runsHumanView) Show(r *state.Run) error {
	on := ""
	if r.Host != "" {
		on = " on " + r.Host
	}
	fmt.Fprintf(v.w, "Run %s%s: started %s, took %s, exit code %d.\n", r.ID, on, stateTime(r.Started), runDuration(r), r.ExitCode)
	fmt.Fprintf(v.w, "Results: %s; estimated %s, consumed %s.\n", runCounts(r.Counts), plan.FormatCost(r.CreditsEstimated, runUnit(r)), plan.FormatCost(r.CreditsConsumed, runUnit(r)))
	if r.Provider != "" {
		fmt.Fprintf(v.w, "Provider %s at %s.\n", r.Provider, r.Endpoint)
	}
	if r.Message != "" {
		fmt.Fprintf(v.w, "Stopped early: %s\n", r.Message)
	}
	if len(r.Results) == 0 {
		_, err := fmt.Fprintln(v.w, "No videos in this run.")
		return err
	}
	rows := make([][]string, 0, len(r.Results))
	for _, res := range r.Results {
		rows = append(rows, []string{
			res.Address, string(res.Status), res.TaskID, res.RequestID, resultError(res),
			strconv.Itoa(res.Attempts), formatAmount(res.CreditsEstimated, runUnit(r)), formatAmount(res.CreditsConsumed, runUnit(r)), res.Output,
		})
	}
	return renderTable(v.w, resultHeader(runUnit(r)), rows)
}

// resultError is the code and message of a failed result, as one cell.
func resultError(res state.RunResult) string {
	switch {
	case res.ErrorCode != "" && res.ErrorMessage != "":
		return res.ErrorCode + ": " + res.ErrorMessage
	case res.ErrorCode != "":
		return res.ErrorCode
	default:
		return res.ErrorMessage
	}
}

// runCountsOrder puts the outcomes people look for first.
var runCountsOrder = []state.ResultStatus{
	state.ResultCompleted, state.ResultFailed, state.ResultUncertain,
	state.ResultSkipped, state.ResultUnchanged, state.ResultForgotten,
}

// runCounts is "3 completed, 1 failed", naming only the outcomes that occur.
func runCounts(counts map[string]int) string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range runCountsOrder {
		seen[string(s)] = true
		if n := counts[string(s)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	var other []string
	for s, n := range counts {
		if !seen[s] && n > 0 {
			other = append(other, fmt.Sprintf("%d %s", n, s))
		}
	}
	slices.Sort(other)
	parts = append(parts, other...)
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, ", ")
}

func runDuration(r *state.Run) string {
	if r.Finished.IsZero() || r.Started.IsZero() || r.Finished.Before(r.Started) {
		return ""
	}
	return r.Finished.Sub(r.Started).Round(time.Second).String()
}

type runsJSONView struct{ w io.Writer }

type runSummaryJSON struct {
	ID               string         `json:"id"`
	Started          time.Time      `json:"started"`
	Finished         time.Time      `json:"finished"`
	ExitCode         int            `json:"exit_code"`
	Counts           map[string]int `json:"counts"`
	CreditsEstimated float64        `json:"credits_estimated"`
	CreditsConsumed  float64        `json:"credits_consumed"`
	Message          string         `json:"message"`
	Host             string         `json:"host,omitempty"` // backend "pg": the machine that ran it
}

func (v *runsJSONView) List(runs []*state.Run) error {
	out := struct {
		FormatVersion string           `json:"format_version"`
		Runs          []runSummaryJSON `json:"runs"`
	}{runsJSONFormat, make([]runSummaryJSON, 0, len(runs))}
	for _, r := range runs {
		out.Runs = append(out.Runs, runSummaryJSON{r.ID, r.Started, r.Finished, r.ExitCode, r.Counts, r.CreditsEstimated, r.CreditsConsumed, r.Message, r.Host})
	}
	return writeJSON(v.w, out)
}

func (v *runsJSONView) Show(r *state.Run) error {
	return writeJSON(v.w, struct {
		FormatVersion string     `json:"format_version"`
		Run           *state.Run `json:"run"`
	}{runsJSONFormat, r})
}
