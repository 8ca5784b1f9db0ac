package command

import (
	"context"
	"errors"
)

// runFmt is not built yet.
func runFmt(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
