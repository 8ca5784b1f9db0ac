package command

import (
	"context"
	"errors"
)

// runSim is not built yet.
func runSim(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
