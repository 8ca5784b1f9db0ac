package command

import (
	"context"
	"fmt"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// runStatePush copies the local state of a directory, with its ledger and
// run records, to the backend its manifests name.
func runStatePush(ctx context.Context, env *Env, args []string) error {
	return runStateMove(ctx, env, "push", args)
}

// runStatePull copies the state of the backend, with its ledger and run
// records, to the local .ltxform/ of the directory.
func runStatePull(ctx context.Context, env *Env, args []string) error {
	return runStateMove(ctx, env, "pull", args)
}

// stateMoveArgs are the arguments of state push and state pull.
type stateMoveArgs struct {
	Common      commonArgs
	Dir         string        // "." when not given
	Force       bool          // -force
	LockTimeout time.Duration // -lock-timeout
	Workspace   string        // -workspace
}

// parseStateMove reads the command line of state push or pull (verb).
func parseStateMove(verb string, args []string) (stateMoveArgs, error) {
	var a stateMoveArgs
	fs := newFlagSet("state "+verb, "[-force] [-lock-timeout D] [-workspace NAME] [DIR]", &a.Common)
	fs.BoolVar(&a.Force, "force", false, "overwrite a target that already holds a state")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "wait up to `DURATION` for a lock held by another run (0: fail at once)")
	addWorkspaceFlag(fs, &a.Workspace)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	dir, err := oneOptionalArg(fs)
	a.Dir = dirOrCurrent(dir)
	return a, err
}

func runStateMove(ctx context.Context, env *Env, verb string, args []string) error {
	a, err := parseStateMove(verb, args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	if err := checkManifestDir(a.Dir, false); err != nil {
		return err
	}
	v := newView(env, false)
	be, files, diags := config.LoadBackend(a.Dir)
	if diags.HasErrors() {
		v.Diagnostics(files, diags)
		return ErrReported
	}
	if be == nil {
		return fmt.Errorf("state %s moves the state between .ltxform/ and a backend, and the manifests in %s have no backend block", verb, a.Dir)
	}
	local := state.NewLocalBackend(a.Dir)
	defer local.Close()
	remote, err := stateBackends.Open(ctx, state.OpenRequest{Dir: a.Dir, Block: be, Getenv: env.Getenv}, a.Workspace)
	if err != nil {
		return err
	}
	defer remote.Close()
	var src, dst stateStore = local, remote
	if verb == "pull" {
		src, dst = remote, local
	}

	// Always local first, then the database: a push and a pull at once
	// cannot each hold one lock and wait for the other.
	for _, s := range []stateStore{local, remote} {
		unlock, err := s.Lock(ctx, state.NewLockInfo("state "+verb), a.LockTimeout)
		if err != nil {
			return err
		}
		defer unlock()
	}

	if ok, err := src.Exists(ctx); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("nothing to %s: %s holds no state", verb, src.Where())
	}
	if ok, err := dst.Exists(ctx); err != nil {
		return err
	} else if ok && !a.Force {
		old, err := dst.Load(ctx)
		if err != nil {
			return err
		}
		return fmt.Errorf("%s already holds a state (serial %d, %d videos); state %s would overwrite it. Use -force to replace it; nothing was changed", dst.Where(), old.Serial, len(old.Entries), verb)
	}
	m, runsErr, err := state.Copy(ctx, src, dst)
	if err != nil {
		return err
	}
	if err := local.MarkMoved(ctx, remote.Where()); err != nil {
		return fmt.Errorf("the state was copied, but .ltxform/ could not note it: %w", err)
	}
	v.stateCopied(m, src.Where(), dst.Where())
	if runsErr != nil {
		return fmt.Errorf("some run records could not be read and were not copied: %w", runsErr)
	}
	return nil
}
