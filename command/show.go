package command

import (
	"context"
	"errors"
)

// runShow is not built yet.
func runShow(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
