package plan

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
)

// checkBudget returns the budget in force — the lower of budget.max_credits
// and -max-credits, 0 when neither is set — and an error diagnostic when the
// estimate of the change exceeds it, naming both figures and where the
// budget comes from.
func checkBudget(m *config.Manifest, flagMax, credits float64) (float64, *hcl.Diagnostic) {
	limit, fromManifest := flagMax, false
	if m.Budget != nil && m.Budget.MaxCost > 0 && (limit == 0 || m.Budget.MaxCost < limit) {
		limit, fromManifest = m.Budget.MaxCost, true
	}
	if limit == 0 || credits <= limit {
		return limit, nil
	}
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Plan exceeds the credit budget",
	}
	source := "-max-credits"
	if fromManifest {
		r := m.Budget.Range
		source = fmt.Sprintf("budget.max_credits in %s:%d", relName(m.Dir, r.Filename), r.Start.Line)
		d.Subject = &r
	}
	d.Detail = fmt.Sprintf("The change is estimated at %s credits, over the budget of %s (%s). Raise the budget, or plan fewer videos with -target.",
		FormatCredits(credits), FormatCredits(limit), source)
	return limit, d
}

// relName shortens a source file name to the manifest directory, as people
// know it.
func relName(dir, name string) string {
	if filepath.IsAbs(name) && dir != "" {
		if rel, err := filepath.Rel(dir, name); err == nil {
			return rel
		}
	}
	return name
}
