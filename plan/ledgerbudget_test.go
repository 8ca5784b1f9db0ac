package plan

import (
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// The windows are UTC days and months of the ledger's charges, in the
// plan's unit; simulated and uncertain creates are not spend.
func TestLedgerBudgetWindows(t *testing.T) {
	now := time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC)
	charge := func(at time.Time, cost float64, edit func(*state.Charge)) state.Charge {
		c := state.Charge{TaskID: at.String(), Cost: cost, Unit: "credits", At: at}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	ledger := state.Ledger{
		charge(now.Add(-40*24*time.Hour), 500, nil),                     // October
		charge(time.Date(2026, 12, 6, 23, 59, 0, 0, time.UTC), 48, nil), // yesterday, this month
		charge(time.Date(2026, 12, 7, 0, 10, 0, 0, time.UTC), 24, nil),  // today
		charge(now, 24, func(c *state.Charge) { c.Simulated = true }),
		charge(now, 24, func(c *state.Charge) { c.Uncertain, c.TaskID = true, "" }),
		charge(now, 9, func(c *state.Charge) { c.Unit = "usd" }),
	}
	got := ledgerBudgets(&config.Budget{MaxTotal: 1000, MaxPerMonth: 100, MaxPerDay: 60}, ledger, ltx.UnitCredits, now)
	want := []LedgerBudget{{"total", 1000, 572}, {"month", 100, 72}, {"day", 60, 24}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("window %s: got %+v, want %+v", want[i].Window, got[i], want[i])
		}
	}
	left, b, ok := Totals{LedgerBudgets: got}.LedgerLeft()
	if !ok || left != 28 || b.Window != "month" {
		t.Errorf("LedgerLeft = %v %+v %v, want 28 of the month", left, b, ok)
	}
	if text := got[1].Text(ltx.UnitCredits); text != "72 of 100 credits spent this month (UTC)" {
		t.Errorf("text %q", text)
	}
}
