package command

import (
	"context"
	"errors"
)

// runPlan is not built yet.
func runPlan(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
