package command

import (
	"context"
	"errors"
)

// runRuns is not built yet.
func runRuns(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
