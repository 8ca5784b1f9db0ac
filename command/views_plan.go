package command

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
)

// planView prints a plan, for plan and show. The human view and the JSON view
// print the same plan; both are byte-identical for the same plan.
type planView interface {
	// Plan prints p. diags are the planner's findings; the human view has
	// already rendered them to stderr, the JSON view puts them in its document.
	Plan(p *plan.Plan, diags hcl.Diagnostics) error
	// Saved tells where plan -out wrote the plan.
	Saved(path string)
}

// newPlanView is plan -json's document on v's stdout, or the human plan
// through v.
func newPlanView(v *view, jsonOut bool) planView {
	if jsonOut {
		return &planJSONView{w: v.s.Out}
	}
	return v.humanPlan()
}

// humanPlan is the human plan through v, for apply's own view too.
func (v *view) humanPlan() planView { return &planHumanView{v: v} }

// planHumanView is Terraform's plan for videos: a table of the changes with
// their symbols (+ create, -/+ replace, ~ download or resume, - forget,
// ! needs your decision), what each change asks for, the estimate, and the
// summary line last, where it is seen after a long table.
type planHumanView struct{ v *view }

// actionSymbol is the mark of an action in the table and in the details,
// with its colour.
func actionSymbol(a plan.Action) (symbol, color string) {
	switch a {
	case plan.ActionCreate, plan.ActionRetry:
		return "+", ansiGreen
	case plan.ActionReplace:
		return "-/+", ansiYellow
	case plan.ActionDownload, plan.ActionResume, plan.ActionMove, plan.ActionFetch, plan.ActionStore:
		return "~", ansiYellow
	case plan.ActionForget:
		return "-", ansiRed
	case plan.ActionUncertain, plan.ActionAltered, plan.ActionParked, plan.ActionElsewhere, plan.ActionMismatch:
		return "!", ansiBold + ansiYellow
	}
	return " ", ""
}

// planColumns are the plan table's columns; on a narrow terminal mode goes
// first, then resolution, duration and output, and long cells wrap.
func planColumns(u ltx.Unit) []tableColumn {
	return []tableColumn{
		{Header: "action"}, {Header: "address", Wrap: 16}, {Header: "mode", Drop: 4},
		{Header: "duration", Drop: 2}, {Header: "resolution", Drop: 3}, {Header: unitHeader(u)},
		{Header: "output", Drop: 1, Wrap: 16}, {Header: "reason", Wrap: 20},
	}
}

func (h *planHumanView) Plan(p *plan.Plan, diags hcl.Diagnostics) (err error) {
	// One buffered write for the whole plan: a 1,000-row table is
	// thousands of small writes otherwise.
	bw := bufio.NewWriter(h.v.s.Out)
	stdout := h.v.s.Out
	h.v.s.Out = bw
	defer func() {
		h.v.s.Out = stdout
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
	}()
	return h.plan(p, diags)
}

func (h *planHumanView) plan(p *plan.Plan, _ hcl.Diagnostics) error {
	v, out := h.v, h.v.out()
	t := p.Totals
	if !p.HasChanges() && t.Uncertain+t.Altered+t.Parked+t.Elsewhere+t.Mismatch == 0 {
		v.println("No changes. Your videos match the manifest.")
		h.spend(t)
		return nil
	}
	h.provider(p.Settings)
	if err := h.table(p); err != nil {
		return err
	}
	v.println("")
	h.notes(p)
	h.spend(t)
	v.println("")
	if p.HasChanges() {
		h.summary(summaryLine(t))
	} else {
		v.println(out.bold("No changes to make; some videos need your decision."))
	}
	return nil
}

// provider names the service the plan buys from, and says when its
// idempotency key is trusted on the user's word alone.
func (h *planHumanView) provider(s plan.Settings) {
	if s.Provider == "" {
		return
	}
	v := h.v
	v.println(fmt.Sprintf("Provider %s at %s.", s.Provider, s.Endpoint))
	if s.IdempotencyKeyOnYourWord {
		v.println(fmt.Sprintf("Its Idempotency-Key is trusted on your word (api { idempotency_key = true }): %s does not document one. "+
			"A create whose answer is lost is re-sent with the same key.", s.Provider))
	}
	v.println("")
}

// table draws one row per change that does something, then the details of
// the changes (prompt diffs and the like).
func (h *planHumanView) table(p *plan.Plan) error {
	v, t := h.v, p.Totals
	rows, colors := planRows(p.Changes, t.Unit)
	// The details below the table do not depend on it: on a long plan
	// they are written into a buffer of their own while tablewriter draws.
	details := make(chan []byte, 1)
	go func() { details <- h.details(p) }()
	tbl := &table{Columns: planColumns(t.Unit), Rows: rows, Width: v.s.Width, Paint: v.out(),
		Color: func(row, col int) string {
			if col == 0 {
				return colors[row]
			}
			return ""
		}}
	err := tbl.render(v.s.Out)
	detailText := <-details
	if err != nil {
		return err
	}
	if t.NoOp > 0 {
		v.println(fmt.Sprintf("%s not listed.", plural(t.NoOp, "unchanged video", "unchanged videos")))
	}
	if len(detailText) > 0 {
		v.println("")
		if _, err := v.s.Out.Write(detailText); err != nil {
			return err
		}
	}
	return nil
}

// planRows are the table's cells and each row's action colour; a change
// that does nothing has no row.
func planRows(changes []plan.Change, unit ltx.Unit) (rows [][]string, colors []string) {
	rows = make([][]string, 0, len(changes))
	colors = make([]string, 0, len(changes))
	for i := range changes {
		c := &changes[i]
		if c.Action == plan.ActionNoOp {
			continue
		}
		duration, resolution := c.Request.Duration, c.Request.Resolution
		if c.Action == plan.ActionForget && c.Prior != nil {
			duration, resolution = c.Prior.Duration, c.Prior.Resolution
		}
		durationCell := ""
		if duration > 0 {
			durationCell = strconv.Itoa(duration) + "s"
		}
		symbol, color := actionSymbol(c.Action)
		rows = append(rows, []string{
			symbol + " " + string(c.Action), c.Address, string(c.Mode), durationCell, resolution,
			costCell(c, unit), c.Output, c.Reason,
		})
		colors = append(colors, color)
	}
	return rows, colors
}

// notes are the sentences under the table: the estimate by resolution,
// assumed prices, and the videos that wait for the user's decision.
func (h *planHumanView) notes(p *plan.Plan) {
	v, t := h.v, p.Totals
	if len(t.ByResolution) > 0 {
		resolutions := make([]string, 0, len(t.ByResolution))
		for r := range t.ByResolution {
			resolutions = append(resolutions, r)
		}
		slices.Sort(resolutions)
		parts := make([]string, len(resolutions))
		for i, r := range resolutions {
			parts[i] = fmt.Sprintf("%s %s", r, formatAmount(t.ByResolution[r], t.Unit))
		}
		v.println(fmt.Sprintf("Estimate by resolution: %s (%s).", strings.Join(parts, ", "), unitHeader(t.Unit)))
	}
	if len(t.AssumedPrices) > 0 {
		v.println(fmt.Sprintf("* The estimate rests on assumed prices (%s): %s does not publish them. "+
			"Set your plan's real prices in a pricing block, e.g. pricing { per_second = { %q = N } }.",
			strings.Join(t.AssumedPrices, ", "), p.Settings.Provider, t.AssumedPrices[0]))
	}
	if t.Uncertain > 0 {
		v.println(fmt.Sprintf("%s may have been bought already (up to %s); apply leaves %s alone until you decide: -retry-uncertain or -replace ADDR.",
			plural(t.Uncertain, "uncertain video", "uncertain videos"), plan.FormatCost(t.UncertainCost, t.Unit), pronoun(t.Uncertain)))
	}
	if t.Elsewhere > 0 {
		v.println(fmt.Sprintf("%s downloaded by another host, which the provider no longer serves: copy the files from there, or -replace ADDR to buy them again.",
			plural(t.Elsewhere, "video was", "videos were")))
	}
}

// summary prints the "Plan: ..." line, its head in bold as Terraform does.
func (h *planHumanView) summary(line string) {
	lines := wrapLine(line, h.v.s.Width, "  ")
	if head, rest, ok := strings.Cut(lines[0], ":"); ok {
		lines[0] = h.v.out().bold(head+":") + rest
	}
	fmt.Fprintln(h.v.s.Out, strings.Join(lines, "\n"))
}

// details are the lines of changeDetails as detail prints them.
func (h *planHumanView) details(p *plan.Plan) []byte {
	var b bytes.Buffer
	for _, l := range changeDetails(p, h.v.s.within(detailWidth)) {
		h.detail(&b, l)
	}
	return b.Bytes()
}

// detail writes one line of changeDetails, its leading symbol coloured.
func (h *planHumanView) detail(w io.Writer, line string) {
	lines := wrapLine(line, h.v.s.Width, "      ")
	trimmed := strings.TrimLeft(lines[0], " ")
	indent := lines[0][:len(lines[0])-len(trimmed)]
	if symbol, rest, ok := strings.Cut(trimmed, " "); ok {
		color := ansiYellow // "~ attribute"
		switch symbol {
		case "+":
			color = ansiGreen
		case "-/+":
			color = ansiYellow
		}
		lines[0] = indent + h.v.out().paint(color, symbol) + " " + rest
	}
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}

// detailWidth is how much of a prompt a create's line shows.
const detailWidth = 100

// changeDetails says, Terraform's way, what each change asks for: a create's
// prompt (shortened) and shape, and each attribute a replace changes, old ->
// new, with a long prompt shown as its changed words in context.
func changeDetails(p *plan.Plan, width int) []string {
	var out []string
	for i := range p.Changes {
		c := p.Changes[i].Redacted()
		switch c.Action {
		case plan.ActionCreate:
			shape := ""
			if c.Request.AspectRatio != "" {
				shape = " (" + c.Request.AspectRatio + ")"
			}
			out = append(out, fmt.Sprintf("+ %s: %s%s", c.Address, plan.Quoted(plan.ShortText(c.Request.Prompt, width)), shape))
		case plan.ActionReplace:
			if c.Before == nil {
				continue
			}
			before := *c.Before
			if c.Prior != nil && slices.Contains(c.Sensitive, "prompt") {
				before.Prompt = plan.SensitiveValue
			}
			changed, unchanged := plan.Diff(before, c.Request)
			if plan.OutputMoves(&c) {
				changed = append(changed, plan.AttributeChange{Name: "output", Before: c.Prior.Output, After: c.Output})
			}
			out = append(out, fmt.Sprintf("-/+ %s: %s changed, %d unchanged", c.Address,
				plural(len(changed), "attribute", "attributes"), unchanged))
			for _, a := range changed {
				if a.Name == "prompt" && (len(a.Before) > 60 || len(a.After) > 60) {
					out = append(out, fmt.Sprintf("    ~ prompt: %s", plan.WordDiff(a.Before, a.After, 4)))
					continue
				}
				out = append(out, fmt.Sprintf("    ~ %s = %s -> %s", a.Name, attrText(a.Before), attrText(a.After)))
			}
		}
	}
	return out
}

// attrText quotes a text attribute; an unset one is null, as in HCL.
func attrText(s string) string {
	if s == "" {
		return "null"
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil || s == "true" || s == "false" {
		return s
	}
	return plan.Quoted(s)
}

// spend reports the change's worst case, and what this state has cost to
// date: the ledger's every billed task (retries, replaced takes, killed
// runs' tasks), in each unit it was billed in, as runs' total row does.
func (h *planHumanView) spend(t plan.Totals) {
	if t.WorstCase > t.Cost && t.Cost > 0 {
		against := ""
		if t.BudgetWorstCase && t.MaxCost > 0 {
			against = fmt.Sprintf("; the budget of %s is checked against it", formatAmount(t.MaxCost, t.Unit))
		}
		h.v.println(fmt.Sprintf("Worst case: %s if every create takes max_attempts = %d tasks%s.", plan.FormatCost(t.WorstCase, t.Unit), t.MaxAttempts, against))
	}
	if len(t.SpendByUnit) > 0 {
		h.v.println(fmt.Sprintf("Actual spend so far: %s.", spendTextIn(t.SpendByUnit, t.Unit)))
	}
	for _, b := range t.LedgerBudgets {
		h.v.println(fmt.Sprintf("Budget: %s.", b.Text(t.Unit)))
	}
	if t.MayHaveBilledTasks > 0 {
		h.v.println(fmt.Sprintf("Besides, %s whose answer was lost may have been billed (up to %s); check the service's usage page.",
			plural(t.MayHaveBilledTasks, "create", "creates"), spendText(t.MayHaveBilled)))
	}
}

// unitHeader names the unit of a cost column.
func unitHeader(u ltx.Unit) string {
	if u == ltx.UnitUSD {
		return "usd"
	}
	return "credits"
}

// formatAmount is a cost without its unit word, for cells under a unit header.
func formatAmount(v float64, u ltx.Unit) string {
	if u == ltx.UnitUSD {
		return plan.FormatCost(v, u)
	}
	return plan.FormatCredits(v)
}

// costCell marks an estimate that rests on an assumed price with "*".
func costCell(c *plan.Change, u ltx.Unit) string {
	s := formatAmount(c.Cost, u)
	if c.CostAssumed && c.Cost > 0 {
		s += "*"
	}
	return s
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func (h *planHumanView) Saved(path string) {
	h.v.println(fmt.Sprintf("\nSaved the plan to %s. To perform exactly these actions, run:\n  ltxform apply %s", path, path))
}

// summaryLine is "Plan: 3 to create, 1 to replace, 12 unchanged; estimated
// 184 credits of a 2,000 budget.", naming only the kinds that occur.
func summaryLine(t plan.Totals) string {
	var parts []string
	for _, k := range []struct {
		n    int
		verb string
	}{
		{t.Create, "to create"}, {t.Replace, "to replace"}, {t.Retry, "to retry"},
		{t.Resume, "to resume"}, {t.Download, "to download"}, {t.Fetch, "to fetch"}, {t.Store, "to store"}, {t.Move, "to move"}, {t.Forget, "to forget"},
		{t.Uncertain, "uncertain"}, {t.Altered, "altered by hand"}, {t.Parked, "refused before"}, {t.Mismatch, "delivered unlike the order"}, {t.Elsewhere, "elsewhere"}, {t.NoOp, "unchanged"},
	} {
		if k.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k.n, k.verb))
		}
	}
	line := fmt.Sprintf("Plan: %s; estimated %s", strings.Join(parts, ", "), plan.FormatCost(t.Cost, t.Unit))
	if t.MaxCost > 0 {
		line += fmt.Sprintf(" of a %s budget", formatAmount(t.MaxCost, t.Unit))
	}
	return line + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// planJSONView prints one JSON document with a stable schema; empty lists
// are [] and never null.
type planJSONView struct{ w io.Writer }

func (v *planJSONView) Plan(p *plan.Plan, diags hcl.Diagnostics) error {
	doc := planJSON{
		FormatVersion: uiFormatVersion,
		HasChanges:    p.HasChanges(),
		ManifestHash:  p.ManifestHash,
		StateSerial:   p.StateSerial,
		Provider:      p.Settings.Provider,
		Endpoint:      p.Settings.Endpoint,
		Cost:          jsonPlanCost{Unit: string(p.Cost.Unit), Total: p.Cost.Total},
		Changes:       make([]jsonChange, len(p.Changes)),
		Totals:        planTotalsJSON(p.Totals),
		Diagnostics:   diagnosticsJSON(diags),
	}
	for i, c := range p.Changes {
		doc.Changes[i] = changeJSON(c.Redacted())
	}
	return writeJSON(v.w, doc)
}

func planTotalsJSON(t plan.Totals) jsonPlanTotals {
	j := jsonPlanTotals{
		Create: t.Create, Replace: t.Replace, Download: t.Download, Resume: t.Resume, Retry: t.Retry, NoOp: t.NoOp,
		Forget: t.Forget, Move: t.Move, Uncertain: t.Uncertain, Altered: t.Altered, Parked: t.Parked,
		Mismatch: t.Mismatch, Elsewhere: t.Elsewhere, Fetch: t.Fetch, Store: t.Store,
		Unit: string(t.Unit), Cost: t.Cost, ByResolution: countsOrEmpty(t.ByResolution), Consumed: t.Consumed,
		SpendByUnit: t.SpendByUnit, MayHaveBilled: t.MayHaveBilled, MayHaveBilledTasks: t.MayHaveBilledTasks,
		WorstCase: t.WorstCase, MaxAttempts: t.MaxAttempts, BudgetWorstCase: t.BudgetWorstCase, MaxCost: t.MaxCost,
		UncertainCost: t.UncertainCost, AssumedPrices: t.AssumedPrices,
	}
	for _, b := range t.LedgerBudgets {
		j.LedgerBudgets = append(j.LedgerBudgets, jsonLedgerBudget{Window: b.Window, Limit: b.Limit, Spent: b.Spent})
	}
	return j
}

// Saved prints nothing: the document on stdout must stay one JSON value.
func (v *planJSONView) Saved(string) {}

func changeJSON(c plan.Change) jsonChange {
	j := jsonChange{
		Address: c.Address, Action: string(c.Action), Reason: c.Reason, Mode: string(c.Mode),
		Request: requestJSON(c.Request), InputHash: c.InputHash, Output: c.Output,
		Cost: c.Cost, CostAssumed: c.CostAssumed, Prior: entryJSON(c.Prior), Sensitive: c.Sensitive,
		MovedFrom: c.MovedFrom, RenameFrom: c.RenameFrom, Reverts: c.Reverts,
	}
	if c.Before != nil {
		before := requestJSON(*c.Before)
		j.Before, j.After = &before, &j.Request
		if plan.OutputMoves(&c) {
			after := j.Request
			before.Output, after.Output = c.Prior.Output, c.Output
			j.After = &after
		}
	}
	return j
}

func requestJSON(r ltx.CreateRequest) jsonRequest {
	return jsonRequest{
		Prompt: r.Prompt, Duration: r.Duration, Resolution: r.Resolution, ImageURL: r.ImageURL,
		AspectRatio: r.AspectRatio, Seed: r.Seed, WebhookURL: r.WebhookURL, Model: r.Model, FPS: r.FPS,
		GenerateAudio: r.GenerateAudio, CameraMotion: r.CameraMotion, LastFrameURL: r.LastFrameURL,
		ImageFile: r.ImageFile, ImageSHA256: r.ImageSHA256,
	}
}
