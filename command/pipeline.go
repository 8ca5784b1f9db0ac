package command

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// buildPlan is apply's path to a plan: load and check the manifest, read
// the state, diff and price. Diagnostics are rendered here (stderr; the JSON
// list when jsonOut); on an error it returns ErrReported, with the plan when
// one was built (over budget, say) so that the caller may still show it.
//
// store is the caller's, already locked: the state is read through the
// store that holds the lock.
func buildPlan(ctx context.Context, env *Env, store state.Store, dir string, vf *varFlags, opts plan.Options, jsonOut bool) (*plan.Plan, *config.Manifest, error) {
	m, err := loadManifest(env, dir, vf, jsonOut)
	if err != nil {
		return nil, nil, err
	}
	p, diags, err := planManifest(ctx, store, m, opts)
	if err != nil {
		return p, m, err
	}
	if diags.HasErrors() && p != nil && p.HasChanges() && !jsonOut {
		// A plan refused (over the budget, say) is shown first, so that the
		// refusal comes after its table and does not scroll away above it.
		if err := newPlanView(env, false).Plan(p, nil); err != nil {
			return p, m, err
		}
	}
	renderDiagnostics(env, m.Files, diags, jsonOut)
	if diags.HasErrors() {
		return p, m, ErrReported
	}
	return p, m, nil
}

// planManifest reads the state from store and diffs the loaded manifest m
// against it.
func planManifest(ctx context.Context, store state.Store, m *config.Manifest, opts plan.Options) (*plan.Plan, hcl.Diagnostics, error) {
	st, err := loadState(ctx, store)
	if err != nil {
		return nil, nil, err
	}
	p, diags := plan.BuildContext(ctx, m, st, opts)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return p, diags, nil
}

// loadState reads the state, saying so when it cannot.
func loadState(ctx context.Context, store state.Store) (*state.State, error) {
	st, err := store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	// The ledger is the plan's spend to date: every task billed from this
	// state, whether or not its entry is still there.
	if st.Ledger, err = store.Charges(ctx); err != nil {
		return nil, fmt.Errorf("reading the ledger: %w", err)
	}
	return st, nil
}
