package s3state

import (
	"context"
	"slices"
)

// Workspaces lists the workspaces under the block's key.
func (s *Store) Workspaces(ctx context.Context) ([]string, error) {
	names, err := s.b.listDirs(ctx, s.keyPrefix)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// DeleteState removes every object of the workspace but the lock, which
// the caller holds and its unlock deletes.
func (s *Store) DeleteState(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	keys, err := s.b.list(ctx, s.prefix, "")
	if err != nil {
		return err
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == s.lockKey() })
	return s.b.remove(ctx, keys)
}
