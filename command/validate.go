package command

import (
	"context"
	"errors"
)

// runValidate is not built yet.
func runValidate(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
