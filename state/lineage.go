package state

import (
	"context"
	"fmt"
)

// EnsureLineage gives the local state its lineage before anything is bought
// with it, and returns it: every Idempotency-Key carries the lineage, so
// two state directories never share tasks. A new state gets a snapshot of
// serial 0 holding only the lineage (the journal's lines, if a crashed first
// run left any, still fold onto it); an existing lineage is kept. The caller
// holds the lock.
func (s *LocalStore) EnsureLineage(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	defer s.journal.lockAll()()
	st, err := readSnapshot(s.SnapshotPath(), s.backupPath())
	if err != nil {
		return "", err
	}
	if st == nil {
		st = NewState()
	}
	if st.Lineage != "" {
		return st.Lineage, nil
	}
	if err := s.ensureDir(); err != nil {
		return "", err
	}
	st.Lineage = newRandomID()
	data, err := encodeSnapshot(st)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(s.SnapshotPath(), data); err != nil {
		return "", fmt.Errorf("write %s: %w", s.SnapshotPath(), err)
	}
	return st.Lineage, nil
}
