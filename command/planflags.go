package command

import (
	"flag"

	"github.com/ltxform/ltxform/plan"
)

// planFlags are the flags that shape a plan, shared by plan and apply so that
// the two commands read a manifest the same way.
type planFlags struct {
	targets, replace addressList
	maxCredits       *float64
	noColor          *bool
	vars             *varFlags
	lock             *lockFlags
}

// addPlanFlags registers the planning flags; verb words the help text.
func addPlanFlags(fs *flag.FlagSet, verb string) *planFlags {
	f := &planFlags{}
	fs.Var(&f.targets, "target", verb+" only `ADDR` (video.NAME matches all its instances); repeatable")
	fs.Var(&f.replace, "replace", "make `ADDR` again although unchanged; repeatable")
	f.maxCredits = creditsFlag(fs, "max-credits", "refuse a change estimated at more than `N` credits")
	f.noColor = fs.Bool("no-color", false, "print no colour codes")
	f.vars = addVarFlags(fs)
	f.lock = addLockFlags(fs)
	return f
}

// options is what the flags ask of plan.Build.
func (f *planFlags) options() plan.Options {
	return plan.Options{Targets: f.targets, Replace: f.replace, MaxCredits: *f.maxCredits}
}

// env applies -no-color.
func (f *planFlags) env(env *Env) *Env {
	if *f.noColor {
		return withoutColor(env)
	}
	return env
}
