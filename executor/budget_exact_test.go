package executor

import (
	"testing"

	"github.com/ltxform/ltxform/plan"
)

// The run's budget gate sums what its creates commit exactly: $0.09 and
// $0.20 fit a budget of $0.29, and a cent more does not (issue 18, finding 17).
func TestRunBudgetIsExact(t *testing.T) {
	r := &run{budget: 0.29, plan: &plan.Plan{}}
	if !r.commit("video.a", 0.09) || !r.commit("video.b", 0.20) {
		t.Fatalf("$0.09 + $0.20 refused against a budget of $0.29 (committed %s)", r.committed)
	}
	if why := r.overBudget(0.01); why == "" {
		t.Error("a cent over the budget fits")
	}
}
