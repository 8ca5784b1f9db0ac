package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ltxform/ltxform/state"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgRecordTimeout bounds one Record or Remove against the database. A
// database that does not answer in time is treated as lost: the transition
// goes to the pending journal, which is harmless if the statement did commit
// after all (replaying a set writes the same row again).
const pgRecordTimeout = 15 * time.Second

// PGDegradedError says why the pg store stopped writing to the database in
// the middle of a run, and where it keeps the transitions instead.
type PGDegradedError struct {
	Where   string // host/database
	Cause   string // what failed: the connection of the records or of the lock
	Pending string // the local journal of the transitions since; "" if none
}

func (e *PGDegradedError) Error() string {
	if e.Pending == "" {
		return fmt.Sprintf("the state database %s was lost mid-run (%s)", e.Where, e.Cause)
	}
	return fmt.Sprintf("the state database %s was lost mid-run (%s): no new create is sent; the tasks in flight are followed and recorded in %s, which the next run writes to the database",
		e.Where, e.Cause, e.Pending)
}

// PendingJournalName is the file, in the manifest directory's .ltxform/,
// where a pg store keeps the transitions it could not write to the
// database; one per workspace.
func PendingJournalName(workspace string) string {
	return "pg-pending-" + workspace + ".jsonl"
}

// UsePendingJournal lets the store keep transitions in manifestDir's
// .ltxform/ when the database is lost mid-run, and replay them when the
// lock is next taken. Without it, a lost database fails the Record.
func (s *PGStore) UsePendingJournal(manifestDir string) {
	s.pendingPath = filepath.Join(manifestDir, state.DirName, PendingJournalName(s.workspace))
	s.pending = state.NewJournal(s.pendingPath)
}

// PendingPath is the store's pending journal, "" when it has none.
func (s *PGStore) PendingPath() string { return s.pendingPath }

// Degraded is nil while the store writes to the database and holds its
// lock; once either is lost it says so, and every later transition goes to
// the pending journal. The executor sends no new create once it is set.
func (s *PGStore) Degraded() error {
	if d := s.degraded.Load(); d != nil {
		return d
	}
	return nil
}

// degrade switches the store to the pending journal for the rest of its
// life: a transition written locally must never be overtaken by a later one
// written to the database, since the replay would put the older one back.
func (s *PGStore) degrade(cause string) {
	s.degraded.CompareAndSwap(nil, &PGDegradedError{Where: s.where, Cause: cause, Pending: s.pendingPath})
}

// isUnreachable tells a failure of the connection (or of the time allowed)
// from the server's answer to the statement.
func isUnreachable(err error) bool {
	var pgErr *pgconn.PgError
	return !errors.As(err, &pgErr) || isConnLost(err)
}

// writeOp makes one transition durable: in the database (one statement,
// stmt) while it can be reached, else in the pending journal.
func (s *PGStore) writeOp(ctx context.Context, op state.Op, doing string, stmt func(ctx context.Context) error) error {
	if s.degraded.Load() == nil {
		sctx, cancel := context.WithTimeout(ctx, pgRecordTimeout)
		err := stmt(sctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || s.pending == nil || !isUnreachable(err) {
			return s.dbErr(doing, err)
		}
		s.degrade(s.connErr(err).(*PGConnError).Err)
	}
	if s.pending == nil {
		return s.Degraded()
	}
	if err := state.MkdirPrivate(filepath.Dir(s.pendingPath)); err != nil {
		return err
	}
	return s.pending.Append(op)
}

// readPending returns the operations of the pending journal; none when it
// does not exist.
func (s *PGStore) readPending() ([]state.Op, error) {
	return state.ReadJournal(s.pendingPath)
}

// replayPending writes the pending journal of an earlier run into the
// database, in one transaction, then removes it. The caller holds the lock.
// A crash between the commit and the removal replays the same operations
// again, which writes the same rows.
func (s *PGStore) replayPending(ctx context.Context) (int, error) {
	ops, err := s.readPending()
	if err != nil || len(ops) == 0 {
		if err == nil && s.pendingPath != "" {
			// An empty (or torn-only) journal has nothing to replay.
			if rmErr := os.Remove(s.pendingPath); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
				return 0, rmErr
			}
		}
		return 0, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, s.dbErr("replaying "+s.pendingPath, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	batch := &pgx.Batch{}
	for _, op := range ops {
		switch op.Op {
		case state.OpSet:
			data, err := json.Marshal(op.Entry)
			if err != nil {
				return 0, err
			}
			batch.Queue(`INSERT INTO `+s.t.entries+` AS t (workspace, address, status, entry, updated_at) VALUES ($1, $2, $3, $4, now())
ON CONFLICT (workspace, address) DO UPDATE SET status = excluded.status, entry = excluded.entry, updated_at = excluded.updated_at`,
				s.workspace, op.Entry.Address, string(op.Entry.Status), data)
		case state.OpRemove:
			batch.Queue(`DELETE FROM `+s.t.entries+` WHERE workspace = $1 AND address = $2`, s.workspace, op.Address)
		}
	}
	batch.Queue(`UPDATE `+s.t.workspaces+` SET dirty = true WHERE workspace = $1`, s.workspace)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return 0, s.dbErr("replaying "+s.pendingPath, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, s.dbErr("replaying "+s.pendingPath, err)
	}
	if err := os.Remove(s.pendingPath); err != nil {
		return 0, fmt.Errorf("%s is in the database now but could not be removed: %w", s.pendingPath, err)
	}
	return len(ops), state.SyncDir(filepath.Dir(s.pendingPath))
}
