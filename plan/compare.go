package plan

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/ltx"
)

// ProviderEstimate is one provider's row of plan -compare: what making the
// manifest's videos there would cost and take, and which it cannot make.
type ProviderEstimate struct {
	Provider string   `json:"provider"`
	Unit     ltx.Unit `json:"unit"`
	// Manifest is true for the provider the manifest names.
	Manifest bool    `json:"manifest"`
	Videos   int     `json:"videos"` // the videos it can make
	Estimate float64 `json:"estimate"`
	// AssumedPrices names the price rows the estimate rests on that the
	// service does not publish.
	AssumedPrices []string `json:"assumed_prices,omitempty"`
	// Concurrency is how many of its tasks run at once (0: no documented
	// limit, all at once); Time is the videos' generation at that
	// concurrency, from the provider's (maybe assumed) generation time.
	Concurrency  int           `json:"concurrency"`
	Time         time.Duration `json:"-"`
	TimeSeconds  int64         `json:"time_seconds"`
	TimeAssumed  bool          `json:"time_assumed"`
	CannotMake   []Refusal     `json:"cannot_make,omitempty"`
	UnpricedRows []string      `json:"unpriced,omitempty"`
}

// Refusal is a video a provider cannot make, and why (the first limit it
// breaks there).
type Refusal struct {
	Address string `json:"address"`
	Reason  string `json:"reason"`
}

// Compare prices the manifest's videos on every provider, the manifest's own
// first. On the manifest's provider its api block and pricing apply; on the
// others each video is taken as written, with the provider's defaults and
// built-in prices (a pricing block is in the manifest provider's unit).
func Compare(m *config.Manifest, now time.Time) []ProviderEstimate {
	own, _ := ProviderOf(m)
	var out []ProviderEstimate
	for _, p := range ltx.Providers() {
		row := compareOne(m, p, p == own, now)
		if p == own {
			out = append([]ProviderEstimate{row}, out...)
			continue
		}
		out = append(out, row)
	}
	return out
}

func compareOne(m *config.Manifest, p *ltx.Provider, own bool, now time.Time) ProviderEstimate {
	row := ProviderEstimate{Provider: p.Name, Unit: p.Unit, Manifest: own, Concurrency: p.Capabilities.MaxConcurrentTasks}
	videos := m.Videos
	prices := Prices{Provider: p}
	if own {
		videos = withAPIDefaults(m, p)
		prices = PricesFor(m, p)
		if m.API.MaxConcurrentTasks > 0 {
			row.Concurrency = m.API.MaxConcurrentTasks
		}
	}
	assumed := map[string]bool{}
	var total money.Amount // exact: float sums print 1.3199999999999998
	for _, v := range videos {
		if reason := firstRefusal(CheckLimits([]*config.Video{v}, p, now)); reason != "" {
			row.CannotMake = append(row.CannotMake, Refusal{Address: v.Address, Reason: reason})
			continue
		}
		cost, isAssumed, key := prices.Estimate(requestFor(v, p))
		if key == "" {
			row.UnpricedRows = append(row.UnpricedRows, v.Address)
		}
		if isAssumed && !assumed[key] {
			assumed[key] = true
			row.AssumedPrices = append(row.AssumedPrices, key)
		}
		row.Videos++
		total += money.FromFloat(cost)
	}
	row.Estimate = total.Float()
	waves := 1
	if c := row.Concurrency; c > 0 {
		waves = (row.Videos + c - 1) / c
	}
	if row.Videos == 0 {
		waves = 0
	}
	row.Time = time.Duration(waves) * p.Capabilities.GenerationTime
	row.TimeSeconds = int64(row.Time / time.Second)
	row.TimeAssumed = p.Capabilities.GenerationTimeAssumed
	return row
}

// firstRefusal is the first error's text, without the address it starts
// with ("video.x: ").
func firstRefusal(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		text := d.Detail
		if _, rest, ok := strings.Cut(text, ": "); ok && strings.HasPrefix(text, "video.") {
			text = rest
		}
		return strings.TrimSuffix(text, ".")
	}
	return ""
}
