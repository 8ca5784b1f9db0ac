package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
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

// invalidBlockName refuses the label of a variable or video block that is
// no identifier (it could not be referenced); nil when it is one.
func invalidBlockName(kind string, block *hcl.Block) *hcl.Diagnostic {
	if hclsyntax.ValidIdentifier(block.Labels[0]) {
		return nil
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind + " name",
		Detail:   "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
		Subject:  block.LabelRanges[0].Ptr(),
	}
}

// unsupportedType refuses the type label of a backend, storage or notify
// block that names none ltxform knows; known says which there are.
func unsupportedType(block *hcl.Block, kind, known string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unsupported " + kind + " type",
		Detail:   fmt.Sprintf("The %s type %q is not known; %s", kind, block.Labels[0], known),
		Subject:  block.LabelRanges[0].Ptr(),
	}}
}
