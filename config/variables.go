package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvPrefix marks environment variables that set manifest variables.
const EnvPrefix = "LTX_VAR_"

// sensitiveMark is the cty mark on the values of sensitive variables; HCL
// and the functions carry it into every value computed from them, so a
// video knows which of its attributes must not be shown.
const sensitiveMark = "sensitive"

// variable is one variable block.
type variable struct {
	Name         string
	Type         cty.Type // cty.DynamicPseudoType when no type is given
	Default      cty.Value
	DefaultRange hcl.Range
	Description  string
	Sensitive    bool
	Validations  []*validation
	DeclRange    hcl.Range
}

type validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
}

// varValue is a variable's value and where it came from.
type varValue struct {
	Value  cty.Value
	Source string     // e.g. "-var", "LTX_VAR_x", "prod.ltxvars.hcl"
	Range  *hcl.Range // the value expression, when it lives in a file
}

func decodeVariableBlock(block *hcl.Block) (*variable, hcl.Diagnostics) {
	v := &variable{Name: block.Labels[0], Type: cty.DynamicPseudoType, DeclRange: block.DefRange}
	content, diags := block.Body.Content(variableSchema)
	if bad := invalidBlockName("variable", block); bad != nil {
		diags = append(diags, bad)
	}
	if attr, ok := content.Attributes["type"]; ok {
		ty, tdiags := typeexpr.TypeConstraint(attr.Expr)
		diags = append(diags, tdiags...)
		if !tdiags.HasErrors() {
			v.Type = ty
		}
	}
	if attr, ok := content.Attributes["description"]; ok {
		if s, ok, d := evalString(attr, nil); ok {
			v.Description = s
		} else {
			diags = append(diags, d...)
		}
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		val, ok, d := evalValue(attr.Expr, nil)
		diags = append(diags, d...)
		if ok && val.Type() == cty.Bool {
			v.Sensitive = val.True()
		} else if ok {
			diags = append(diags, wrongType(attr, "a bool", val.Type(), ""))
		}
	}
	if attr, ok := content.Attributes["default"]; ok {
		val, d := attr.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			conv, err := convert.Convert(val, v.Type)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("This default value is not compatible with the variable's type constraint: %s.", err),
					Subject:  attr.Expr.Range().Ptr(),
				})
			} else {
				v.Default = conv
				v.DefaultRange = attr.Expr.Range()
			}
		}
	}
	for _, b := range content.Blocks {
		vc, d := b.Body.Content(validationSchema)
		diags = append(diags, d...)
		cond, ok1 := vc.Attributes["condition"]
		msg, ok2 := vc.Attributes["error_message"]
		if ok1 && ok2 {
			v.Validations = append(v.Validations, &validation{Condition: cond.Expr, ErrorMessage: msg.Expr})
		}
	}
	return v, diags
}

// parseRawValue turns a -var or LTX_VAR_ string into a value: a literal
// string when the variable is a string (or untyped), else an HCL expression,
// as Terraform does.
func parseRawValue(v *variable, raw, source string) (cty.Value, hcl.Diagnostics) {
	if v.Type == cty.String || v.Type == cty.DynamicPseudoType {
		return cty.StringVal(raw), nil
	}
	if line, ok := nestingWithin([]byte(raw), syntaxNative); !ok {
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value of var.%s from %s nests more than %d deep (line %d of the value).", v.Name, source, MaxNestingDepth, line),
		}}
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), source, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value of var.%s from %s is not a valid %s expression: %s", v.Name, source, typeexpr.TypeString(v.Type), diags[0].Detail),
		}}
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value of var.%s from %s cannot be evaluated: %s", v.Name, source, diags[0].Detail),
		}}
	}
	return val, nil
}

// variableValues gathers every source of values, lowest precedence first:
// defaults, the environment, *.auto.ltxvars.hcl (sorted), then -var-file
// and -var in the order given.
func variableValues(p *hclparse.Parser, dir, shownDir string, vars map[string]*variable, opts LoadOptions) (map[string]*varValue, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	values := map[string]*varValue{}
	for name, v := range vars {
		if v.Default != cty.NilVal {
			r := v.DefaultRange
			values[name] = &varValue{Value: v.Default, Source: "its default", Range: &r}
		}
	}
	setRaw := func(name, raw, source string, undeclaredIsError bool) {
		v, ok := vars[name]
		if !ok {
			if undeclaredIsError {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Value for undeclared variable",
					Detail:   fmt.Sprintf("%s sets var.%s, but no variable %q block declares it.%s", source, name, name, suggestName(name, sortedKeys(vars))),
				})
			}
			return
		}
		val, d := parseRawValue(v, raw, source)
		diags = append(diags, d...)
		values[name] = &varValue{Value: val, Source: source}
	}

	env := append([]string(nil), opts.Environ...)
	sort.Strings(env)
	for _, kv := range env {
		k, val, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvPrefix) && len(k) > len(EnvPrefix) {
			setRaw(strings.TrimPrefix(k, EnvPrefix), val, "the environment variable "+k, false)
		}
	}

	autos, _ := filepath.Glob(filepath.Join(dir, "*.auto.ltxvars.hcl"))
	sort.Strings(autos)
	for _, a := range autos {
		diags = append(diags, readVarFile(p, filepath.Join(shownDir, filepath.Base(a)), vars, values)...)
	}

	for _, f := range opts.Flags {
		if f.File {
			diags = append(diags, readVarFile(p, f.Value, vars, values)...)
			continue
		}
		name, raw, ok := strings.Cut(f.Value, "=")
		if !ok || strings.TrimSpace(name) == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -var option",
				Detail:   fmt.Sprintf("The option -var %q is not of the form NAME=VALUE.", f.Value),
			})
			continue
		}
		setRaw(strings.TrimSpace(name), raw, "-var "+strings.TrimSpace(name), true)
	}
	return values, diags
}

// readVarFile reads a file of name = value lines into values.
func readVarFile(p *hclparse.Parser, path string, vars map[string]*variable, values map[string]*varValue) hcl.Diagnostics {
	if _, err := os.Stat(path); err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read variable file",
			Detail:   fmt.Sprintf("%s: %v", path, unwrapPathError(err)),
		}}
	}
	f, diags := parseBounded(p, path)
	if f == nil || diags.HasErrors() {
		return diags
	}
	attrs, d := f.Body.JustAttributes()
	diags = append(diags, d...)
	for _, name := range sortedKeys(attrs) {
		attr := attrs[name]
		v, ok := vars[name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("No variable %q block declares this value, so it is ignored.%s", name, suggestName(name, sortedKeys(vars))),
				Subject:  attr.NameRange.Ptr(),
			})
			continue
		}
		val, d := attr.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			val = cty.DynamicVal
		}
		_ = v
		r := attr.Expr.Range()
		values[name] = &varValue{Value: val, Source: path, Range: &r}
	}
	return diags
}

// finalVariables converts each value to its type, reports required variables
// without a value, and runs the validation rules. Variables that fail are
// unknown in the result so that their references do not repeat the error.
func finalVariables(vars map[string]*variable, values map[string]*varValue, ctxFor func(map[string]cty.Value) *hcl.EvalContext) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := map[string]cty.Value{}
	for _, name := range sortedKeys(vars) {
		v := vars[name]
		vv, ok := values[name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail: fmt.Sprintf("The variable %q has no default and no value was given. Set it with -var '%s=VALUE', a -var-file, a *.auto.ltxvars.hcl file, or the environment variable %s%s.",
					name, name, EnvPrefix, name),
				Subject: v.DeclRange.Ptr(),
			})
			out[name] = cty.DynamicVal
			continue
		}
		if !vv.Value.IsWhollyKnown() {
			out[name] = cty.DynamicVal
			continue
		}
		val, err := convert.Convert(vv.Value, v.Type)
		if err != nil {
			d := &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("The value of var.%s from %s is not a %s: %s.", name, vv.Source, typeexpr.TypeString(v.Type), err),
				Subject:  vv.Range,
			}
			if d.Subject == nil {
				d.Subject = v.DeclRange.Ptr()
			}
			diags = append(diags, d)
			out[name] = cty.DynamicVal
			continue
		}
		if vdiags := checkValidations(v, val, vv, ctxFor(map[string]cty.Value{name: val})); len(vdiags) > 0 {
			diags = append(diags, vdiags...)
			if vdiags.HasErrors() {
				val = cty.UnknownVal(val.Type())
			}
		}
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		out[name] = val
	}
	return out, diags
}

func checkValidations(v *variable, val cty.Value, vv *varValue, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, rule := range v.Validations {
		cond, d := rule.Condition.Value(ctx)
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		cond, err := convert.Convert(cond, cty.Bool)
		if err != nil || cond.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid validation condition",
				Detail:   "The condition must be true or false.",
				Subject:  rule.Condition.Range().Ptr(),
			})
			continue
		}
		if cond.True() {
			continue
		}
		msg := "The value does not satisfy the validation rule."
		if m, d := rule.ErrorMessage.Value(ctx); !d.HasErrors() && m.Type() == cty.String && m.IsKnown() && !m.IsNull() && !v.Sensitive {
			msg = m.AsString()
		} else if v.Sensitive {
			if m, d := rule.ErrorMessage.Value(&hcl.EvalContext{}); !d.HasErrors() && m.Type() == cty.String {
				msg = m.AsString()
			}
		}
		cr := rule.Condition.Range()
		d2 := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s\n\nThe value of var.%s comes from %s; the rule is at %s:%d.", msg, v.Name, vv.Source, cr.Filename, cr.Start.Line),
			Subject:  vv.Range,
		}
		if d2.Subject == nil {
			d2.Subject = &cr
		}
		diags = append(diags, d2)
	}
	return diags
}
