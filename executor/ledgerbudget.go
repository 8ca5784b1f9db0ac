package executor

import (
	"fmt"

	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/plan"
)

// ledgerRefuses says why one more create of cost would take the
// workspace over a ledger budget (max_total, max_per_month, max_per_day:
// what the ledger had spent when the run was planned, plus what this run
// has committed, retries included), or "" when it fits. r.mu is held.
func (r *run) ledgerRefuses(address string, cost float64) string {
	left, b, ok := r.plan.Totals.LedgerLeft()
	if !ok || r.committed+money.FromFloat(cost) <= money.FromFloat(left) {
		return ""
	}
	unit := r.plan.Settings.Unit
	return fmt.Sprintf("budget.%s would be exceeded: %s before this run, this run has committed %s, and %s would add %s",
		b.Attribute(), b.Text(unit), plan.FormatCost(r.committed.Float(), unit), address, plan.FormatCost(cost, unit))
}
