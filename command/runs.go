package command

import (
	"context"
	"fmt"
	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/internal/procalive"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ltxform/ltxform/ltx"
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
	a, err := parseRuns(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	store, err := openStore(ctx, env, newView(env, a.JSON), a.Dir, a.Workspace, storeRead)
	if err != nil {
		return err
	}
	defer store.Close()
	runs, listErr := store.ListRuns(ctx)
	if listErr != nil && runs == nil {
		return listErr
	}
	ledger, err := store.Charges(ctx)
	if err != nil {
		return fmt.Errorf("reading the ledger: %w", err)
	}
	if err := newRunsView(env, a.JSON).List(runs, ledger); err != nil {
		return err
	}
	if listErr != nil {
		// The readable runs are listed; the unreadable ones still fail the command.
		return fmt.Errorf("some run records could not be read: %w", listErr)
	}
	return nil
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
	a.Common.applyTo(env)
	store, err := openStore(ctx, env, newView(env, a.JSON), a.Dir, a.Workspace, storeRead)
	if err != nil {
		return err
	}
	defer store.Close()
	load := store.LoadRun
	if a.RunID == latestRunName {
		load = func(ctx context.Context, _ string) (*state.Run, error) { return loadLatestRun(ctx, store) }
	}
	r, err := load(ctx, a.RunID)
	if err != nil {
		return err
	}
	ledger, err := store.Charges(ctx)
	if err != nil {
		return fmt.Errorf("reading the ledger: %w", err)
	}
	if r.Unfinished() {
		// Whether it is still at work, the listing's rule decides.
		all, _ := store.ListRuns(ctx)
		r.Status = displayStatus(r, all)
	}
	return newRunsView(env, a.JSON).Show(r, ledger.ForRun(r.ID))
}

// runFigures is a run's cost as the runs listing shows it: from the ledger
// (what the run's creates were billed, wherever its tasks ended) once there
// is one; records from before the ledger keep their own figure.
func runFigures(r *state.Run, ledger state.Ledger) (consumed float64, estimate bool) {
	if len(ledger) == 0 || r.Simulated {
		return r.CreditsConsumed, false
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

// runsView is the output of runs and runs show, human or JSON.
type runsView interface {
	// List prints the runs, newest first, and a total row that is the
	// ledger's spend (the plan's spend to date).
	List(runs []*state.Run, ledger state.Ledger) error
	// Show prints one run and the tasks it paid for.
	Show(r *state.Run, paid state.Ledger) error
}

func newRunsView(env *Env, jsonOut bool) runsView {
	if jsonOut {
		return &runsJSONView{w: env.Stdout}
	}
	return &runsHumanView{w: env.Stdout}
}

type runsHumanView struct{ w io.Writer }

func (v *runsHumanView) List(runs []*state.Run, ledger state.Ledger) error {
	if len(runs) == 0 && len(ledger) == 0 {
		_, err := fmt.Fprintln(v.w, "No runs yet: run ltxform apply first.")
		return err
	}
	// A shared state's runs come from several machines: say which ran each.
	hosts := slices.ContainsFunc(runs, func(r *state.Run) bool { return r.Host != "" })
	rows := make([][]string, 0, len(runs)+2)
	for _, r := range runs {
		consumed, estimate := runFigures(r, ledger)
		cell := plan.FormatCost(consumed, runUnit(r))
		if estimate {
			cell += "*"
		}
		if r.Simulated {
			cell += " (simulated)"
		}
		status := displayStatus(r, runs)
		results := runCounts(r.Counts)
		if status == state.RunKilled && len(r.Results) == 0 {
			results = "killed: " + plural(ledger.ForRun(r.ID).Spend().Tasks, "task", "tasks") + " bought"
		}
		row := []string{r.ID, stateTime(r.Started), runDuration(r), string(status), results,
			plan.FormatCost(r.CreditsEstimated, runUnit(r)), cell, exitCell(r, status)}
		if hosts {
			row = slices.Insert(row, 2, ltx.CleanText(r.Host))
		}
		rows = append(rows, row)
	}
	total := runsTotal(runs, ledger)
	if ledger != nil {
		// Tasks the ledger credits to no listed run (a record lost or
		// removed) are in the total all the same.
		listed := map[string]bool{}
		for _, r := range runs {
			listed[r.ID] = true
		}
		imported := ledger.SpendOf(func(c state.Charge) bool { return c.RunID == state.ImportRunID })
		if imported.Tasks > 0 {
			rows = append(rows, padRow(hosts, []string{"(imported)", "", "", "", plural(imported.Tasks, "task", "tasks") + " adopted", "", spendText(imported.ByUnit), ""}))
		}
		other := ledger.SpendOf(func(c state.Charge) bool { return !listed[c.RunID] && c.RunID != state.ImportRunID })
		if other.Tasks > 0 {
			rows = append(rows, padRow(hosts, []string{"(no record)", "", "", "", plural(other.Tasks, "task", "tasks") + " bought", "", spendText(other.ByUnit), ""}))
		}
	}
	rows = append(rows, padRow(hosts, []string{"total", "", "", "", "", "", spendTextIn(total.ByUnit, listedUnit(runs)), ""}))
	header := []string{"run", "started", "took", "status", "results", "estimated", "consumed", "exit"}
	if err := renderTable(v.w, padRow(hosts, header, "host"), rows); err != nil {
		return err
	}
	if total.Estimated > 0 {
		fmt.Fprintf(v.w, "* includes %s with no cost in the service's answers, counted at the price table's figure.\n", plural(total.Estimated, "task", "tasks"))
	}
	if total.MayHaveBilledTasks > 0 {
		fmt.Fprintf(v.w, "Not in the total: %s whose answer was lost may have been billed (up to %s).\n",
			plural(total.MayHaveBilledTasks, "create", "creates"), spendText(total.MayHaveBilled))
	}
	return nil
}

// padRow inserts the host column (value, or "") when runs have hosts.
func padRow(hosts bool, row []string, value ...string) []string {
	if !hosts {
		return row
	}
	v := ""
	if len(value) > 0 {
		v = value[0]
	}
	return slices.Insert(row, 2, v)
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
			spent[string(runUnit(r))] += money.FromFloat(r.CreditsConsumed)
		}
	}
	return state.Spend{ByUnit: state.Figures(spent)}
}

// spendText is "312 credits", or each unit's figure when there are several.
func spendText(byUnit map[string]float64) string {
	return spendTextIn(byUnit, ltx.UnitCredits)
}

// listedUnit is the unit of the newest run listed: what a total with no
// spend yet is shown in ("$0.00" for a dollar provider, not "0 credits").
func listedUnit(runs []*state.Run) ltx.Unit {
	if len(runs) == 0 {
		return ltx.UnitCredits
	}
	return runUnit(runs[0])
}

// spendTextIn is spendText, with nothing spent shown in unit.
func spendTextIn(byUnit map[string]float64, unit ltx.Unit) string {
	if len(byUnit) == 0 {
		return plan.FormatCost(0, unit)
	}
	units := make([]string, 0, len(byUnit))
	for u := range byUnit {
		units = append(units, u)
	}
	slices.Sort(units)
	parts := make([]string, len(units))
	for i, u := range units {
		parts[i] = plan.FormatCost(byUnit[u], ltx.Unit(u))
	}
	return strings.Join(parts, ", ")
}

// exitCell is the exit code of a run that ended; a killed or running one
// has none.
func exitCell(r *state.Run, status state.RunStatus) string {
	if status == state.RunKilled || status == state.RunRunning {
		return "-"
	}
	return strconv.Itoa(r.ExitCode)
}

func (v *runsHumanView) Show(r *state.Run, paid state.Ledger) error {
	on := ""
	if r.Host != "" {
		on = " on " + ltx.CleanText(r.Host) // a shared state's runs come from several machines
	}
	switch r.Status {
	case state.RunKilled, state.RunRunning:
		fmt.Fprintf(v.w, "Run %s%s: started %s, %s.\n", r.ID, on, stateTime(r.Started), r.Status)
	default:
		fmt.Fprintf(v.w, "Run %s%s: started %s, took %s, exit code %d.\n", r.ID, on, stateTime(r.Started), runDuration(r), r.ExitCode)
	}
	if len(paid) > 0 {
		s := paid.Spend()
		fmt.Fprintf(v.w, "Paid for %s: %s.\n", plural(s.Tasks, "task", "tasks"), spendText(s.ByUnit))
	}
	fmt.Fprintf(v.w, "Results: %s; estimated %s, consumed %s.\n", runCounts(r.Counts), plan.FormatCost(r.CreditsEstimated, runUnit(r)), plan.FormatCost(r.CreditsConsumed, runUnit(r)))
	if r.Provider != "" {
		fmt.Fprintf(v.w, "Provider %s at %s.\n", ltx.CleanText(r.Provider), ltx.CleanText(r.Endpoint))
	}
	if r.Message != "" {
		fmt.Fprintf(v.w, "Stopped early: %s\n", ltx.CleanText(r.Message))
	}
	if len(r.Results) == 0 {
		if len(paid) > 0 {
			return renderTable(v.w, []string{"address", "task_id", "paid"}, paidRows(paid))
		}
		_, err := fmt.Fprintln(v.w, "No videos in this run.")
		return err
	}
	// No reasons follow this table: the error cell holds the message too.
	return renderTable(v.w, resultHeader(runUnit(r)), resultRows(r, resultError))
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
	state.ResultSkipped, state.ResultMoved, state.ResultUnchanged, state.ResultForgotten,
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

// paidRows are the ledger lines of a run, as table rows.
func paidRows(paid state.Ledger) [][]string {
	rows := make([][]string, 0, len(paid))
	for _, c := range paid {
		cost := plan.FormatCost(c.Cost, ltx.Unit(c.UnitOrCredits()))
		switch {
		case c.Uncertain && c.TaskID == "":
			cost += " (may have been billed)"
		case c.Simulated:
			cost += " (simulated)"
		case c.Estimated:
			cost += " (estimate)"
		}
		rows = append(rows, []string{c.Address, c.TaskID, cost})
	}
	return rows
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
	Status           string         `json:"status"`
	Unit             ltx.Unit       `json:"unit"`
	Host             string         `json:"host,omitempty"` // backend "pg": the machine that ran it
}

func (v *runsJSONView) List(runs []*state.Run, ledger state.Ledger) error {
	out := struct {
		FormatVersion string           `json:"format_version"`
		Runs          []runSummaryJSON `json:"runs"`
		// Total is the ledger's spend by unit: the plan's spend to date.
		Total state.Spend `json:"total"`
	}{runsJSONFormat, make([]runSummaryJSON, 0, len(runs)), runsTotal(runs, ledger)}
	for _, r := range runs {
		consumed, _ := runFigures(r, ledger)
		out.Runs = append(out.Runs, runSummaryJSON{r.ID, r.Started, r.Finished, r.ExitCode, r.Counts, r.CreditsEstimated, consumed, r.Message,
			string(displayStatus(r, runs)), runUnit(r), r.Host})
	}
	return writeJSON(v.w, out)
}

func (v *runsJSONView) Show(r *state.Run, paid state.Ledger) error {
	if paid == nil {
		paid = state.Ledger{}
	}
	return writeJSON(v.w, struct {
		FormatVersion string     `json:"format_version"`
		Run           *state.Run `json:"run"`
		// Paid is every task this run's creates were billed for (the
		// ledger's lines credited to it), retries and killed tasks included.
		Paid  state.Ledger `json:"paid"`
		Spend state.Spend  `json:"spend"`
	}{runsJSONFormat, r, paid, paid.Spend()})
}
