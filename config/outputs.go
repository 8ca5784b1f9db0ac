package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// checkOutputs refuses two videos writing one file, and outputs that a
// symbolic link in dir leads outside it.
func checkOutputs(dir string, videos []*Video) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]*Video{}
	escapes := newEscapeChecker(dir)
	for _, v := range videos {
		if escapes.escapes(v.Output) {
			r := v.Ranges["output"]
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid output",
				Detail:   fmt.Sprintf("The output of %s, %q, leads outside the manifest directory through a symbolic link.", v.Address, v.Output),
				Subject:  &r,
			})
		}
		key := strings.ToLower(v.Output) // one file on case-insensitive file systems
		prev, ok := seen[key]
		if !ok {
			seen[key] = v
			continue
		}
		r := v.Ranges["output"]
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Two videos write the same file",
			Detail:   fmt.Sprintf("%s and %s both write %q. Give one of them another output.", prev.Address, v.Address, v.Output),
			Subject:  &r,
		})
	}
	return diags
}
