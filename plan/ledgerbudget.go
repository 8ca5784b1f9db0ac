package plan

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// LedgerBudget is one budget checked against the workspace's ledger: what
// every run of every host spent in its window (UTC day, UTC month, or
// ever), before this plan.
type LedgerBudget struct {
	Window string  `json:"window"` // "total", "day" or "month"
	Limit  float64 `json:"limit"`
	Spent  float64 `json:"spent"`
}

// Left is what the window still allows, exactly.
func (b LedgerBudget) Left() float64 {
	return max(money.FromFloat(b.Limit)-money.FromFloat(b.Spent), 0).Float()
}

// Attribute is the budget attribute that sets the window's limit.
func (b LedgerBudget) Attribute() string {
	switch b.Window {
	case "day":
		return "max_per_day"
	case "month":
		return "max_per_month"
	}
	return "max_total"
}

// Text is "960 of 1,500 credits spent this month".
func (b LedgerBudget) Text(unit ltx.Unit) string {
	when := map[string]string{"total": "in total", "day": "today (UTC)", "month": "this month (UTC)"}[b.Window]
	return fmt.Sprintf("%s of %s spent %s", FormatAmount(b.Spent, unit), FormatCost(b.Limit, unit), when)
}

// FormatAmount is a cost without its unit word for credits ("960"), with
// its sign for dollars ("$9.60").
func FormatAmount(v float64, unit ltx.Unit) string {
	if unit == ltx.UnitUSD {
		return FormatCost(v, unit)
	}
	return FormatCredits(v)
}

// ledgerBudgets are the budget block's ledger budgets with what the ledger
// says was spent in each window, in the plan's unit.
func ledgerBudgets(b *config.Budget, ledger state.Ledger, unit ltx.Unit, now time.Time) []LedgerBudget {
	if b == nil {
		return nil
	}
	now = now.UTC()
	var out []LedgerBudget
	add := func(window string, limit float64, since time.Time) {
		if limit > 0 {
			out = append(out, LedgerBudget{Window: window, Limit: limit, Spent: ledgerSpent(ledger, unit, since)})
		}
	}
	add("total", b.MaxTotal, time.Time{})
	add("month", b.MaxPerMonth, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC))
	add("day", b.MaxPerDay, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))
	return out
}

// ledgerSpent sums the billed tasks in unit charged at or after since:
// never simulated ones; uncertain ones are counted apart, as in the spend.
// The one place these sums are made (for the exact money type).
func ledgerSpent(ledger state.Ledger, unit ltx.Unit, since time.Time) float64 {
	var sum money.Amount
	for _, c := range ledger {
		if c.Simulated || c.Uncertain || c.TaskID == "" || c.UnitOrCredits() != string(unitOr(unit)) || c.At.Before(since) {
			continue
		}
		sum += money.FromFloat(c.Cost)
	}
	return sum.Float()
}

func unitOr(u ltx.Unit) ltx.Unit {
	if u == "" {
		return ltx.UnitCredits
	}
	return u
}

// checkLedgerBudgets refuses a plan whose estimate does not fit what a
// ledger budget has left, naming the spend and where the budget is set.
func checkLedgerBudgets(m *config.Manifest, budgets []LedgerBudget, estimate float64, unit ltx.Unit) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range budgets {
		if estimate == 0 || !OverBudget(estimate, b.Left()) {
			continue
		}
		r := m.Budget.LedgerRanges[b.Attribute()]
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Plan exceeds the budget",
			Detail: fmt.Sprintf("The change is estimated at %s; %s (budget.%s in %s:%d), which leaves %s. Raise the budget, wait for the next window, or plan fewer videos with -target.",
				FormatCost(estimate, unit), b.Text(unit), b.Attribute(), relName(m.Dir, r.Filename), r.Start.Line, FormatCost(b.Left(), unit)),
			Subject: &r,
		})
	}
	return diags
}

// LedgerLeft is the least any ledger budget has left, and that budget;
// ok is false without ledger budgets.
func (t Totals) LedgerLeft() (left float64, b LedgerBudget, ok bool) {
	for i, lb := range t.LedgerBudgets {
		if i == 0 || lb.Left() < left {
			left, b, ok = lb.Left(), lb, true
		}
	}
	return left, b, ok
}
