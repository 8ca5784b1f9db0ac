package plan

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/ltx"
)

// checkBudget returns the budget in force — the lower of budget.max_credits
// and -max-credits, 0 when neither is set — and an error diagnostic when the
// estimate of the change exceeds it, naming both figures and where the
// budget comes from.
//
// With worstCase, credits is the worst case (every create needing
// maxAttempts tasks) and the message says so.
func checkBudget(m *config.Manifest, flag budgetFlag, credits float64, unit ltx.Unit, worstCase bool, maxAttempts int) (float64, *hcl.Diagnostic) {
	limit, fromManifest := flag.max, false
	if m.Budget != nil && m.Budget.MaxCost > 0 && (limit == 0 || money.FromFloat(m.Budget.MaxCost) < money.FromFloat(limit)) {
		limit, fromManifest = m.Budget.MaxCost, true
	}
	if limit == 0 || !OverBudget(credits, limit) {
		return limit, nil
	}
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Plan exceeds the budget",
	}
	source := flag.name
	if source == "" {
		source = "-max-cost"
	}
	if fromManifest {
		r := m.Budget.Range
		attr := m.Budget.Attribute
		if attr == "" {
			attr = "max_cost"
		}
		source = fmt.Sprintf("budget.%s in %s:%d", attr, relName(m.Dir, r.Filename), r.Start.Line)
		d.Subject = &r
	}
	d.Detail = fmt.Sprintf("The change is estimated at %s, over the budget of %s (%s). Raise the budget, or plan fewer videos with -target.",
		FormatCost(credits, unit), FormatCost(limit, unit), source)
	if worstCase {
		d.Detail = fmt.Sprintf("The change could cost up to %s in the worst case (each create tried max_attempts = %d times), over the budget of %s (%s, checked against the worst case since budget.worst_case = true). Raise the budget, lower api.max_attempts, or plan fewer videos with -target.",
			FormatCost(credits, unit), maxAttempts, FormatCost(limit, unit), source)
	}
	return limit, d
}

// budgetFlag is the budget given on the command line, and the flag's name
// ("" is -max-cost) for the refusal to name the flag the user typed.
type budgetFlag struct {
	max  float64
	name string
}

// OverBudget tells whether an estimate exceeds a budget, compared exactly
// in micro-units: $0.09 + $0.20 is within $0.29.
func OverBudget(estimate, budget float64) bool {
	return money.FromFloat(estimate) > money.FromFloat(budget)
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
