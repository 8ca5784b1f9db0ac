package state

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Replace makes st (serial and lineage included) the whole local state: a
// new snapshot, the previous one kept as the backup, the journal emptied.
// It is state pull's write; the caller holds the lock.
func (s *LocalStore) Replace(ctx context.Context, st *State) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := s.journal
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := s.ensureDir(); err != nil {
		return err
	}
	data, err := encodeSnapshot(st)
	if err != nil {
		return err
	}
	if prev, err := os.ReadFile(s.SnapshotPath()); err == nil {
		if err := writeFileAtomic(s.backupPath(), prev); err != nil {
			return fmt.Errorf("keep backup %s: %w", s.backupPath(), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeFileAtomic(s.SnapshotPath(), data); err != nil {
		return fmt.Errorf("write %s: %w", s.SnapshotPath(), err)
	}
	// The journal's lines belong to the state just replaced.
	if err := j.truncateLocked(); err != nil {
		return fmt.Errorf("empty %s after replacing the state: %w", j.path, err)
	}
	return nil
}
