package command

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// runsView is the output of runs and runs show: tables and sentences, or
// under -json one document on stdout (jsonRunsList, jsonRunShow).
type runsView struct{ documentView }

func newRunsView(env *Env, jsonOut bool) *runsView {
	return &runsView{newDocumentView(env, jsonOut)}
}

// List prints the runs, newest first, and a total row that is the
// ledger's spend (the plan's spend to date).
func (v *runsView) List(runs []*state.Run, ledger state.Ledger) error {
	if v.document {
		return writeJSON(v.s.Out, runsListJSON(runs, ledger))
	}
	if len(runs) == 0 && len(ledger) == 0 {
		v.println("No runs yet: run ltxform apply first.")
		return nil
	}
	// A shared state's runs come from several machines: say which ran each.
	hosts := slices.ContainsFunc(runs, func(r *state.Run) bool { return r.Host != "" })
	rows := runRows(runs, ledger, hosts)
	if ledger != nil {
		rows = append(rows, runlessRows(runs, ledger, hosts)...)
	}
	total := runsTotal(runs, ledger)
	rows = append(rows, padRow(hosts, []string{"total", "", "", "", "", "", spendTextIn(total.ByUnit, listedUnit(runs)), ""}))
	header := []string{"run", "started", "took", "status", "results", "estimated", "consumed", "exit"}
	if err := renderTable(v.s.Out, padRow(hosts, header, "host"), rows); err != nil {
		return err
	}
	v.totalFootnotes(total)
	return nil
}

// runRows are the table rows of the runs listed.
func runRows(runs []*state.Run, ledger state.Ledger, hosts bool) [][]string {
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
			plan.FormatCost(r.CostEstimated, runUnit(r)), cell, exitCell(r, status)}
		if hosts {
			row = slices.Insert(row, 2, ltx.CleanText(r.Host))
		}
		rows = append(rows, row)
	}
	return rows
}

// runlessRows are the ledger's tasks that no listed run is credited with:
// adopted by import, or of a run whose record was lost or removed. They
// are in the total all the same.
func runlessRows(runs []*state.Run, ledger state.Ledger, hosts bool) [][]string {
	listed := map[string]bool{}
	for _, r := range runs {
		listed[r.ID] = true
	}
	var rows [][]string
	imported := ledger.SpendOf(func(c state.Charge) bool { return c.RunID == state.ImportRunID })
	if imported.Tasks > 0 {
		rows = append(rows, padRow(hosts, []string{"(imported)", "", "", "", plural(imported.Tasks, "task", "tasks") + " adopted", "", spendText(imported.ByUnit), ""}))
	}
	other := ledger.SpendOf(func(c state.Charge) bool { return !listed[c.RunID] && c.RunID != state.ImportRunID })
	if other.Tasks > 0 {
		rows = append(rows, padRow(hosts, []string{"(no record)", "", "", "", plural(other.Tasks, "task", "tasks") + " bought", "", spendText(other.ByUnit), ""}))
	}
	return rows
}

// totalFootnotes say what the total row counts at an estimate, and what it
// leaves out.
func (v *runsView) totalFootnotes(total state.Spend) {
	if total.Estimated > 0 {
		v.println(fmt.Sprintf("* includes %s with no cost in the service's answers, counted at the price table's figure.",
			plural(total.Estimated, "task", "tasks")))
	}
	if total.MayHaveBilledTasks > 0 {
		v.println(fmt.Sprintf("Not in the total: %s whose answer was lost may have been billed (up to %s).",
			plural(total.MayHaveBilledTasks, "create", "creates"), spendText(total.MayHaveBilled)))
	}
}

// Show prints one run and the tasks it paid for.
func (v *runsView) Show(r *state.Run, paid state.Ledger) error {
	if v.document {
		return writeJSON(v.s.Out, runShowJSON(r, paid))
	}
	v.runHeadline(r)
	if len(paid) > 0 {
		s := paid.Spend()
		v.println(fmt.Sprintf("Paid for %s: %s.", plural(s.Tasks, "task", "tasks"), spendText(s.ByUnit)))
	}
	v.println(fmt.Sprintf("Results: %s; estimated %s, consumed %s.", runCounts(r.Counts),
		plan.FormatCost(r.CostEstimated, runUnit(r)), plan.FormatCost(r.CostConsumed, runUnit(r))))
	if r.Provider != "" {
		v.println(fmt.Sprintf("Provider %s at %s.", ltx.CleanText(r.Provider), ltx.CleanText(r.Endpoint)))
	}
	if r.Message != "" {
		v.println("Stopped early: " + ltx.CleanText(r.Message))
	}
	if len(r.Results) == 0 {
		if len(paid) > 0 {
			return renderTable(v.s.Out, []string{"address", "task_id", "paid"}, paidRows(paid))
		}
		v.println("No videos in this run.")
		return nil
	}
	// No reasons follow this table: the error cell holds the message too.
	return renderTable(v.s.Out, resultHeader(runUnit(r)), resultRows(r, resultError))
}

// runHeadline is runs show's first line: which run, where, when, how it
// ended.
func (v *runsView) runHeadline(r *state.Run) {
	on := ""
	if r.Host != "" {
		on = " on " + ltx.CleanText(r.Host) // a shared state's runs come from several machines
	}
	switch r.Status {
	case state.RunKilled, state.RunRunning:
		v.println(fmt.Sprintf("Run %s%s: started %s, %s.", r.ID, on, stateTime(r.Started), r.Status))
	default:
		v.println(fmt.Sprintf("Run %s%s: started %s, took %s, exit code %d.", r.ID, on, stateTime(r.Started), runDuration(r), r.ExitCode))
	}
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

// runsListJSON is runs -json's document.
func runsListJSON(runs []*state.Run, ledger state.Ledger) jsonRunsList {
	out := jsonRunsList{FormatVersion: uiFormatVersion, Runs: make([]jsonRunSummary, 0, len(runs)), Total: spendJSON(runsTotal(runs, ledger))}
	for _, r := range runs {
		consumed, _ := runFigures(r, ledger)
		out.Runs = append(out.Runs, runSummaryJSON(r, consumed, displayStatus(r, runs)))
	}
	return out
}

func runSummaryJSON(r *state.Run, consumed float64, status state.RunStatus) jsonRunSummary {
	return jsonRunSummary{ID: r.ID, Started: r.Started, Finished: r.Finished, ExitCode: r.ExitCode,
		Counts: countsJSON(r.Counts), CostEstimated: r.CostEstimated, CostConsumed: consumed, Message: r.Message,
		Status: string(status), Unit: string(runUnit(r)), Host: r.Host}
}

// runShowJSON is runs show -json's document: the run, and every task its
// creates were billed for (the ledger's lines credited to it), retries and
// killed tasks included.
func runShowJSON(r *state.Run, paid state.Ledger) jsonRunShow {
	doc := jsonRunShow{FormatVersion: uiFormatVersion, Run: runJSON(r), Paid: make([]jsonCharge, 0, len(paid)), Spend: spendJSON(paid.Spend())}
	for _, c := range paid {
		doc.Paid = append(doc.Paid, jsonCharge{TaskID: c.TaskID, IdempotencyKey: c.IdempotencyKey, RunID: c.RunID, Address: c.Address,
			Cost: c.Cost, Unit: c.Unit, Estimated: c.Estimated, Simulated: c.Simulated, Uncertain: c.Uncertain,
			KeyUnconfirmed: c.KeyUnconfirmed, Provider: c.Provider, Endpoint: c.Endpoint, At: c.At})
	}
	return doc
}

func runJSON(r *state.Run) jsonRun {
	j := jsonRun{jsonRunSummary: runSummaryJSON(r, r.CostConsumed, r.Status),
		Provider: r.Provider, Endpoint: r.Endpoint, Simulated: r.Simulated, PID: r.PID, ResumedBy: r.ResumedBy,
		Results: make([]jsonRunResult, 0, len(r.Results))}
	for _, res := range r.Results {
		jr := jsonRunResult{jsonResultRow: resultRowJSON(res)}
		if res.Request != nil {
			req := requestJSON(*res.Request)
			jr.Request = &req
		}
		if res.Before != nil {
			before := requestJSON(*res.Before)
			jr.Before = &before
		}
		j.Results = append(j.Results, jr)
	}
	return j
}

// spendJSON is a spend with {} and never null for no units.
func spendJSON(s state.Spend) jsonSpend {
	return jsonSpend{ByUnit: countsOrEmpty(s.ByUnit), Tasks: s.Tasks, Estimated: s.Estimated,
		MayHaveBilled: s.MayHaveBilled, MayHaveBilledTasks: s.MayHaveBilledTasks}
}

// countsJSON is counts with {} and never null for none.
func countsJSON(counts map[string]int) map[string]int {
	if counts == nil {
		return map[string]int{}
	}
	return counts
}

func countsOrEmpty(m map[string]float64) map[string]float64 {
	if m == nil {
		return map[string]float64{}
	}
	return m
}
