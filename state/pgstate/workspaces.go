package pgstate

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Workspaces lists the workspaces of the schema that hold anything: a
// checkpointed state, entries, runs or ledger lines.
func (s *PGStore) Workspaces(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT workspace FROM `+s.t.workspaces+` WHERE serial > 0 OR dirty
UNION SELECT workspace FROM `+s.t.entries+`
UNION SELECT workspace FROM `+s.t.runs+`
UNION SELECT workspace FROM `+s.t.ledger+`
ORDER BY 1`)
	if err != nil {
		return nil, s.dbErr("listing the workspaces", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return names, s.dbErr("listing the workspaces", err)
}

// DeleteState removes the workspace's entries, runs, ledger and row, in
// one transaction. The caller holds its lock, whose release removes the
// lock info.
func (s *PGStore) DeleteState(ctx context.Context) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.dbErr("deleting the workspace", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, table := range []string{s.t.entries, s.t.runs, s.t.ledger, s.t.workspaces} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE workspace = $1`, s.workspace); err != nil {
			return s.dbErr("deleting the workspace", err)
		}
	}
	return s.dbErr("deleting the workspace", tx.Commit(ctx))
}
