package plan

import (
	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/ltx"
)

// Prices is the price list a plan is made with: the provider's built-in
// table, in its unit per second of output, with the manifest's pricing block
// laid over it entry by entry. A manifest key is a resolution name ("1080p")
// or MODEL/RESOLUTION ("ltx-2-3-fast/1080p"); the more specific one wins.
type Prices struct {
	Provider *ltx.Provider
	Override map[string]float64
}

// PricesFor is the price list of m for provider p.
func PricesFor(m *config.Manifest, p *ltx.Provider) Prices {
	return Prices{Provider: p, Override: m.Pricing}
}

// Rate is the per-second price of req. assumed is true when it rests on a
// built-in price the service does not publish (a manifest price is the
// user's word, never assumed); key names the row, for the plan's note.
func (pr Prices) Rate(req ltx.CreateRequest) (perSecond float64, assumed bool, key string) {
	res := pr.Provider.ResolutionName(req.Resolution)
	model := req.Model
	if model == "" {
		model = pr.Provider.Limits.DefaultModel
	}
	if model != "" {
		if v, ok := pr.Override[model+"/"+res]; ok {
			return v, false, model + "/" + res
		}
	}
	if v, ok := pr.Override[res]; ok {
		return v, false, res
	}
	v, assumed, ok := pr.Provider.PriceFor(model, res, req.Mode())
	if !ok {
		return 0, false, ""
	}
	key = res
	if model != "" {
		key = model + "/" + res
	}
	return v, assumed, key
}

// Estimate is what one create of req is expected to cost: the per-second
// price times the duration. An unpriced request costs 0; the limits have
// refused what the service does not offer.
func (pr Prices) Estimate(req ltx.CreateRequest) (cost float64, assumed bool, key string) {
	rate, assumed, key := pr.Rate(req)
	return money.FromFloat(rate).Times(req.Duration).Float(), assumed, key
}

// DefaultPricing is the default provider's built-in table, in credits per
// second by resolution.
func DefaultPricing() map[string]float64 {
	p := ltx.MustProvider(ltx.DefaultProvider)
	out := map[string]float64{}
	for _, r := range p.Prices {
		out[r.Resolution] = r.PerSecond
	}
	return out
}
