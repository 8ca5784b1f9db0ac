package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// scope says which names an expression may refer to.
type scope struct {
	vars     map[string]bool
	locals   map[string]bool
	hasEach  bool
	hasCount bool
}

// checkReferences reports references to undeclared variables and locals,
// and each/count outside the blocks that define them, in words that say how
// to fix them (HCL alone would say "Unsupported attribute").
func checkReferences(expr hcl.Expression, s scope) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		r := tr.SourceRange()
		switch root {
		case "var", "local":
			if len(tr) < 2 {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   fmt.Sprintf("%q must be followed by a name, e.g. %s.NAME.", root, root),
					Subject:  &r,
				})
				continue
			}
			step, ok := tr[1].(hcl.TraverseAttr)
			if !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   fmt.Sprintf("%q must be followed by a name, e.g. %s.NAME.", root, root),
					Subject:  &r,
				})
				continue
			}
			if root == "var" && !s.vars[step.Name] {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Reference to undeclared variable",
					Detail: fmt.Sprintf("No variable %q block declares var.%s.%s", step.Name, step.Name,
						orDeclare(suggestName(step.Name, sortedKeys(s.vars)), fmt.Sprintf(" Declare it with a variable %q {} block.", step.Name))),
					Subject: &r,
				})
			}
			if root == "local" && !s.locals[step.Name] {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Reference to undeclared local value",
					Detail: fmt.Sprintf("No locals block defines local.%s.%s", step.Name,
						orDeclare(suggestName(step.Name, sortedKeys(s.locals)), "")),
					Subject: &r,
				})
			}
		case "ltxform":
			ok := len(tr) == 2
			if ok {
				step, isAttr := tr[1].(hcl.TraverseAttr)
				ok = isAttr && step.Name == "workspace"
			}
			if !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   "ltxform has one attribute, ltxform.workspace: the name of the state's workspace.",
					Subject:  &r,
				})
			}
		case "each":
			if !s.hasEach {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  `Reference to "each" without for_each`,
					Detail:   "each.key and each.value exist only in a video block that sets for_each.",
					Subject:  &r,
				})
			}
		case "count":
			if !s.hasCount {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  `Reference to "count" without count`,
					Detail:   "count.index exists only in a video block that sets count.",
					Subject:  &r,
				})
			}
		}
	}
	return diags
}

func orDeclare(suggestion, otherwise string) string {
	if suggestion != "" {
		return suggestion
	}
	return otherwise
}
