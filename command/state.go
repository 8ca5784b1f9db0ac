package command

import (
	"context"
	"errors"
)

// runState is not built yet.
func runState(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
