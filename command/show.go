package command

import (
	"context"

	"github.com/ltxform/ltxform/plan"
)

// runShow prints a saved plan with the same views as plan.
func runShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "show", "[-json] [-no-color] PLANFILE")
	jsonOut := fs.Bool("json", false, "print the plan as one JSON document")
	fs.Bool("no-color", false, "print no colour codes (show prints none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &UsageError{Msg: "show takes one argument, the plan file written by \"ltxform plan -out FILE\""}
	}
	p, err := plan.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	return newPlanView(env, *jsonOut).Plan(p, nil)
}
