package plan

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
)

func TestBuildBudget(t *testing.T) {
	dir := t.TempDir()
	budgetRange := hcl.Range{
		Filename: filepath.Join(dir, "main.ltx.hcl"),
		Start:    hcl.Pos{Line: 3, Column: 17, Byte: 40}, End: hcl.Pos{Line: 3, Column: 21, Byte: 44},
	}
	// 7 videos of 20 s at 4K (16 credits/s): 7 × 320 = 2,240 credits.
	var videos []*config.Video
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		videos = append(videos, video("shot", k, "shot "+k, 20, "4K"))
	}
	tests := []struct {
		name       string
		budget     float64 // 0: no budget block
		flag       float64
		wantLimit  float64
		wantDetail string // "" = no error
		wantRange  bool
	}{
		{name: "no budget", wantLimit: 0},
		{name: "manifest budget above the estimate", budget: 5000, wantLimit: 5000},
		{name: "estimate exactly at the budget", budget: 2240, wantLimit: 2240},
		{
			name: "manifest budget below the estimate", budget: 2000, wantLimit: 2000,
			wantDetail: "The change is estimated at 2,240 credits, over the budget of 2,000 credits (budget.max_credits in main.ltx.hcl:3)",
			wantRange:  true,
		},
		{
			name: "flag below the estimate", flag: 1000.5, wantLimit: 1000.5,
			wantDetail: "The change is estimated at 2,240 credits, over the budget of 1,000.5 credits (-max-cost)",
		},
		{
			name: "the lower of manifest and flag wins: flag", budget: 5000, flag: 2000, wantLimit: 2000,
			wantDetail: "over the budget of 2,000 credits (-max-cost)",
		},
		{
			name: "the lower of manifest and flag wins: manifest", budget: 1500, flag: 3000, wantLimit: 1500,
			wantDetail: "over the budget of 1,500 credits (budget.max_credits in main.ltx.hcl:3)", wantRange: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := manifest(dir, videos...)
			if tt.budget > 0 {
				m.Budget = &config.Budget{MaxCost: tt.budget, Attribute: "max_credits", Range: budgetRange}
			}
			p, diags := Build(context.Background(), m, nil, Options{MaxCost: tt.flag})
			if p.Totals.Cost != 2240 {
				t.Fatalf("estimate = %v, want 2240", p.Totals.Cost)
			}
			if p.Totals.MaxCost != tt.wantLimit {
				t.Errorf("max credits = %v, want %v", p.Totals.MaxCost, tt.wantLimit)
			}
			errs := errorsOf(diags)
			if tt.wantDetail == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Detail, tt.wantDetail) {
				t.Fatalf("errors = %v, want one saying %q", errs, tt.wantDetail)
			}
			if got := errs[0].Subject; tt.wantRange != (got != nil) || (got != nil && *got != budgetRange) {
				t.Errorf("subject = %v, want the budget attribute's range: %v", got, tt.wantRange)
			}
		})
	}
}

func TestFormatCredits(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0", 7: "7", 184: "184", 2000: "2,000", 2240: "2,240", 1234567: "1,234,567",
		12.5: "12.5", 0.1 + 0.2: "0.3", 1000.25: "1,000.25", -1500: "-1,500",
	} {
		if got := FormatCredits(in); got != want {
			t.Errorf("FormatCredits(%v) = %q, want %q", in, got, want)
		}
	}
}
