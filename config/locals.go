package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// local is one attribute of a locals block.
type local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

func decodeLocalsBlock(block *hcl.Block) ([]*local, hcl.Diagnostics) {
	attrs, diags := block.Body.JustAttributes()
	out := make([]*local, 0, len(attrs))
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		out = append(out, &local{Name: name, Expr: a.Expr, DeclRange: a.Range})
	}
	return out, diags
}

// localDeps are the locals an expression refers to.
func localDeps(expr hcl.Expression) []string {
	var deps []string
	for _, tr := range expr.Variables() {
		if tr.RootName() != "local" || len(tr) < 2 {
			continue
		}
		if step, ok := tr[1].(hcl.TraverseAttr); ok {
			deps = append(deps, step.Name)
		}
	}
	return deps
}

// orderLocals sorts locals so that each comes after the ones it refers to,
// and reports every cycle by its members. Locals in a cycle are left out.
func orderLocals(locals map[string]*local) ([]*local, hcl.Diagnostics) {
	const (
		unvisited = iota
		visiting
		done
	)
	var diags hcl.Diagnostics
	state := map[string]int{}
	inCycle := map[string]bool{}
	var order []*local
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = visiting
		stack = append(stack, name)
		for _, dep := range localDeps(locals[name].Expr) {
			if _, ok := locals[dep]; !ok {
				continue // reported by checkReferences
			}
			switch state[dep] {
			case unvisited:
				visit(dep)
			case visiting:
				start := 0
				for i, s := range stack {
					if s == dep {
						start = i
					}
				}
				members := append(append([]string(nil), stack[start:]...), dep)
				path := make([]string, len(members))
				for i, m := range members {
					path[i] = "local." + m
					inCycle[m] = true
				}
				r := locals[dep].DeclRange
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Cycle in locals",
					Detail:   fmt.Sprintf("These local values refer to each other: %s. Break the cycle by giving one of them a value that does not depend on the others.", strings.Join(path, " → ")),
					Subject:  &r,
				})
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
		order = append(order, locals[name])
	}
	for _, name := range sortedKeys(locals) {
		if state[name] == unvisited {
			visit(name)
		}
	}
	out := order[:0]
	for _, l := range order {
		if !inCycle[l.Name] {
			out = append(out, l)
		}
	}
	return out, diags
}

// evalLocals evaluates the locals in dependency order; a local whose
// evaluation fails is unknown, so that its users stay quiet.
func evalLocals(ordered []*local, all map[string]*local, ctx *hcl.EvalContext, s scope) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	values := map[string]cty.Value{}
	for name := range all {
		values[name] = cty.DynamicVal // cycle members and failures
	}
	for _, l := range ordered {
		if d := checkReferences(l.Expr, s); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		ctx.Variables["local"] = cty.ObjectVal(values)
		v, d := l.Expr.Value(ctx)
		diags = append(diags, d...)
		if !d.HasErrors() {
			values[l.Name] = v
		}
	}
	ctx.Variables["local"] = cty.ObjectVal(values)
	return values, diags
}
