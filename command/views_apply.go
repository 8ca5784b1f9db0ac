package command

import (
	"context"
	"errors"
	"fmt"
	"github.com/ltxform/ltxform/internal/money"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// applyView is every byte apply writes: the plan it is about to carry out,
// the question, the progress, the results and the errors. Under -json it
// writes JSON lines of the one envelope on stdout, and nothing else.
type applyView struct {
	*view
}

func newApplyView(env *Env, jsonOut bool) *applyView {
	return &applyView{newView(env, jsonOut)}
}

func totalsJSON(t plan.Totals) jsonTotals {
	out := jsonTotals{
		Create: t.Create, Replace: t.Replace, Download: t.Download, Resume: t.Resume, Retry: t.Retry,
		NoOp: t.NoOp, Forget: t.Forget, Uncertain: t.Uncertain, Altered: t.Altered, Parked: t.Parked, Fetch: t.Fetch, Store: t.Store,
		Unit: string(t.Unit), Cost: t.Cost, ByResolution: t.ByResolution, Consumed: t.Consumed,
		MaxCost: t.MaxCost, UncertainCost: t.UncertainCost, AssumedPrices: t.AssumedPrices,
		Mismatch: t.Mismatch,
	}
	if out.ByResolution == nil {
		out.ByResolution = map[string]float64{}
	}
	return out
}

// Plan shows what the run will do: the plan's view, or one "plan" line
// ("no_changes" when nothing is to be sent).
func (v *applyView) Plan(p *plan.Plan) error {
	if v.json {
		typ := "plan"
		if !p.HasChanges() {
			typ = "no_changes"
		}
		if err := v.jsonLine(jsonPlanLine{envelope(typ), totalsJSON(p.Totals)}); err != nil {
			return err
		}
		return v.plannedChanges(p)
	}
	if err := v.humanPlan().Plan(p, nil); err != nil {
		return err
	}
	if p.HasChanges() {
		v.println("")
	}
	return nil
}

// Simulating says where the simulator listens.
func (v *applyView) Simulating(url string) {
	if !v.json {
		v.println(fmt.Sprintf("Simulating the API at %s: nothing is bought; the figures below are the simulator's, not spend.", url))
	}
}

// ApplyingSavedPlan says which directory a saved plan applies to, and
// where it was made when that is elsewhere (a copy, another checkout).
func (v *applyView) ApplyingSavedPlan(dir, madeIn string) {
	if v.json {
		return
	}
	line := "Applying the saved plan to " + dir
	if madeIn != "" && madeIn != dir {
		line += " (it was made in " + madeIn + ")"
	}
	v.println(line + ".")
}

// NobodyToAsk is the refusal to apply without approval when stdin is not a
// terminal.
func (v *applyView) NobodyToAsk(why string) {
	v.Error(errors.New("apply needs approval and " + why + ".\n" +
		"Review the plan, then run again with -auto-approve (as in cron), or save it with `ltxform plan -out FILE` and run `ltxform apply FILE`."))
}

// Resuming says that this run takes over what a killed run left in flight.
func (v *applyView) Resuming(runID string, killedAt time.Time, inFlight int, spend state.Spend, unit ltx.Unit) error {
	if v.json {
		return v.jsonLine(jsonResumeLine{envelope("resume_run"), runID, killedAt.UTC(), inFlight, spend.ByUnit[string(unit)], unit})
	}
	v.println(fmt.Sprintf("Resuming run %s, killed at %s: %s in flight; it paid %s for %s.",
		runID, stateTime(killedAt), plural(inFlight, "task", "tasks"), plan.FormatCost(spend.ByUnit[string(unit)], unit), plural(spend.Tasks, "task", "tasks")))
	return nil
}

// Cancelled says that the answer was not yes, or Ctrl-C came first.
func (v *applyView) Cancelled() {
	fmt.Fprintln(v.s.Err, v.err().bold("Apply cancelled: nothing was sent."))
}

// AskApproval asks the question (see IOStreams.Confirm).
func (v *applyView) AskApproval(ctx context.Context) bool {
	return v.s.Confirm(ctx, v.out().bold(approvalPrompt))
}

// Progress is the view of the run while it goes.
func (v *applyView) Progress(p *plan.Plan, parallelism int) progressSink {
	return newProgressSink(v.view, p, parallelism)
}

// creditDriftWarning is the share by which consumed credits may differ from
// the estimate before apply warns.
const creditDriftWarning = 0.10

// resultHeader is the results table's columns, costs in the run's unit.
func resultHeader(u ltx.Unit) []string {
	unit := unitHeader(u)
	return []string{"address", "status", "task_id", "request_id", "error", "attempts", unit + " est.", unit + " used", "output"}
}

// runUnit is the unit of a run record's figures; records from before
// providers counted credits.
func runUnit(run *state.Run) ltx.Unit {
	if run.Cost != nil && run.Cost.Unit != "" {
		return ltx.Unit(run.Cost.Unit)
	}
	return ltx.UnitCredits
}

// resultColumns are the results table's columns; on a narrow terminal the
// task id, the counts and the costs go first (the summary line has the
// totals) and long cells wrap, but the request id and the error code stay,
// whole: they are what a support request and a grep need.
func resultColumns(u ltx.Unit) []tableColumn {
	h := resultHeader(u)
	return []tableColumn{
		{Header: h[0], Wrap: 16}, {Header: h[1]}, {Header: h[2], Drop: 5}, {Header: h[3], Whole: true},
		{Header: h[4], Whole: true}, {Header: h[5], Drop: 4}, {Header: h[6], Drop: 3}, {Header: h[7], Drop: 2},
		{Header: h[8], Drop: 1, Wrap: 16},
	}
}

// resultRows are the rows of a run's results table, for apply's view and
// runs show alike; errorCell says what the error column holds.
func resultRows(run *state.Run, errorCell func(state.RunResult) string) [][]string {
	unit := runUnit(run)
	rows := make([][]string, 0, len(run.Results))
	for _, r := range run.Results {
		attempts := ""
		if r.Attempts > 0 {
			attempts = strconv.Itoa(r.Attempts)
		}
		rows = append(rows, []string{
			r.Address, string(r.Status), r.TaskID, r.RequestID, errorCell(r), attempts,
			formatAmount(r.CostEstimated, unit), formatAmount(r.CostConsumed, unit), r.Output,
		})
	}
	return rows
}

// statusColor is the colour of a results row: red for a failure, yellow for
// what waits on the next run or on you, green for a video made.
func statusColor(s state.ResultStatus) string {
	switch s {
	case state.ResultFailed:
		return ansiRed
	case state.ResultUncertain, state.ResultInFlight, state.ResultSkipped, state.ResultParked:
		return ansiYellow
	case state.ResultCompleted:
		return ansiGreen
	}
	return ""
}

// minSlotWaitShown: a video that got a generation slot within this many
// seconds did not really wait for one.
const minSlotWaitShown = 0.5

// Results prints the run's rows, the reasons of the videos that did not
// complete, credit warnings, the time spent waiting for generation slots,
// and the summary line last; why the run stopped goes to stderr.
func (v *applyView) Results(run *state.Run, runErr error) error {
	if v.json {
		return v.resultsJSON(run, runErr)
	}
	unit := runUnit(run)
	// The code alone in the cell: the reasons follow the table in full.
	rows := resultRows(run, func(r state.RunResult) string { return r.ErrorCode })
	out := v.out()
	v.println("")
	tbl := &table{Columns: resultColumns(unit), Rows: rows, Width: v.s.Width, Paint: out,
		Color: func(row, col int) string {
			s := run.Results[row].Status
			if s == state.ResultCompleted && col != 1 {
				return "" // only the status of a video made is green
			}
			return statusColor(s)
		}}
	if err := tbl.render(v.s.Out); err != nil {
		return err
	}
	// Details that do not fit a cell: why each video did not complete.
	var waited float64
	waiters := 0
	for _, r := range run.Results {
		if r.SlotWaitSeconds >= minSlotWaitShown {
			waited += r.SlotWaitSeconds
			waiters++
		}
		if r.Status != state.ResultFailed && r.Status != state.ResultUncertain && r.Status != state.ResultInFlight {
			continue
		}
		for _, l := range wrapLine(fmt.Sprintf("%s: %s", r.Address, failureText(r)), v.s.Width, "    ") {
			fmt.Fprintln(v.s.Out, out.paint(statusColor(r.Status), l))
		}
	}
	if waiters > 0 {
		v.println(fmt.Sprintf("Waited %s for a generation slot (%s).",
			shortDuration(time.Duration(waited*float64(time.Second))), plural(waiters, "video", "videos")))
	}
	for _, w := range creditWarnings(run) {
		v.printWrapped(out.yellow("Warning: ")+w, "    ")
	}
	summary := resultSummary(run, runErr)
	head, _, _ := strings.Cut(summary, ":")
	color := ansiBold + ansiGreen
	if runErr != nil || run.ExitCode != 0 {
		color = ansiBold + ansiRed
	}
	lines := wrapLine(summary, v.s.Width, "  ")
	lines[0] = out.paint(color, head+":") + strings.TrimPrefix(lines[0], head+":")
	fmt.Fprintln(v.s.Out, strings.Join(lines, "\n"))
	if runErr != nil {
		v.Error(errors.New(runErrorText(runErr)))
	}
	return nil
}

// failureText is "CODE: message (request_id req_1). Suggestion".
func failureText(r state.RunResult) string {
	var b strings.Builder
	if r.ErrorCode != "" {
		b.WriteString(r.ErrorCode + ": ")
	}
	b.WriteString(r.ErrorMessage)
	if r.RequestID != "" && r.ErrorCode != "" {
		fmt.Fprintf(&b, " (request_id %s)", r.RequestID)
	}
	if r.Suggestion != "" {
		b.WriteString(". " + r.Suggestion)
	}
	return b.String()
}

// resultSummary is "Apply complete: 5 completed, 1 failed, 2 unchanged; 184
// credits estimated, 180 consumed."
func resultSummary(run *state.Run, runErr error) string {
	var parts []string
	for _, s := range []state.ResultStatus{state.ResultCompleted, state.ResultFailed, state.ResultUncertain,
		state.ResultInFlight, state.ResultSkipped, state.ResultParked, state.ResultMoved, state.ResultUnchanged, state.ResultForgotten} {
		if n := run.Counts[string(s)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing to do")
	}
	head := "Apply complete"
	var re *executor.RunError
	switch {
	case errors.As(runErr, &re) && re.Kind == executor.StopInterrupted:
		head = "Apply interrupted"
	case runErr != nil:
		head = "Apply stopped"
	case run.ExitCode != 0:
		head = "Apply finished with failures"
	}
	unit := runUnit(run)
	return fmt.Sprintf("%s: %s; %s estimated, %s consumed.", head, strings.Join(parts, ", "),
		plan.FormatCost(run.CostEstimated, unit), formatAmount(run.CostConsumed, unit))
}

// creditWarnings compares what each video cost with its estimate, like with
// like, and names the real cause of a difference: retries (several tasks
// bought for one video, each paid), a task an earlier run paid for (resumed
// here, not charged again), or a price table that differs from the
// service's. Only the last one is the pricing block's business.
func creditWarnings(run *state.Run) []string {
	var out []string
	unit := runUnit(run)
	drifted := func(est, used float64) bool {
		return est > 0 && used > 0 && math.Abs(used-est) > creditDriftWarning*est
	}
	// The run's figure sums, per video, the tasks this run bought against
	// as many estimates; videos whose cost is the price table's own, or
	// that bought nothing, are left out.
	var estSum, usedSum money.Amount
	var paidBy []string
	resumed := 0
	for _, r := range run.Results {
		if r.PaidBy != "" && r.TasksPaid == 0 {
			resumed++
			if !slices.Contains(paidBy, r.PaidBy) {
				paidBy = append(paidBy, r.PaidBy)
			}
			continue
		}
		tasks := r.TasksPaid
		if tasks == 0 && r.CostConsumed > 0 {
			tasks = 1 // a row from before tasks were counted
		}
		if tasks == 0 || r.CostFromPriceTable || r.CostEstimated <= 0 {
			continue
		}
		perTask := r.CostConsumed / float64(tasks)
		estSum += money.FromFloat(r.CostEstimated).Times(tasks)
		usedSum += money.FromFloat(r.CostConsumed)
		priceDiffers := drifted(r.CostEstimated, perTask)
		switch {
		case tasks > 1 && priceDiffers:
			out = append(out, fmt.Sprintf("%s took %d tasks (%s after failed generations, each billed): %s in all; each task cost %s, estimated %s: check the pricing block against your plan's prices.",
				r.Address, tasks, plural(tasks-1, "retry", "retries"), plan.FormatCost(r.CostConsumed, unit),
				plan.FormatCost(perTask, unit), formatAmount(r.CostEstimated, unit)))
		case tasks > 1:
			out = append(out, fmt.Sprintf("%s took %d tasks (%s after failed generations, each billed): %s in all, %s a task as estimated.",
				r.Address, tasks, plural(tasks-1, "retry", "retries"), plan.FormatCost(r.CostConsumed, unit), formatAmount(perTask, unit)))
		case priceDiffers:
			out = append(out, fmt.Sprintf("%s consumed %s, estimated %s, for one task: the service's price differs from the price table.", r.Address,
				plan.FormatCost(r.CostConsumed, unit), formatAmount(r.CostEstimated, unit)))
		}
	}
	if est, used := estSum.Float(), usedSum.Float(); drifted(est, used) {
		out = append(out, fmt.Sprintf("the videos that ran consumed %s, estimated %s for the tasks they bought; check the pricing block against your plan's prices.",
			plan.FormatCost(used, unit), formatAmount(est, unit)))
	}
	if resumed > 0 {
		out = append(out, fmt.Sprintf("%s finished %s paid for by run %s; this run was not charged for %s (runs credits each task to the run that bought it).",
			plural(resumed, "video", "videos"), map[bool]string{true: "a task", false: "tasks"}[resumed == 1], strings.Join(paidBy, ", "), map[bool]string{true: "it", false: "them"}[resumed == 1]))
	}
	return out
}

// runErrorText says why the run stopped: the API's code, message, request_id
// and suggestion when it was the API.
func runErrorText(err error) string {
	var apiErr *ltx.APIError
	var re *executor.RunError
	if errors.As(err, &apiErr) {
		addr := ""
		if errors.As(err, &re) && re.Address != "" {
			addr = re.Address + ": "
		}
		s := "the run stopped: " + addr + apiErr.Error()
		if sugg := apiErr.SuggestionOrCatalogue(); sugg != "" {
			s += ". " + sugg
		}
		return s
	}
	if errors.As(err, &re) && re.Kind == executor.StopInterrupted {
		return "interrupted: tasks in flight stay recorded; run apply again to resume them"
	}
	if errors.As(err, &re) && re.Kind == executor.StopUnreachable {
		return "no request reached the API, so nothing was sent or bought: " + re.Err.Error() +
			". Check the endpoint (api.base_url, LTX_API_URL, -endpoint) and the network, then run apply again"
	}
	return err.Error()
}

// resultRowJSON is a results row in its public shape, for apply -json
// and runs show -json.
func resultRowJSON(r state.RunResult) jsonResultRow {
	return jsonResultRow{
		Address: r.Address, Status: string(r.Status), TaskID: r.TaskID, RequestID: r.RequestID,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, Suggestion: r.Suggestion, Attempts: r.Attempts,
		CostEstimated: r.CostEstimated, CostConsumed: r.CostConsumed, Output: r.Output,
		SlotWaitSeconds: r.SlotWaitSeconds, TasksPaid: r.TasksPaid, ConsumedIsEstimate: r.CostFromPriceTable, PaidBy: r.PaidBy,
	}
}

func (v *applyView) resultsJSON(run *state.Run, runErr error) error {
	doc := jsonResults{
		jsonEnvelope: envelope("results"),
		RunID:        run.ID,
		Summary:      resultSummary(run, runErr),
		Counts:       run.Counts,
		Cost:         jsonCost{Unit: string(runUnit(run)), Estimated: run.CostEstimated, Consumed: run.CostConsumed},
		Warnings:     creditWarnings(run),
		Results:      make([]jsonResultRow, 0, len(run.Results)),
	}
	if doc.Counts == nil {
		doc.Counts = map[string]int{}
	}
	if doc.Warnings == nil {
		doc.Warnings = []string{}
	}
	for _, r := range run.Results {
		doc.Results = append(doc.Results, resultRowJSON(r))
	}
	if runErr != nil {
		je := &jsonRunError{Kind: "error", Message: runErrorText(runErr)}
		var re *executor.RunError
		if errors.As(runErr, &re) {
			je.Kind, je.Address = string(re.Kind), re.Address
		}
		var apiErr *ltx.APIError
		if errors.As(runErr, &apiErr) {
			je.Code, je.RequestID, je.Suggestion = apiErr.Code, apiErr.RequestID, apiErr.SuggestionOrCatalogue()
		}
		doc.Error = je
		v.stopped = je.Message
	}
	return v.jsonLine(doc)
}
