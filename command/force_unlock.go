package command

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// forceUnlockArgs are force-unlock's arguments.
type forceUnlockArgs struct {
	Common    commonArgs
	ID        string // the lock ID the lock error named
	Dir       string // "." when not given
	Force     bool   // -force
	Workspace string // -workspace
}

func parseForceUnlock(args []string) (forceUnlockArgs, error) {
	var a forceUnlockArgs
	fs := newFlagSet("force-unlock", "[-force] [-workspace NAME] ID [DIR]", &a.Common)
	fs.BoolVar(&a.Force, "force", false, "do not ask for confirmation")
	addWorkspaceFlag(fs, &a.Workspace)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	var err error
	a.ID, a.Dir, err = argAndOptionalDir(fs, "force-unlock takes the lock ID (from the error that named the holder) and an optional directory")
	return a, err
}

// runForceUnlock removes the lock info a dead run left behind. The store
// refuses when the id does not match or the holder still holds the OS lock.
func runForceUnlock(ctx context.Context, env *Env, args []string) error {
	a, err := parseForceUnlock(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	v := newView(env, false)
	if !a.Force && !v.s.CanPrompt() {
		return &UsageError{Msg: "force-unlock asks for confirmation and " + v.s.whyNoPrompt() + ": give -force"}
	}
	store, err := openStore(ctx, env, v, a.Dir, a.Workspace, storeWrite)
	if err != nil {
		return err
	}
	defer store.Close()

	if !a.Force {
		info := store.ReadLockInfo()
		if info == nil {
			return fmt.Errorf("%s is not locked: there is no lock info", store.Where())
		}
		question := fmt.Sprintf("Do you really want to force-unlock?\n  The lock %s was taken by %s (pid %d on %s) at %s.\n  Unlocking while that run is alive lets two runs interleave.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ",
			info.Printable().ID, info.Printable().Operation, info.PID, info.Printable().Host, info.Created.UTC().Format(time.RFC3339))
		if !v.s.Confirm(ctx, question) {
			return errors.New("force-unlock cancelled")
		}
	}
	if err := store.ForceUnlock(a.ID); err != nil {
		return err
	}
	v.lockRemoved(a.ID, store.Where())
	return nil
}
