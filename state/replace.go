package state

import (
	"context"
	"fmt"
)

// Replace makes st (serial and lineage included) the whole local state: a
// new snapshot, the previous one kept as the backup, the journal emptied.
// It is state pull's write; the caller holds the lock.
func (s *LocalStore) Replace(ctx context.Context, st *State) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := s.journal
	defer j.lockAll()()
	if err := s.ensureDir(); err != nil {
		return err
	}
	if err := s.writeSnapshot(st); err != nil {
		return err
	}
	// The journal's lines belong to the state just replaced.
	if err := j.truncateLocked(); err != nil {
		return fmt.Errorf("empty %s after replacing the state: %w", j.path, err)
	}
	return nil
}
