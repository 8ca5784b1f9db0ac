package command

import (
	"context"

	"github.com/ltxform/ltxform/state"
)

// acquire takes the state lock for operation unless -lock=false. A busy lock
// is a *state.LockedError naming the holder. The returned unlock is safe to
// call more than once.
func (la lockArgs) acquire(ctx context.Context, store state.Store, operation string) (unlock func() error, err error) {
	if !la.Enabled {
		return func() error { return nil }, nil
	}
	return store.Lock(ctx, state.NewLockInfo(operation), la.Timeout)
}
