package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ltxform/ltxform/config"
)

// $0.09 + $0.20 is within a budget of $0.29: amounts are summed and
// compared exactly, not in floating point (issue 18, finding 17).
func TestBudgetAtTheSumIsWithinIt(t *testing.T) {
	m := manifest(t.TempDir(), video("a", "", "a", 6, "1080p"), video("b", "", "b", 10, "4K"))
	m.Pricing = map[string]float64{"1080p": 0.015, "4K": 0.02}
	m.Budget = &config.Budget{MaxCost: 0.29, Attribute: "max_cost"}
	p, diags := Build(context.Background(), m, nil, Options{})
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatalf("0.09 + 0.20 against a budget of 0.29: %v", errs)
	}
	if p.Totals.Cost != 0.29 {
		t.Errorf("total %v; want exactly 0.29", p.Totals.Cost)
	}
	// -max-cost is the same gate.
	if _, diags := Build(context.Background(), m, nil, Options{MaxCost: 0.29}); len(errorsOf(diags)) > 0 {
		t.Errorf("-max-cost 0.29: %v", errorsOf(diags))
	}
}

func TestPlanJSONPrintsExactTotals(t *testing.T) {
	var videos []*config.Video
	for i := range 10 {
		videos = append(videos, video(fmt.Sprintf("v%d", i), "", "p", 6, "1080p"))
	}
	m := manifest(t.TempDir(), videos...)
	m.Pricing = map[string]float64{"1080p": 5.66}
	p, _ := Build(context.Background(), m, nil, Options{})
	b, err := json.Marshal(p.Totals)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"credits":339.6,`, `"by_resolution":{"1080p":339.6}`, `"worst_case":1698,`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("plan -json totals %s; want %s", b, want)
		}
	}
	if b, _ := json.Marshal(p.Cost); !strings.Contains(string(b), `"total":339.6`) {
		t.Errorf("plan -json cost %s; want total 339.6", b)
	}
}

func TestTenThousandPricesOfThreeCentsCostThreeHundred(t *testing.T) {
	videos := make([]*config.Video, 10_000)
	for i := range videos {
		videos[i] = video(fmt.Sprintf("v%05d", i), "", "p", 6, "1080p")
	}
	m := manifest(t.TempDir(), videos...)
	m.Pricing = map[string]float64{"1080p": 0.005}
	p, _ := Build(context.Background(), m, nil, Options{})
	if p.Totals.Cost != 300 || p.Cost.Total != 300 {
		t.Errorf("10,000 × 0.03 = %v (cost %v); want exactly 300", p.Totals.Cost, p.Cost.Total)
	}
}
