package command

import (
	"flag"

	"github.com/ltxform/ltxform/plan"
)

// planFlags are the flags that shape a plan, shared by plan and apply so that
// the two commands read a manifest the same way.
type planFlags struct {
	targets, replace addressList
	maxCost          *float64
	endpoint         *string
	retryUncertain   *bool
	vars             *varFlags
	lock             *lockFlags
}

// addPlanFlags registers the planning flags; verb words the help text.
func addPlanFlags(fs *flag.FlagSet, verb string) *planFlags {
	f := &planFlags{}
	fs.Var(&f.targets, "target", verb+" only `ADDR` (video.NAME matches all its instances); repeatable")
	fs.Var(&f.replace, "replace", "make `ADDR` again although unchanged; repeatable")
	f.maxCost = costFlag(fs, "max-cost", "refuse a change estimated at more than `N` in the provider's unit (credits or US dollars)")
	fs.Func("max-credits", "the same as -max-cost, for providers that bill in credits", func(s string) error {
		return fs.Set("max-cost", s)
	})
	f.endpoint = fs.String("endpoint", "", "API base `URL` (default: $LTX_API_URL, else api.base_url, else the provider's public API)")
	f.retryUncertain = fs.Bool("retry-uncertain", false, "send again the creates whose answer never arrived (they may be bought twice)")
	f.vars = addVarFlags(fs)
	f.lock = addLockFlags(fs)
	return f
}

// options is what the flags ask of plan.Build.
func (f *planFlags) options(env *Env) plan.Options {
	endpoint := *f.endpoint
	if endpoint == "" {
		endpoint = env.Getenv(envAPIURL)
	}
	return plan.Options{Targets: f.targets, Replace: f.replace, MaxCredits: *f.maxCost,
		Endpoint: endpoint, RetryUncertain: *f.retryUncertain}
}
