package command

import (
	"context"
	"errors"
)

// runApply is not built yet.
func runApply(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
