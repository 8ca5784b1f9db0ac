package command

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

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

func newPlanView(env *Env, jsonOut bool) planView {
	if jsonOut {
		return &planJSONView{w: env.Stdout}
	}
	return &planHumanView{w: env.Stdout}
}

// planHumanView is a summary line, a table of the changes and the credit
// subtotals.
type planHumanView struct{ w io.Writer }

func (v *planHumanView) Plan(p *plan.Plan, _ hcl.Diagnostics) error {
	t := p.Totals
	if !p.HasChanges() {
		fmt.Fprintln(v.w, "No changes. Your videos match the manifest.")
		v.spend(t)
		return nil
	}
	fmt.Fprintln(v.w, summaryLine(t))
	fmt.Fprintln(v.w)

	rows := make([][]string, 0, len(p.Changes))
	for i := range p.Changes {
		c := &p.Changes[i]
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
		rows = append(rows, []string{
			string(c.Action), c.Address, string(c.Mode), durationCell, resolution,
			plan.FormatCredits(c.Credits), c.Output, c.Reason,
		})
	}
	header := []string{"action", "address", "mode", "duration", "resolution", "credits", "output", "reason"}
	if err := renderTable(v.w, header, rows); err != nil {
		return err
	}
	if t.NoOp > 0 {
		fmt.Fprintf(v.w, "%s not listed.\n", plural(t.NoOp, "unchanged video", "unchanged videos"))
	}
	if len(t.ByResolution) > 0 {
		resolutions := make([]string, 0, len(t.ByResolution))
		for r := range t.ByResolution {
			resolutions = append(resolutions, r)
		}
		slices.Sort(resolutions)
		parts := make([]string, len(resolutions))
		for i, r := range resolutions {
			parts[i] = fmt.Sprintf("%s %s", r, plan.FormatCredits(t.ByResolution[r]))
		}
		fmt.Fprintf(v.w, "Estimate by resolution: %s (credits).\n", strings.Join(parts, ", "))
	}
	v.spend(t)
	return nil
}

// spend reports what earlier runs actually cost, as the API recorded it.
func (v *planHumanView) spend(t plan.Totals) {
	if t.Consumed > 0 {
		fmt.Fprintf(v.w, "Actual spend so far: %s credits.\n", plan.FormatCredits(t.Consumed))
	}
}

func (v *planHumanView) Saved(path string) {
	fmt.Fprintf(v.w, "\nSaved the plan to %s. To perform exactly these actions, run:\n  ltxform apply %s\n", path, path)
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
		{t.Resume, "to resume"}, {t.Download, "to download"}, {t.Forget, "to forget"},
		{t.NoOp, "unchanged"},
	} {
		if k.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k.n, k.verb))
		}
	}
	line := fmt.Sprintf("Plan: %s; estimated %s credits", strings.Join(parts, ", "), plan.FormatCredits(t.Credits))
	if t.MaxCredits > 0 {
		line += fmt.Sprintf(" of a %s budget", plan.FormatCredits(t.MaxCredits))
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

type planJSON struct {
	FormatVersion string           `json:"format_version"`
	HasChanges    bool             `json:"has_changes"`
	ManifestHash  string           `json:"manifest_hash"`
	StateSerial   uint64           `json:"state_serial"`
	Changes       []plan.Change    `json:"changes"`
	Totals        plan.Totals      `json:"totals"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

func (v *planJSONView) Plan(p *plan.Plan, diags hcl.Diagnostics) error {
	doc := planJSON{
		FormatVersion: plan.FormatVersion,
		HasChanges:    p.HasChanges(),
		ManifestHash:  p.ManifestHash,
		StateSerial:   p.StateSerial,
		Changes:       make([]plan.Change, len(p.Changes)),
		Totals:        p.Totals,
		Diagnostics:   diagnosticsJSON(diags),
	}
	for i, c := range p.Changes {
		doc.Changes[i] = c.Redacted()
	}
	if doc.Totals.ByResolution == nil {
		doc.Totals.ByResolution = map[string]float64{}
	}
	return writeJSON(v.w, doc)
}

// Saved prints nothing: the document on stdout must stay one JSON value.
func (v *planJSONView) Saved(string) {}
