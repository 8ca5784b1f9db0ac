package command

import (
	"context"
	"os"

	"github.com/ltxform/ltxform/plan"
)

// runShow prints a saved plan with the same views as plan; without a plan
// file, as in Terraform, it shows the state (as state list does) of the
// directory given, else of -chdir or the current one.
func runShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "show", "[-json] [PLANFILE | DIR]")
	jsonOut := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	arg, err := oneOptionalArg(fs)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(arg); arg == "" || err == nil && fi.IsDir() {
		st, exists, err := readStateOf(ctx, env, env.ManifestDir(arg), "")
		if err != nil {
			return err
		}
		return newStateView(env, *jsonOut).List(st, exists)
	}
	p, err := plan.Load(arg)
	if err != nil {
		return err
	}
	return newPlanView(env, *jsonOut).Plan(p, nil)
}
