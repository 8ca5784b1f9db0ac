package command

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

const planUsage = "[-out FILE] [-json] [-detailed-exitcode] [-target ADDR]... [-replace ADDR]... [-max-cost N] [-endpoint URL] [-retry-uncertain] [-check-images] [-var NAME=VALUE]... [-var-file FILE]... [-lock=false] [-lock-timeout D] [-workspace NAME] [DIR]"

// runPlan shows what apply would do and what it would cost.
func runPlan(ctx context.Context, env *Env, args []string) (err error) {
	fs := newFlagSet(env, "plan", planUsage)
	out := fs.String("out", "", "save the plan to `FILE` for \"ltxform apply FILE\"")
	jsonOut := fs.Bool("json", false, "print the plan as one JSON document")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	checkImages := fs.Bool("check-images", false, "send a HEAD request to each image_url that will be bought")
	pf := addPlanFlags(fs, "plan")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	arg, err := oneOptionalArg(fs)
	if err != nil {
		return err
	}
	view := newPlanView(env, *jsonOut)
	// An error that ends the command is told by the view: "Error:" on
	// stderr, or a JSON error document's worth on stdout.
	defer func() { err = newView(env, false).finish(err) }()
	m, diags := loadAndCheck(env, env.ManifestDir(arg), pf.vars)
	if diags.HasErrors() {
		if *jsonOut {
			// -json's document is the whole answer, errors included.
			_ = view.Plan(&plan.Plan{}, diags)
		} else {
			renderDiagnostics(env, m.Files, diags, false)
		}
		return ErrReported
	}

	// The lock is taken once the manifest is known to be good, so that a
	// mistyped directory is not left with a .ltxform in it, and held while
	// the state and the output files are read.
	store, err := openStore(ctx, env, m.Dir, *pf.lock.workspace)
	if err != nil {
		return err
	}
	defer store.Close()
	unlock, err := pf.lock.acquire(ctx, store, "plan")
	if err != nil {
		return err
	}
	defer unlock()
	opts := pf.options(env)
	opts.CheckImages = *checkImages
	p, planDiags, err := planManifest(ctx, store, m, opts)
	if err != nil {
		return err
	}
	if err := unlock(); err != nil {
		return fmt.Errorf("releasing the state lock: %w", err)
	}
	diags = append(diags, planDiags...)
	// A plan refused for its cost is still shown; one refused for a mistyped
	// -target would only say "No changes", which is wrong. The diagnostics
	// come after the table, where a budget refusal is seen.
	if *jsonOut || p.HasChanges() || !diags.HasErrors() {
		if err := view.Plan(p, diags); err != nil {
			return err
		}
	}
	if !*jsonOut {
		renderDiagnostics(env, m.Files, diags, false)
	}
	if diags.HasErrors() {
		return ErrReported
	}
	if *out != "" {
		if err := plan.Save(*out, p); err != nil {
			return err
		}
		view.Saved(*out)
	}
	if *detailed && p.HasChanges() {
		return ErrPlanHasChanges
	}
	return nil
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

// creditsFlag is a non-negative number of credits.
func costFlag(fs *flag.FlagSet, name, usage string) *float64 {
	v := new(float64)
	fs.Func(name, usage, func(s string) error {
		f, err := strconv.ParseFloat(strings.TrimPrefix(strings.ReplaceAll(s, ",", ""), "$"), 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a cost, zero or more (credits or US dollars), got %q", s)
		}
		*v = f
		return nil
	})
	return v
}

// withoutColor is env for -no-color: no colour on any stream.
func withoutColor(env *Env) *Env {
	e := *env
	e.NoColor = true
	return &e
}
