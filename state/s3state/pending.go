package s3state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/ltxform/ltxform/state"
)

// A bucket lost mid-run is handled as the pg store handles its database:
// no new create is sent, the tasks in flight are followed and their
// transitions kept in a local journal beside the manifests, which the next
// run here writes to the bucket under the lock.

// DegradedError says why the store stopped writing to the bucket mid-run
// and where it keeps the transitions instead.
type DegradedError struct {
	Where   string
	Cause   string
	Pending string
}

func (e *DegradedError) Error() string {
	return fmt.Sprintf("the state bucket of %s was lost mid-run (%s): no new create is sent; the tasks in flight are followed and recorded in %s, which the next run writes to the bucket",
		e.Where, e.Cause, e.Pending)
}

// errStillDegraded stops the writes queued behind the one that failed.
var errStillDegraded = errors.New("the state bucket was lost")

// PendingJournalName is the file, in the manifest directory's .ltxform/,
// where an s3 store keeps the transitions the bucket could not take.
func PendingJournalName(workspace string) string { return "s3-pending-" + workspace + ".jsonl" }

// UsePendingJournal lets the store keep transitions in manifestDir's
// .ltxform/ when the bucket is lost mid-run, and write them back when the
// lock is next taken. Without it, a lost bucket fails the Record.
func (s *Store) UsePendingJournal(manifestDir string) {
	s.pendingPath = filepath.Join(manifestDir, state.DirName, PendingJournalName(s.workspace))
	s.pending = state.NewJournal(s.pendingPath)
}

// Degraded is nil while the store writes to the bucket; once a write could
// not reach it, it says so, and every later transition goes to the pending
// journal. The executor sends no new create once it is set.
func (s *Store) Degraded() error {
	if d := s.degraded.Load(); d != nil {
		return d
	}
	return nil
}

// unreachable tells a bucket that cannot be reached (network, time, a
// server error) from its answer to the request.
func unreachable(err error) bool {
	if errors.Is(err, errStillDegraded) {
		return true
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		// 0: the request never got an answer.
		return re.HTTPStatusCode() == 0 || re.HTTPStatusCode() >= 500
	}
	var apiErr smithy.APIError
	return !errors.As(err, &apiErr)
}

// keepLocally writes op to the pending journal once the bucket failed with
// err, degrading the store; other failures are returned.
func (s *Store) keepLocally(ctx context.Context, op state.Op, err error) error {
	if s.pending == nil || ctx.Err() != nil || !unreachable(err) {
		return err
	}
	cause := err.Error()
	if errors.Is(err, errStillDegraded) {
		cause = "an earlier write failed"
	}
	s.degraded.CompareAndSwap(nil, &DegradedError{Where: s.Where(), Cause: cause, Pending: s.pendingPath})
	if err := state.MkdirPrivate(filepath.Dir(s.pendingPath)); err != nil {
		return err
	}
	return s.pending.Append(op)
}

// readPending returns the operations of the pending journal.
func (s *Store) readPending() ([]state.Op, error) {
	return state.ReadJournal(s.pendingPath)
}

// replayPending writes the pending journal (and the run records kept
// beside it) to the bucket, as one journal object, then removes it. The
// caller holds the lock; a crash between the write and the removal writes
// the same transitions again, which changes nothing.
func (s *Store) replayPending(ctx context.Context) error {
	ops, err := s.readPending()
	if err != nil {
		return err
	}
	if len(ops) > 0 {
		var lines []string
		for _, op := range ops {
			data, err := json.Marshal(op)
			if err != nil {
				return err
			}
			lines = append(lines, string(data))
		}
		seq, err := s.nextSeq(ctx)
		if err != nil {
			return err
		}
		if err := s.b.put(ctx, s.key("journal/"+seq), []byte(strings.Join(lines, "\n")+"\n"), putMode{}); err != nil {
			return fmt.Errorf("writing %s back to the bucket: %w", s.pendingPath, err)
		}
	}
	if s.pendingPath != "" {
		if err := os.Remove(s.pendingPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return s.replayPendingRuns(ctx)
}

// savePendingRun keeps the record of a run that lost its bucket beside the
// pending journal (state.PendingRuns).
func (s *Store) savePendingRun(r *state.Run) error {
	return state.PendingRunsBeside(s.pendingPath).Save(r)
}

// replayPendingRuns writes the kept run records to the bucket and removes
// them.
func (s *Store) replayPendingRuns(ctx context.Context) error {
	return state.PendingRunsBeside(s.pendingPath).Replay(ctx, s.SaveRun)
}
