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
	a, err := parseShow(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	if fi, err := os.Stat(a.Path); a.Path == "" || err == nil && fi.IsDir() {
		st, exists, err := readStateOf(ctx, env, newView(env, a.JSON), dirOrCurrent(a.Path), "")
		if err != nil {
			return err
		}
		return newStateView(env, a.JSON).List(st, exists)
	}
	p, err := plan.Load(a.Path)
	if err != nil {
		return err
	}
	if a.Markdown {
		return newPlanMarkdownView(env.Stdout, workspaceName(env, "", savedPlanDir(p, ""))).Plan(p, nil)
	}
	return newPlanView(newView(env, false), a.JSON).Plan(p, nil)
}

// showArgs are show's arguments.
type showArgs struct {
	Common commonArgs
	Path   string // a plan file or a directory; "" = the current directory
	JSON   bool   // -json
	// Markdown is -markdown: a saved plan as a pull request comment.
	Markdown bool
}

func parseShow(args []string) (showArgs, error) {
	var a showArgs
	fs := newFlagSet("show", "[-json | -markdown] [PLANFILE | DIR]", &a.Common)
	fs.BoolVar(&a.JSON, "json", false, "print JSON")
	fs.BoolVar(&a.Markdown, "markdown", false, "print a saved plan as GitHub-flavoured Markdown, for a pull request comment")
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if a.JSON && a.Markdown {
		return a, &UsageError{Msg: "-json and -markdown are two forms of the same plan: give one"}
	}
	var err error
	a.Path, err = oneOptionalArg(fs)
	return a, err
}
