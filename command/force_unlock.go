package command

import (
	"context"
	"errors"
)

// runForceUnlock is not built yet.
func runForceUnlock(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
