package config

import "testing"

// A budget block may hold only ledger budgets; max_cost stays optional.
func TestLedgerBudgets(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `budget {
  max_total     = 10000
  max_per_month = 1500
  max_per_day   = 100
}

video "a" {
  prompt = "a"
}
`})
	m, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	b := m.Budget
	if b == nil || b.MaxCost != 0 || b.MaxTotal != 10000 || b.MaxPerMonth != 1500 || b.MaxPerDay != 100 || b.LedgerRanges["max_per_day"].Start.Line != 4 {
		t.Fatalf("budget = %+v", b)
	}
}

func TestEmptyBudgetBlockNamesEveryKind(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": "budget {\n}\n\nvideo \"a\" {\n  prompt = \"a\"\n}\n"})
	oneError(t, dir, LoadOptions{}, "Missing required argument", "main.ltx.hcl", 1, "max_cost", "max_total", "max_per_day", "max_per_month")
}
