package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// cleanDiagnostics drops repeats (a bad expression in a for_each block fails
// once per instance) and keeps sensitive values out: HCL's writer prints the
// values an expression used from the evaluation context, and function errors
// quote their arguments, so with a sensitive variable the context goes and
// its text is replaced wherever it appears.
func cleanDiagnostics(diags hcl.Diagnostics, secrets []string) hcl.Diagnostics {
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		subject         hcl.Range
	}
	seen := map[key]bool{}
	out := diags[:0]
	for _, d := range diags {
		if len(secrets) > 0 {
			d.EvalContext = nil
			for _, s := range secrets {
				d.Summary = strings.ReplaceAll(d.Summary, s, "(sensitive value)")
				d.Detail = strings.ReplaceAll(d.Detail, s, "(sensitive value)")
			}
		}
		k := key{sev: d.Severity, summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.subject = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// leafStrings lists the strings and numbers inside v, as they would be
// printed, to hide them from diagnostics. Very short ones ("1", "ab") would
// blank out ordinary words and carry little secret, so they are left.
func leafStrings(v cty.Value) []string {
	var out []string
	_ = cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if !v.IsKnown() || v.IsNull() {
			return false, nil
		}
		v, _ = v.Unmark()
		var s string
		switch v.Type() {
		case cty.String:
			s = v.AsString()
		case cty.Number:
			s = v.AsBigFloat().Text('f', -1)
		default:
			return true, nil
		}
		if len(s) >= 4 {
			out = append(out, s)
		}
		return true, nil
	})
	return out
}
