package command

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

const planUsage = "[-out FILE] [-json | -markdown] [-compare] [-detailed-exitcode] [-target ADDR]... [-replace ADDR]... [-max-cost N] [-endpoint URL] [-retry-uncertain] [-check-images] [-var NAME=VALUE]... [-var-file FILE]... [-lock=false] [-lock-timeout D] [-workspace NAME] [DIR]"

// planCmdArgs are plan's arguments.
type planCmdArgs struct {
	Common           commonArgs
	Dir              string // the manifest directory; "." when not given
	Out              string // -out FILE
	JSON             bool   // -json
	Markdown         bool   // -markdown
	DetailedExitcode bool   // -detailed-exitcode
	CheckImages      bool   // -check-images
	Compare          bool   // -compare
	Plan             planArgs
}

// parsePlan reads plan's command line.
func parsePlan(args []string) (planCmdArgs, error) {
	var a planCmdArgs
	fs := newFlagSet("plan", planUsage, &a.Common)
	fs.StringVar(&a.Out, "out", "", "save the plan to `FILE` for \"ltxform apply FILE\"")
	fs.BoolVar(&a.JSON, "json", false, "print the plan as one JSON document")
	fs.BoolVar(&a.DetailedExitcode, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	fs.BoolVar(&a.CheckImages, "check-images", false, "send a HEAD request to each image_url that will be bought")
	fs.BoolVar(&a.Markdown, "markdown", false, "print the plan as GitHub-flavoured Markdown, for a pull request comment")
	fs.BoolVar(&a.Compare, "compare", false, "price the manifest's videos on every provider instead (reads no state, sends nothing)")
	addPlanFlags(fs, "plan", &a.Plan)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if a.JSON && a.Markdown {
		return a, &UsageError{Msg: "-json and -markdown are two forms of the same plan: give one"}
	}
	dir, err := oneOptionalArg(fs)
	a.Dir = dirOrCurrent(dir)
	return a, err
}

// runPlan shows what apply would do and what it would cost: load, plan
// (the pipeline shared with apply), show, save.
func runPlan(ctx context.Context, env *Env, args []string) (err error) {
	a, err := parsePlan(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	// plan -json is one document, diagnostics included; the rest (a fatal
	// error, the diagnostics of the human plan) is told by the human view.
	base := newView(env, false)
	view := newPlanView(base, a.JSON)
	if a.Markdown {
		view = newPlanMarkdownView(env.Stdout, workspaceName(env, a.Plan.Lock.Workspace, a.Dir))
	}
	defer func() {
		if a.JSON && tellsAsDocument(err) {
			// A script reading plan -json gets a document in every case:
			// here one with no changes and the error as its diagnostic.
			_ = view.Plan(&plan.Plan{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: errorText(err)}})
			err = ErrReported
		}
		err = base.finish(err)
	}()

	if a.Compare {
		return runCompare(env, base, a)
	}
	opts := a.Plan.options(env)
	opts.CheckImages = a.CheckImages
	pl := &pipeline{env: env, view: base, vars: &a.Plan.Vars, lock: a.Plan.Lock, operation: "plan", readOnly: true}
	defer pl.close()
	p, m, diags, err := pl.planFromManifest(ctx, a.Dir, opts)
	if err != nil {
		if diags.HasErrors() {
			if a.JSON {
				// -json's document is the whole answer, errors included.
				_ = view.Plan(&plan.Plan{}, diags)
			} else {
				base.Diagnostics(m.Files, diags)
			}
			return ErrReported
		}
		return err
	}
	// A plan refused for its cost is still shown; one refused for a mistyped
	// -target would only say "No changes", which is wrong. The diagnostics
	// come after the table, where a budget refusal is seen.
	if a.JSON || p.HasChanges() || !diags.HasErrors() {
		if err := view.Plan(p, diags); err != nil {
			return err
		}
	}
	if !a.JSON {
		base.Diagnostics(m.Files, diags)
	}
	if diags.HasErrors() {
		return ErrReported
	}
	if a.Out != "" {
		if err := savePlan(a.Out, p); err != nil {
			return err
		}
		view.Saved(a.Out)
	}
	// A video that waits on a decision keeps the answer "changes" (2), so
	// that a nightly check does not go quiet after the first night.
	if a.DetailedExitcode && (p.HasChanges() || len(awaitingDecision(p)) > 0) {
		if !p.HasChanges() && !a.JSON && !a.Markdown { // the comment lists them itself
			base.tellDecisions(awaitingDecision(p), 2)
		}
		return ErrPlanHasChanges
	}
	return nil
}

// runCompare is plan -compare: the manifest loaded (its variables too) and
// priced on every provider; nothing is read from the state or sent.
func runCompare(env *Env, base *view, a planCmdArgs) error {
	m, diags := config.Load(a.Dir, a.Plan.Vars.loadOptions(env))
	if diags.HasErrors() {
		base.Diagnostics(m.Files, diags)
		return ErrReported
	}
	return newCompareView(base, a.JSON).Compare(plan.Compare(m, time.Now()))
}

// tellsAsDocument is whether plan -json tells err in its document: an error
// still untold, but not a usage error, which main tells with its hints.
func tellsAsDocument(err error) bool {
	var usage *UsageError
	return untold(err) && !errors.As(err, &usage)
}

// addressList is a repeatable address flag. Addresses are normalised as the
// state does, so that video.shot[a] typed without shell quotes still matches.
type addressList []string

func (l *addressList) String() string { return strings.Join(*l, ",") }

func (l *addressList) Set(v string) error {
	if !strings.HasPrefix(v, "video.") {
		return fmt.Errorf("%q is not a video address; addresses look like video.NAME or video.NAME[\"KEY\"]", v)
	}
	*l = append(*l, state.NormalizeAddress(v))
	return nil
}

// costFlag registers a cost flag: zero or more credits or US dollars.
func costFlag(fs *flagSet, v *float64, name, usage string) {
	fs.Func(name, usage, func(s string) error {
		f, err := strconv.ParseFloat(strings.TrimPrefix(strings.ReplaceAll(s, ",", ""), "$"), 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a cost, zero or more (credits or US dollars), got %q", s)
		}
		*v = f
		return nil
	})
}

// withoutColor is env for -no-color: no colour on any stream.
func withoutColor(env *Env) *Env {
	e := *env
	e.NoColor = true
	return &e
}
