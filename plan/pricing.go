package plan

import (
	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// DefaultPricing is the built-in table, in credits per second of output by
// resolution: LTX's published per-second prices for its fast model at one
// credit per US cent (DESIGN.md, "Credits").
func DefaultPricing() map[string]float64 {
	return map[string]float64{"1080p": 4, "1440p": 8, "4K": 16}
}

// Estimate is what one create of req is expected to cost: the per-second
// price of its resolution times its duration. An unpriced resolution costs 0;
// CheckLimits has already refused it.
func Estimate(req ltx.CreateRequest, pricing map[string]float64) float64 {
	return pricing[req.Resolution] * float64(req.Duration)
}

// EffectivePricing is the built-in table with the manifest's pricing block
// laid over it entry by entry.
func EffectivePricing(m *config.Manifest) map[string]float64 {
	p := DefaultPricing()
	for res, perSecond := range m.Pricing {
		p[res] = perSecond
	}
	return p
}
