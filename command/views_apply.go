package command

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// applyView prints the end of a run: the human table or one JSON line.
type applyView interface {
	// Results prints the run's rows, summary, credit warnings and, when the
	// run stopped early, why.
	Results(run *state.Run, runErr error) error
}

func newApplyView(env *Env, jsonOut bool) applyView {
	if jsonOut {
		return &applyJSONView{w: env.Stdout}
	}
	return &applyHumanView{w: env.Stdout, errw: env.Stderr}
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

type applyHumanView struct {
	w, errw io.Writer
}

func (v *applyHumanView) Results(run *state.Run, runErr error) error {
	unit := runUnit(run)
	rows := make([][]string, 0, len(run.Results))
	for _, r := range run.Results {
		attempts := ""
		if r.Attempts > 0 {
			attempts = strconv.Itoa(r.Attempts)
		}
		rows = append(rows, []string{
			r.Address, string(r.Status), r.TaskID, r.RequestID, r.ErrorCode, attempts,
			formatAmount(r.CreditsEstimated, unit), formatAmount(r.CreditsConsumed, unit), r.Output,
		})
	}
	fmt.Fprintln(v.w)
	if err := renderTable(v.w, resultHeader(unit), rows); err != nil {
		return err
	}
	// Details that do not fit a cell: why each video did not complete.
	for _, r := range run.Results {
		if r.Status != state.ResultFailed && r.Status != state.ResultUncertain && r.Status != state.ResultInFlight {
			continue
		}
		fmt.Fprintf(v.w, "%s: %s\n", r.Address, failureText(r))
	}
	for _, w := range creditWarnings(run) {
		fmt.Fprintln(v.w, "Warning: "+w)
	}
	fmt.Fprintln(v.w, resultSummary(run, runErr))
	if runErr != nil {
		fmt.Fprintln(v.errw, "Error: "+runErrorText(runErr))
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
		state.ResultInFlight, state.ResultSkipped, state.ResultParked, state.ResultUnchanged, state.ResultForgotten} {
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
	case errors.As(runErr, &re) && re.Kind == "interrupted":
		head = "Apply interrupted"
	case runErr != nil:
		head = "Apply stopped"
	case run.ExitCode != 0:
		head = "Apply finished with failures"
	}
	unit := runUnit(run)
	return fmt.Sprintf("%s: %s; %s estimated, %s consumed.", head, strings.Join(parts, ", "),
		plan.FormatCost(run.CreditsEstimated, unit), formatAmount(run.CreditsConsumed, unit))
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
	var est, used float64
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
		if tasks == 0 && r.CreditsConsumed > 0 {
			tasks = 1 // a row from before tasks were counted
		}
		if tasks == 0 || r.CostEstimated || r.CreditsEstimated <= 0 {
			continue
		}
		perTask := r.CreditsConsumed / float64(tasks)
		est += r.CreditsEstimated * float64(tasks)
		used += r.CreditsConsumed
		priceDiffers := drifted(r.CreditsEstimated, perTask)
		switch {
		case tasks > 1 && priceDiffers:
			out = append(out, fmt.Sprintf("%s took %d tasks (%s after failed generations, each billed): %s in all; each task cost %s, estimated %s: check the pricing block against your plan's prices.",
				r.Address, tasks, plural(tasks-1, "retry", "retries"), plan.FormatCost(r.CreditsConsumed, unit),
				plan.FormatCost(perTask, unit), formatAmount(r.CreditsEstimated, unit)))
		case tasks > 1:
			out = append(out, fmt.Sprintf("%s took %d tasks (%s after failed generations, each billed): %s in all, %s a task as estimated.",
				r.Address, tasks, plural(tasks-1, "retry", "retries"), plan.FormatCost(r.CreditsConsumed, unit), formatAmount(perTask, unit)))
		case priceDiffers:
			out = append(out, fmt.Sprintf("%s consumed %s, estimated %s, for one task: the service's price differs from the price table.", r.Address,
				plan.FormatCost(r.CreditsConsumed, unit), formatAmount(r.CreditsEstimated, unit)))
		}
	}
	if drifted(est, used) {
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
	if errors.As(err, &re) && re.Kind == "interrupted" {
		return "interrupted: tasks in flight stay recorded; run apply again to resume them"
	}
	return err.Error()
}

// applyJSONView writes the results as one JSON line after the events.
type applyJSONView struct{ w io.Writer }

type jsonResults struct {
	FormatVersion string            `json:"format_version"`
	Type          string            `json:"type"` // "results"
	RunID         string            `json:"run_id"`
	Summary       string            `json:"summary"`
	Counts        map[string]int    `json:"counts"`
	Credits       jsonCredits       `json:"credits"`
	Warnings      []string          `json:"warnings"`
	Error         *jsonRunError     `json:"error"`
	Results       []state.RunResult `json:"results"`
}

type jsonCredits struct {
	Estimated float64 `json:"estimated"`
	Consumed  float64 `json:"consumed"`
}

type jsonRunError struct {
	Kind       string `json:"kind"`
	Address    string `json:"address,omitempty"`
	Code       string `json:"code,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion,omitempty"`
}

func (v *applyJSONView) Results(run *state.Run, runErr error) error {
	doc := jsonResults{
		FormatVersion: progressFormatVersion,
		Type:          "results",
		RunID:         run.ID,
		Summary:       resultSummary(run, runErr),
		Counts:        run.Counts,
		Credits:       jsonCredits{Estimated: run.CreditsEstimated, Consumed: run.CreditsConsumed},
		Warnings:      creditWarnings(run),
		Results:       run.Results,
	}
	if doc.Counts == nil {
		doc.Counts = map[string]int{}
	}
	if doc.Warnings == nil {
		doc.Warnings = []string{}
	}
	if doc.Results == nil {
		doc.Results = []state.RunResult{}
	}
	if runErr != nil {
		je := &jsonRunError{Kind: "error", Message: runErrorText(runErr)}
		var re *executor.RunError
		if errors.As(runErr, &re) {
			je.Kind, je.Address = re.Kind, re.Address
		}
		var apiErr *ltx.APIError
		if errors.As(runErr, &apiErr) {
			je.Code, je.RequestID, je.Suggestion = apiErr.Code, apiErr.RequestID, apiErr.SuggestionOrCatalogue()
		}
		doc.Error = je
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = v.w.Write(append(data, '\n'))
	return err
}
