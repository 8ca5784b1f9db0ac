package command

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// buildPlan is the path shared by plan and apply: load and check the
// manifest, read the state, diff and price. Diagnostics are rendered here
// (stderr; the JSON list when jsonOut); on an error it returns ErrReported,
// with the plan when one was built (over budget, say) so that the caller may
// still show it.
//
// It reads the state without locking: the caller holds the lock, plan for
// the duration of this call, apply for its whole run.
func buildPlan(ctx context.Context, env *Env, dir string, vf *varFlags, opts plan.Options, jsonOut bool) (*plan.Plan, *config.Manifest, error) {
	p, m, diags, err := buildPlanDiags(ctx, env, dir, vf, opts, jsonOut)
	if err != nil {
		return p, m, err
	}
	renderDiagnostics(env, m.Files, diags, jsonOut)
	if diags.HasErrors() {
		return p, m, ErrReported
	}
	return p, m, nil
}

// buildPlanDiags is buildPlan leaving the planner's diagnostics to the
// caller, for plan -json which puts them inside its document. A manifest
// that does not load is still reported by loadManifest, as ErrReported.
func buildPlanDiags(ctx context.Context, env *Env, dir string, vf *varFlags, opts plan.Options, jsonOut bool) (*plan.Plan, *config.Manifest, hcl.Diagnostics, error) {
	m, err := loadManifest(env, dir, vf, jsonOut)
	if err != nil {
		return nil, nil, nil, err
	}
	p, diags, err := planManifest(ctx, m, opts)
	return p, m, diags, err
}

// planManifest reads the state of the loaded manifest m and diffs the two.
func planManifest(ctx context.Context, m *config.Manifest, opts plan.Options) (*plan.Plan, hcl.Diagnostics, error) {
	st, err := loadState(ctx, m.Dir)
	if err != nil {
		return nil, nil, err
	}
	p, diags := plan.BuildContext(ctx, m, st, opts)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return p, diags, nil
}

// loadState reads the state of the manifest in dir.
func loadState(ctx context.Context, dir string) (*state.State, error) {
	store := state.NewLocalStore(dir)
	defer store.Close()
	st, err := store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	return st, nil
}
