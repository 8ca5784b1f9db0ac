package pgstate

import (
	"context"

	"github.com/ltxform/ltxform/state"
)

// savePendingRun keeps the record of a run that lost its database beside
// the pending journal (state.PendingRuns).
func (s *PGStore) savePendingRun(r *state.Run) error {
	return state.PendingRunsBeside(s.pendingPath).Save(r)
}

// replayPendingRuns writes the records kept by savePendingRun to the
// database, then removes them. The caller holds the lock.
func (s *PGStore) replayPendingRuns(ctx context.Context) error {
	return state.PendingRunsBeside(s.pendingPath).Replay(ctx, func(ctx context.Context, r *state.Run) error {
		return s.SaveRun(ctx, r, r.Host)
	})
}
