package command

import (
	"context"
	"flag"
	"time"

	"github.com/ltxform/ltxform/state"
)

// lockFlags are -lock and -lock-timeout, shared by every command that reads
// or writes the state.
type lockFlags struct {
	enabled   bool
	timeout   time.Duration
	workspace *string // -workspace, for a backend "pg"
}

// addLockFlags registers -lock and -lock-timeout on fs.
func addLockFlags(fs *flag.FlagSet) *lockFlags {
	lf := &lockFlags{}
	fs.BoolVar(&lf.enabled, "lock", true, "take the state lock (-lock=false only for read-only use)")
	fs.DurationVar(&lf.timeout, "lock-timeout", 0, "wait up to `DURATION` for a lock held by another run (0: fail at once)")
	lf.workspace = addWorkspaceFlag(fs)
	return lf
}

// acquire takes the state lock for operation unless -lock=false. A busy lock
// is a *state.LockedError naming the holder. The returned unlock is safe to
// call more than once.
func (lf *lockFlags) acquire(ctx context.Context, store state.Store, operation string) (unlock func() error, err error) {
	if !lf.enabled {
		return func() error { return nil }, nil
	}
	return store.Lock(ctx, state.NewLockInfo(operation), lf.timeout)
}
