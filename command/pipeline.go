package command

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// pipeline is the one way plan and apply go from a manifest directory to a
// plan: load the manifest, open its store (refusing before anything is
// created), lock, read the state, plan. plan releases the lock once the
// plan is made; apply holds it until close.
type pipeline struct {
	env       *Env
	view      *view // tells the backend block's diagnostics
	vars      *varFlags
	lock      lockArgs
	operation string // named in the lock info: "plan", "apply"
	// readOnly: the command writes nothing (plan), so a directory without
	// state is read without the lock, which would create .ltxform/.
	readOnly bool

	store  stateStore
	unlock func() error
}

// planFromManifest loads the manifest in dir and plans it against the
// state. A manifest with errors returns ErrReported with its diagnostics
// (not yet rendered); otherwise diags are the load's and the planner's
// findings, which may hold errors too (a budget refusal) beside the plan.
func (pl *pipeline) planFromManifest(ctx context.Context, dir string, opts plan.Options) (*plan.Plan, *config.Manifest, hcl.Diagnostics, error) {
	m, diags := loadAndCheck(pl.env, dir, withWorkspace(pl.vars, pl.lock.Workspace))
	if diags.HasErrors() {
		return nil, m, diags, ErrReported
	}
	if err := pl.open(ctx, m.Dir); err != nil {
		return nil, m, diags, err
	}
	if err := refuseSharedOutputs(ctx, pl.env, pl.store, m); err != nil {
		return nil, m, diags, err
	}
	st, err := pl.readState(ctx)
	if err != nil {
		return nil, m, diags, err
	}
	p, planDiags := plan.Build(ctx, m, st, opts)
	if err := ctx.Err(); err != nil {
		return nil, m, diags, err
	}
	if err := pl.releaseIfReadOnly(); err != nil {
		return nil, m, diags, err
	}
	return p, m, append(diags, planDiags...), nil
}

// open opens the store of dir and takes the lock: always for a command
// that writes; for a read-only one, only where there is a state to lock.
func (pl *pipeline) open(ctx context.Context, dir string) error {
	store, err := openStore(ctx, pl.env, pl.view, dir, pl.lock.Workspace, pl.storeUse())
	if err != nil {
		return err
	}
	pl.store = store
	if err := refuseUnmovedLocalState(ctx, store, dir); err != nil {
		return err
	}
	if pl.readOnly && !hasLocalState(store) {
		// Nothing has been recorded here, and taking the local lock would
		// create .ltxform/lock: a plan of a fresh directory reads the empty
		// state and leaves no file behind. An apply that starts meanwhile
		// makes no difference to a plan shown; a saved one is checked
		// against the state, under the lock, when it is applied.
		pl.unlock = func() error { return nil }
		return nil
	}
	pl.unlock, err = pl.lock.acquire(ctx, store, pl.operation)
	return err
}

func (pl *pipeline) storeUse() storeUse {
	if pl.readOnly {
		return storeRead
	}
	return storeWrite
}

// hasLocalState is false only for a local store whose .ltxform/ does not
// exist yet; a backend "pg" keeps its lock on the server.
func hasLocalState(store stateStore) bool {
	local, ok := store.(*state.LocalBackend)
	return !ok || local.Started()
}

// readState reads the state through the store that holds the lock.
func (pl *pipeline) readState(ctx context.Context) (*state.State, error) {
	return loadState(ctx, pl.store)
}

// releaseIfReadOnly lets go of plan's lock once the state and the output
// files are read, so that a long look at the plan holds no one up.
func (pl *pipeline) releaseIfReadOnly() error {
	if !pl.readOnly {
		return nil
	}
	if err := pl.unlock(); err != nil {
		return fmt.Errorf("releasing the state lock: %w", err)
	}
	return nil
}

// close releases the lock and the store, whatever the steps reached.
func (pl *pipeline) close() {
	if pl.unlock != nil {
		_ = pl.unlock()
	}
	if pl.store != nil {
		_ = pl.store.Close()
	}
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
