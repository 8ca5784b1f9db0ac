package command

import (
	"github.com/ltxform/ltxform/plan"
)

// planArgs are the arguments that shape a plan, shared by plan and apply so
// that the two commands read a manifest the same way.
type planArgs struct {
	Targets, Replace []string // -target, -replace, normalised addresses
	MaxCost          float64  // -max-cost (-max-credits); 0 = none given
	MaxCostFlag      string   // which of the two was given: refusals name it
	Endpoint         string   // -endpoint
	RetryUncertain   bool     // -retry-uncertain
	Vars             varFlags // -var and -var-file, in the order given
	Lock             lockArgs
}

// addPlanFlags registers the planning flags into pa; verb words the help text.
func addPlanFlags(fs *flagSet, verb string, pa *planArgs) {
	fs.Var((*addressList)(&pa.Targets), "target", verb+" only `ADDR` (video.NAME matches all its instances); repeatable")
	fs.Var((*addressList)(&pa.Replace), "replace", "make `ADDR` again although unchanged; repeatable")
	costFlag(fs, &pa.MaxCost, "max-cost", "refuse a change estimated at more than `N` in the provider's unit (credits or US dollars)")
	fs.Func("max-credits", "the same as -max-cost, for providers that bill in credits", func(s string) error {
		if err := fs.Set("max-cost", s); err != nil {
			return err
		}
		pa.MaxCostFlag = "-max-credits"
		return nil
	})
	fs.StringVar(&pa.Endpoint, "endpoint", "", "API base `URL` (default: $LTX_API_URL, else api.base_url, else the provider's public API)")
	fs.BoolVar(&pa.RetryUncertain, "retry-uncertain", false, "send again the creates whose answer never arrived (they may be bought twice)")
	addVarFlags(fs, &pa.Vars)
	addLockFlags(fs, &pa.Lock)
}

// options is what the arguments ask of plan.Build.
func (pa *planArgs) options(env *Env) plan.Options {
	endpoint := pa.Endpoint
	if endpoint == "" {
		endpoint = env.Getenv(envAPIURL)
	}
	return plan.Options{Targets: pa.Targets, Replace: pa.Replace, MaxCost: pa.MaxCost, MaxCostFlag: pa.MaxCostFlag,
		Endpoint: endpoint, RetryUncertain: pa.RetryUncertain}
}
