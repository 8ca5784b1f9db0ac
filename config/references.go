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
		if summary, detail := s.referenceProblem(tr); summary != "" {
			r := tr.SourceRange()
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &r})
		}
	}
	return diags
}

// referenceProblem is what is wrong with one reference ("" when nothing).
func (s scope) referenceProblem(tr hcl.Traversal) (summary, detail string) {
	switch tr.RootName() {
	case "var", "local":
		return s.namedValueProblem(tr)
	case "ltxform":
		if len(tr) == 2 {
			if step, isAttr := tr[1].(hcl.TraverseAttr); isAttr && step.Name == "workspace" {
				return "", ""
			}
		}
		return "Invalid reference", "ltxform has one attribute, ltxform.workspace: the name of the state's workspace."
	case "each":
		if !s.hasEach {
			return `Reference to "each" without for_each`, "each.key and each.value exist only in a video block that sets for_each."
		}
	case "count":
		if !s.hasCount {
			return `Reference to "count" without count`, "count.index exists only in a video block that sets count."
		}
	}
	return "", ""
}

// namedValueProblem checks var.NAME and local.NAME: a name must follow, and
// be declared (else the nearest declared name is suggested).
func (s scope) namedValueProblem(tr hcl.Traversal) (summary, detail string) {
	root := tr.RootName()
	var step hcl.TraverseAttr
	ok := len(tr) >= 2
	if ok {
		step, ok = tr[1].(hcl.TraverseAttr)
	}
	switch {
	case !ok:
		return "Invalid reference", fmt.Sprintf("%q must be followed by a name, e.g. %s.NAME.", root, root)
	case root == "var" && !s.vars[step.Name]:
		return "Reference to undeclared variable", fmt.Sprintf("No variable %q block declares var.%s.%s", step.Name, step.Name,
			orDeclare(suggestName(step.Name, sortedKeys(s.vars)), fmt.Sprintf(" Declare it with a variable %q {} block.", step.Name)))
	case root == "local" && !s.locals[step.Name]:
		return "Reference to undeclared local value", fmt.Sprintf("No locals block defines local.%s.%s", step.Name,
			orDeclare(suggestName(step.Name, sortedKeys(s.locals)), ""))
	}
	return "", ""
}

func orDeclare(suggestion, otherwise string) string {
	if suggestion != "" {
		return suggestion
	}
	return otherwise
}
