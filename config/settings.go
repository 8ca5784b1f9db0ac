package config

import (
	"fmt"
	"math"
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Defaults of the api block, and of a video when neither it nor the defaults
// block sets the attribute.
const (
	DefaultRequestsPerMinute = 120
	DefaultParallelism       = 8
	DefaultMaxAttempts       = 5
	DefaultResolution        = "1080p"
	DefaultDuration          = 8
)

func decodeAPIBlock(block *hcl.Block, ctx *hcl.EvalContext, s scope) (*API, hcl.Diagnostics) {
	api := &API{RequestsPerMinute: DefaultRequestsPerMinute, Parallelism: DefaultParallelism, MaxAttempts: DefaultMaxAttempts}
	content, diags := block.Body.Content(apiSchema)
	for _, name := range sortedKeys(content.Attributes) {
		attr := content.Attributes[name]
		if d := checkReferences(attr.Expr, s); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		var d hcl.Diagnostics
		switch name {
		case "base_url":
			var v string
			var ok bool
			if v, ok, d = evalString(attr, ctx); ok {
				if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					d = append(d, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid base_url",
						Detail:   fmt.Sprintf("base_url must be an absolute http(s) URL such as \"https://api.ltx-2api.com\", not %q.", v),
						Subject:  attr.Expr.Range().Ptr(),
					})
				} else {
					api.BaseURL = strings.TrimRight(v, "/")
				}
			}
		case "requests_per_minute":
			var v float64
			var ok bool
			if v, ok, d = evalFloat(attr, ctx, false); ok {
				api.RequestsPerMinute = v
			}
		case "parallelism":
			var v int64
			var ok bool
			if v, ok, d = evalInt(attr, ctx, 1, 1024); ok {
				api.Parallelism = int(v)
			}
		case "max_attempts":
			var v int64
			var ok bool
			if v, ok, d = evalInt(attr, ctx, 1, 100); ok {
				api.MaxAttempts = int(v)
			}
		}
		diags = append(diags, d...)
	}
	return api, diags
}

func decodeBudgetBlock(block *hcl.Block, ctx *hcl.EvalContext, s scope) (*Budget, hcl.Diagnostics) {
	content, diags := block.Body.Content(budgetSchema)
	attr, ok := content.Attributes["max_credits"]
	if !ok {
		return nil, diags
	}
	if d := checkReferences(attr.Expr, s); d.HasErrors() {
		return nil, append(diags, d...)
	}
	v, ok, d := evalFloat(attr, ctx, false)
	diags = append(diags, d...)
	if !ok {
		return nil, diags
	}
	return &Budget{MaxCost: v, Attribute: "max_credits", Range: attr.Expr.Range()}, diags
}

func decodePricingBlock(block *hcl.Block, ctx *hcl.EvalContext, s scope) (map[string]float64, hcl.Range, hcl.Diagnostics) {
	content, diags := block.Body.Content(pricingSchema)
	attr, ok := content.Attributes["credits_per_second"]
	if !ok {
		return nil, block.DefRange, diags
	}
	if d := checkReferences(attr.Expr, s); d.HasErrors() {
		return nil, attr.Expr.Range(), append(diags, d...)
	}
	v, ok, d := evalValue(attr.Expr, ctx)
	diags = append(diags, d...)
	if !ok {
		return nil, attr.Expr.Range(), diags
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return nil, attr.Expr.Range(), append(diags, wrongType(attr, `a map of resolution to credits, e.g. { "1080p" = 4 }`, v.Type(), ""))
	}
	out := map[string]float64{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		f := math.NaN()
		if e.Type() == cty.Number && !e.IsNull() {
			f, _ = e.AsBigFloat().Float64()
		}
		if math.IsNaN(f) || f < 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid credits_per_second",
				Detail:   fmt.Sprintf("The price for %q must be a number of credits, zero or more.", k.AsString()),
				Subject:  attr.Expr.Range().Ptr(),
			})
			continue
		}
		out[k.AsString()] = f
	}
	return out, attr.Expr.Range(), diags
}

// defaultsBlock holds the defaults block's attributes; they are evaluated for
// each video that does not set them, with the video's own ranges.
type defaultsBlock struct {
	Attrs hcl.Attributes
}

func decodeDefaultsBlock(block *hcl.Block) (*defaultsBlock, hcl.Diagnostics) {
	content, diags := block.Body.Content(defaultsSchema)
	return &defaultsBlock{Attrs: content.Attributes}, diags
}
