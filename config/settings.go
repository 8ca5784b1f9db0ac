package config

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

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
	api := &API{
		RequestsPerMinute: DefaultRequestsPerMinute, Parallelism: DefaultParallelism, MaxAttempts: DefaultMaxAttempts,
		DeclRange: block.DefRange, Ranges: map[string]hcl.Range{},
	}
	content, diags := block.Body.Content(apiSchema)
	for _, name := range sortedKeys(content.Attributes) {
		attr := content.Attributes[name]
		api.Ranges[name] = attr.Expr.Range()
		if d := checkReferences(attr.Expr, s); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		diags = append(diags, api.set(name, attr, ctx)...)
	}
	return api, diags
}

// set evaluates one attribute of the api block and stores it when valid.
func (api *API) set(name string, attr *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
	switch name {
	case "base_url":
		return api.setBaseURL(attr, ctx)
	case "requests_per_minute":
		v, ok, d := evalFloat(attr, ctx, false)
		return keep(&api.RequestsPerMinute, v, ok, d)
	case "parallelism":
		v, ok, d := evalInt(attr, ctx, 1, 1024)
		return keep(&api.Parallelism, int(v), ok, d)
	case "max_attempts":
		v, ok, d := evalInt(attr, ctx, 1, 100)
		return keep(&api.MaxAttempts, int(v), ok, d)
	case "max_concurrent_tasks":
		v, ok, d := evalInt(attr, ctx, 1, 1024)
		return keep(&api.MaxConcurrentTasks, int(v), ok, d)
	case "provider":
		v, ok, d := nonEmptyString(attr, ctx)
		return keep(&api.Provider, v, ok, d)
	case "model":
		v, ok, d := nonEmptyString(attr, ctx)
		return keep(&api.Model, v, ok, d)
	case "task_timeout":
		v, ok, d := evalDuration(attr, ctx)
		return keep(&api.TaskTimeout, v, ok, d)
	case "idempotency_key":
		v, ok, d := evalBool(attr, ctx)
		return keep(&api.IdempotencyKey, &v, ok, d)
	}
	return nil
}

// keep stores v into field when it evaluated well (ok); an attribute that
// did not leaves the field at its default. It returns d either way.
func keep[T any](field *T, v T, ok bool, d hcl.Diagnostics) hcl.Diagnostics {
	if ok {
		*field = v
	}
	return d
}

// setBaseURL takes an absolute http(s) URL, without a trailing slash.
func (api *API) setBaseURL(attr *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
	v, ok, d := evalString(attr, ctx)
	if !ok {
		return d
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return append(d, invalidAttribute(attr, "Invalid base_url",
			fmt.Sprintf("base_url must be an absolute http(s) URL such as \"https://api.ltx-2api.com\", not %q.", v)))
	}
	api.BaseURL = strings.TrimRight(v, "/")
	return d
}

// evalDuration evaluates a positive duration: a string time.ParseDuration
// reads ("30m", "90s", "1h30m") or a number of seconds.
func evalDuration(attr *hcl.Attribute, ctx *hcl.EvalContext) (time.Duration, bool, hcl.Diagnostics) {
	v, ok, diags := evalValue(attr.Expr, ctx)
	if !ok {
		return 0, false, diags
	}
	bad := func(detail string) (time.Duration, bool, hcl.Diagnostics) {
		return 0, false, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s", attr.Name),
			Detail:   detail,
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	var d time.Duration
	switch v.Type() {
	case cty.String:
		parsed, err := time.ParseDuration(v.AsString())
		if err != nil {
			return bad(fmt.Sprintf("%s must be a duration such as \"30m\" or \"90s\" (or a number of seconds), not %q.", attr.Name, v.AsString()))
		}
		d = parsed
	case cty.Number:
		secs, _ := v.AsBigFloat().Float64()
		if secs > math.MaxInt64/float64(time.Second) {
			return bad(fmt.Sprintf("%s of %s seconds is too long.", attr.Name, v.AsBigFloat().Text('g', -1)))
		}
		d = time.Duration(secs * float64(time.Second))
	default:
		return 0, false, append(diags, wrongType(attr, `a duration string such as "30m" or a number of seconds`, v.Type(), ""))
	}
	if d <= 0 {
		return bad(fmt.Sprintf("%s must be greater than zero, not %s.", attr.Name, d))
	}
	return d, true, diags
}

func decodeBudgetBlock(block *hcl.Block, ctx *hcl.EvalContext, s scope) (*Budget, hcl.Diagnostics) {
	content, diags := block.Body.Content(budgetSchema)
	cost, hasCost := content.Attributes["max_cost"]
	credits, hasCredits := content.Attributes["max_credits"]
	attr := cost
	switch {
	case hasCost && hasCredits:
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting budget arguments",
			Detail: fmt.Sprintf("max_credits (line %d) is another name for max_cost (line %d): set one of them.",
				credits.NameRange.Start.Line, cost.NameRange.Start.Line),
			Subject: laterAttr(cost, credits).NameRange.Ptr(),
		})
	case hasCredits:
		attr = credits
	case !hasCost && !hasLedgerBudget(content):
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail:   "A budget block needs max_cost (or its older name max_credits): the most the change may cost, in the provider's unit; or max_total, max_per_day or max_per_month, checked against the workspace's ledger.",
			Subject:  block.DefRange.Ptr(),
		})
	}
	b := &Budget{}
	if attr != nil {
		b.Attribute, b.Range = attr.Name, attr.Expr.Range()
		if d := checkReferences(attr.Expr, s); d.HasErrors() {
			return nil, append(diags, d...)
		}
		v, ok, d := evalFloat(attr, ctx, true)
		diags = append(diags, d...)
		if !ok {
			return nil, diags
		}
		b.MaxCost = v
	}
	if d := decodeLedgerBudgets(b, content, ctx, s); d.HasErrors() {
		return nil, append(diags, d...)
	}
	if wc, ok := content.Attributes["worst_case"]; ok {
		if d := checkReferences(wc.Expr, s); d.HasErrors() {
			return nil, append(diags, d...)
		}
		v, ok, d := evalBool(wc, ctx)
		diags = append(diags, d...)
		if !ok {
			return nil, diags
		}
		b.WorstCase = v
	}
	return b, diags
}

// laterAttr is whichever of two attributes comes later in the source: the
// one a conflict is reported at.
func laterAttr(a, b *hcl.Attribute) *hcl.Attribute {
	if b.NameRange.Filename == a.NameRange.Filename && b.NameRange.Start.Byte < a.NameRange.Start.Byte {
		return a
	}
	return b
}

func decodePricingBlock(block *hcl.Block, ctx *hcl.EvalContext, s scope) (map[string]float64, string, hcl.Range, hcl.Diagnostics) {
	content, diags := block.Body.Content(pricingSchema)
	var attr *hcl.Attribute
	for _, name := range pricingAttributes {
		a, ok := content.Attributes[name]
		if !ok {
			continue
		}
		if attr != nil {
			return nil, "", a.Expr.Range(), append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Conflicting pricing arguments",
				Detail: fmt.Sprintf("%s (line %d) and %s (line %d) both set the price table: set one of per_second, credits_per_second and usd_per_second.",
					attr.Name, attr.NameRange.Start.Line, a.Name, a.NameRange.Start.Line),
				Subject: laterAttr(attr, a).NameRange.Ptr(),
			})
		}
		attr = a
	}
	if attr == nil {
		return nil, "", block.DefRange, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail:   `A pricing block needs per_second (or credits_per_second, or usd_per_second): a map such as { "1080p" = 4, "ltx-2-3-fast/1080p" = 0.06 }.`,
			Subject:  block.DefRange.Ptr(),
		})
	}
	if d := checkReferences(attr.Expr, s); d.HasErrors() {
		return nil, attr.Name, attr.Expr.Range(), append(diags, d...)
	}
	v, ok, d := evalValue(attr.Expr, ctx)
	diags = append(diags, d...)
	if !ok {
		return nil, attr.Name, attr.Expr.Range(), diags
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return nil, attr.Name, attr.Expr.Range(), append(diags, wrongType(attr, `a map of resolution (or "MODEL/RESOLUTION") to a price per second, e.g. { "1080p" = 4 }`, v.Type(), ""))
	}
	out := map[string]float64{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		key := k.AsString()
		if err := checkPriceKey(key); err != "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid " + attr.Name,
				Detail:   fmt.Sprintf("The key %q %s; write a resolution such as \"1080p\" or MODEL/RESOLUTION such as \"ltx-2-3-fast/1080p\".", key, err),
				Subject:  attr.Expr.Range().Ptr(),
			})
			continue
		}
		f := math.NaN()
		if e.Type() == cty.Number && !e.IsNull() {
			f, _ = e.AsBigFloat().Float64()
		}
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid " + attr.Name,
				Detail:   fmt.Sprintf("The price for %q must be a number, zero or more.", key),
				Subject:  attr.Expr.Range().Ptr(),
			})
			continue
		}
		out[key] = f
	}
	return out, attr.Name, attr.Expr.Range(), diags
}

// checkPriceKey says what is wrong with a pricing key, or "".
func checkPriceKey(key string) string {
	model, res, hasModel := strings.Cut(key, "/")
	switch {
	case strings.TrimSpace(key) == "":
		return "is empty"
	case !hasModel:
		return ""
	case model == "" || res == "":
		return "has an empty model or resolution"
	case strings.Contains(res, "/"):
		return "has more than one slash"
	}
	return ""
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

// ledgerBudgetAttributes are the budget attributes checked against the
// workspace's ledger rather than one run's estimate.
var ledgerBudgetAttributes = []string{"max_total", "max_per_day", "max_per_month"}

func hasLedgerBudget(content *hcl.BodyContent) bool {
	for _, name := range ledgerBudgetAttributes {
		if _, ok := content.Attributes[name]; ok {
			return true
		}
	}
	return false
}

// decodeLedgerBudgets reads max_total, max_per_day and max_per_month.
func decodeLedgerBudgets(b *Budget, content *hcl.BodyContent, ctx *hcl.EvalContext, s scope) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range ledgerBudgetAttributes {
		attr, ok := content.Attributes[name]
		if !ok {
			continue
		}
		if d := checkReferences(attr.Expr, s); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		v, ok, d := evalFloat(attr, ctx, false)
		diags = append(diags, d...)
		if !ok {
			continue
		}
		switch name {
		case "max_total":
			b.MaxTotal = v
		case "max_per_day":
			b.MaxPerDay = v
		case "max_per_month":
			b.MaxPerMonth = v
		}
		if b.LedgerRanges == nil {
			b.LedgerRanges = map[string]hcl.Range{}
		}
		b.LedgerRanges[name] = attr.Expr.Range()
	}
	return diags
}
