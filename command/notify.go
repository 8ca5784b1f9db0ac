package command

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/notify"
	"github.com/ltxform/ltxform/state"
)

// budgetRefusal is the planner's diagnostic for a plan over its budget.
const budgetRefusal = "Plan exceeds the budget"

// notifyOutcome is what apply learns for its notifications as it goes.
type notifyOutcome struct {
	blocks     []*config.Notify
	run        *state.Run // the run's record, once it ran
	decisions  int        // videos waiting on a decision
	budgetStop bool       // the budget refused the plan or stopped the creates
}

// noteBudget remembers a plan refused by its budget.
func (o *notifyOutcome) noteBudget(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary == budgetRefusal {
			o.budgetStop = true
		}
	}
}

// notify tells the run's outcome to the manifest's notify blocks. It never
// changes the exit code: a block whose secret is missing, or a delivery
// that fails within its 30 s, is a warning.
func (r *applyRun) notify(ctx context.Context, exit int, message string) {
	if len(r.outcome.blocks) == 0 {
		return
	}
	targets, warnings := notifyTargets(r.env, r.outcome.blocks)
	for _, w := range warnings {
		r.view.Warn(w)
	}
	s := r.summary(exit, message)
	for _, err := range notify.Deliver(context.WithoutCancel(ctx), targets, s, notify.Options{}) {
		r.view.Warn(err.Error() + "; the run's exit code is its own")
	}
}

// summary is the run as the notifications tell it.
func (r *applyRun) summary(exit int, message string) notify.Summary {
	o := r.outcome
	s := notify.Summary{RunID: r.runID, Workspace: workspaceName(r.env, r.args.Plan.Lock.Workspace, r.dir), ExitCode: exit,
		Counts: map[string]int{}, Failed: []notify.Failure{}, Message: message, Cost: notify.Cost{Unit: "credits"}}
	uncertain := o.decisions > 0
	failed := exit == ExitRunError
	if run := o.run; run != nil {
		s.Counts = run.Counts
		s.Cost = notify.Cost{Unit: string(runUnit(run)), Total: run.CostConsumed}
		if message == "" {
			s.Message = run.Message
		}
		for _, res := range run.Results {
			switch res.Status {
			case state.ResultFailed:
				failed = true
				s.Failed = append(s.Failed, notify.Failure{Address: res.Address, Code: res.ErrorCode, RequestID: res.RequestID, Message: res.ErrorMessage})
			case state.ResultUncertain:
				uncertain = true
			case state.ResultSkipped:
				if strings.Contains(res.ErrorMessage, "the budget of") {
					o.budgetStop = true
				}
			}
		}
	}
	if exit == 0 && r.recorded {
		s.Events = append(s.Events, notify.Completed)
	}
	if failed {
		s.Events = append(s.Events, notify.Failed)
	}
	if uncertain {
		s.Events = append(s.Events, notify.Uncertain)
	}
	if o.budgetStop {
		s.Events = append(s.Events, notify.BudgetStop)
	}
	return s
}

// notifyTargets reads each block's secret from the environment; a block
// whose variable is unset or invalid is left out, with a warning that
// names the variable, never its value.
func notifyTargets(env *Env, blocks []*config.Notify) ([]notify.Target, []string) {
	var targets []notify.Target
	var warnings []string
	getenv := func(name string) string {
		if env.Getenv == nil {
			return ""
		}
		return strings.TrimSpace(env.Getenv(name))
	}
	for _, b := range blocks {
		where := fmt.Sprintf("%s:%d", b.DeclRange.Filename, b.DeclRange.Start.Line)
		t := notify.Target{Kind: b.Type, Where: where, URL: b.URL}
		for _, e := range b.On {
			t.On = append(t.On, notify.Event(e))
		}
		switch b.Type {
		case "slack":
			if t.URL = getenv(b.WebhookURLEnv); t.URL == "" {
				warnings = append(warnings, fmt.Sprintf("notify %q (%s): %s is not set, so nothing was sent to Slack", b.Type, where, b.WebhookURLEnv))
				continue
			}
		case "webhook":
			secret := getenv(b.SecretEnv)
			if secret == "" {
				warnings = append(warnings, fmt.Sprintf("notify %q (%s): %s is not set, so the webhook was not sent (it is always signed)", b.Type, where, b.SecretEnv))
				continue
			}
			key, err := notify.ParseSecret(secret)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("notify %q (%s): %s: %v", b.Type, where, b.SecretEnv, err))
				continue
			}
			t.Secret = key
		}
		targets = append(targets, t)
	}
	return targets, warnings
}
