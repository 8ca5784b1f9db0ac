package config

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// The helpers below check types strictly: HCL would quietly turn "10" into 10
// for a number attribute, but the API refuses a string duration, so the
// manifest must too.

// typeName says what a value is in words a manifest author knows.
func typeName(t cty.Type) string {
	switch {
	case t == cty.String:
		return "a string"
	case t == cty.Number:
		return "a number"
	case t == cty.Bool:
		return "a bool"
	case t.IsObjectType() || t.IsMapType():
		return "a map"
	case t.IsTupleType() || t.IsListType():
		return "a list"
	case t.IsSetType():
		return "a set"
	default:
		return t.FriendlyName()
	}
}

// evalValue evaluates expr; ok is false when it had errors or is null.
func evalValue(expr hcl.Expression, ctx *hcl.EvalContext) (cty.Value, bool, hcl.Diagnostics) {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() || v.IsNull() || !v.IsWhollyKnown() {
		return v, false, diags
	}
	v, _ = v.UnmarkDeep()
	return v, true, diags
}

func wrongType(attr *hcl.Attribute, what string, got cty.Type, extra string) *hcl.Diagnostic {
	r := attr.Expr.Range()
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s", attr.Name),
		Detail:   fmt.Sprintf("%s must be %s, not %s.%s", attr.Name, what, typeName(got), extra),
		Subject:  &r,
	}
}

// evalString evaluates a string attribute.
func evalString(attr *hcl.Attribute, ctx *hcl.EvalContext) (string, bool, hcl.Diagnostics) {
	v, ok, diags := evalValue(attr.Expr, ctx)
	if !ok {
		return "", false, diags
	}
	str, ok, d := stringValue(attr, v)
	return str, ok, append(diags, d...)
}

// stringValue checks that an attribute's known, non-null value is a string.
func stringValue(attr *hcl.Attribute, v cty.Value) (string, bool, hcl.Diagnostics) {
	v, _ = v.Unmark()
	if v.Type() != cty.String {
		return "", false, hcl.Diagnostics{wrongType(attr, "a string", v.Type(), "")}
	}
	return v.AsString(), true, nil
}

// evalNumber evaluates a number attribute; code names the API error code a
// string would provoke, for the message.
func evalNumber(attr *hcl.Attribute, ctx *hcl.EvalContext, code string) (*big.Float, bool, hcl.Diagnostics) {
	v, ok, diags := evalValue(attr.Expr, ctx)
	if !ok {
		return nil, false, diags
	}
	f, ok, d := numberValue(attr, v, code)
	return f, ok, append(diags, d...)
}

// numberValue checks that an attribute's known, non-null value is a number.
func numberValue(attr *hcl.Attribute, v cty.Value, code string) (*big.Float, bool, hcl.Diagnostics) {
	v, _ = v.Unmark()
	if v.Type() != cty.Number {
		extra := ""
		if v.Type() == cty.String {
			extra = fmt.Sprintf(" Write it without quotes, e.g. %s = %s.", attr.Name, v.AsString())
		}
		if code != "" {
			extra += fmt.Sprintf(" The API would refuse it with %s.", code)
		}
		return nil, false, hcl.Diagnostics{wrongType(attr, "a number", v.Type(), extra)}
	}
	return v.AsBigFloat(), true, nil
}

// evalInt evaluates a whole-number attribute within [min, max].
func evalInt(attr *hcl.Attribute, ctx *hcl.EvalContext, min, max int64) (int64, bool, hcl.Diagnostics) {
	f, ok, diags := evalNumber(attr, ctx, "")
	if !ok {
		return 0, false, diags
	}
	i, acc := f.Int64()
	if acc != big.Exact || i < min || i > max {
		r := attr.Expr.Range()
		return 0, false, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s", attr.Name),
			Detail:   fmt.Sprintf("%s must be a whole number between %d and %d, not %s.", attr.Name, min, max, f.Text('g', -1)),
			Subject:  &r,
		})
	}
	return i, true, diags
}

// evalFloat evaluates a number attribute that must be positive (or zero when allowZero).
func evalFloat(attr *hcl.Attribute, ctx *hcl.EvalContext, allowZero bool) (float64, bool, hcl.Diagnostics) {
	f, ok, diags := evalNumber(attr, ctx, "")
	if !ok {
		return 0, false, diags
	}
	x, _ := f.Float64()
	if x < 0 || (x == 0 && !allowZero) {
		r := attr.Expr.Range()
		return 0, false, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s", attr.Name),
			Detail:   fmt.Sprintf("%s must be %s, not %s.", attr.Name, map[bool]string{true: "zero or more", false: "greater than zero"}[allowZero], f.Text('g', -1)),
			Subject:  &r,
		})
	}
	return x, true, diags
}

// boolValue checks that an attribute's known, non-null value is a bool.
func boolValue(attr *hcl.Attribute, v cty.Value) (bool, bool, hcl.Diagnostics) {
	v, _ = v.Unmark()
	if v.Type() != cty.Bool {
		extra := ""
		if v.Type() == cty.String {
			extra = fmt.Sprintf(" Write true or false without quotes, e.g. %s = true.", attr.Name)
		}
		return false, false, hcl.Diagnostics{wrongType(attr, "a bool", v.Type(), extra)}
	}
	return v.True(), true, nil
}

// evalBool evaluates a bool attribute.
func evalBool(attr *hcl.Attribute, ctx *hcl.EvalContext) (bool, bool, hcl.Diagnostics) {
	v, ok, diags := evalValue(attr.Expr, ctx)
	if !ok {
		return false, false, diags
	}
	b, ok, d := boolValue(attr, v)
	return b, ok, append(diags, d...)
}

// nonEmptyString evaluates a string attribute that must not be empty (a
// name such as a provider or a model, where "" is always a slip).
func nonEmptyString(attr *hcl.Attribute, ctx *hcl.EvalContext) (string, bool, hcl.Diagnostics) {
	s, ok, diags := evalString(attr, ctx)
	if ok && strings.TrimSpace(s) == "" {
		r := attr.Expr.Range()
		return "", false, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s", attr.Name),
			Detail:   fmt.Sprintf("%s must not be empty; leave it out to use the provider's default.", attr.Name),
			Subject:  &r,
		})
	}
	return s, ok, diags
}
