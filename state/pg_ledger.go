package state

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// pgLedgerReady remembers the stores whose ledger table is known to exist,
// so that each process creates it (if need be) once.
var pgLedgerReady sync.Map // *PGStore → struct{}

// ledgerTable is the schema-qualified ledger table: one row per ledger
// line, in the order they were written, never updated or deleted.
func (s *PGStore) ledgerTable() string {
	return pgx.Identifier{s.schema, "ledger"}.Sanitize()
}

// ensureLedger creates the ledger table if it is missing. It is kept apart
// from the numbered migrations so that it needs nothing of them: CREATE ...
// IF NOT EXISTS under the same advisory lock the migrations take.
func (s *PGStore) ensureLedger(ctx context.Context) error {
	if _, ok := pgLedgerReady.Load(s); ok {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.dbErr("creating the ledger table", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "ltxform-migrate/"+s.schema); err != nil {
		return s.dbErr("locking the schema for the ledger table", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.ledgerTable()+` (
	seq       bigserial PRIMARY KEY,
	workspace text NOT NULL,
	line      jsonb NOT NULL, -- a state.Charge as JSON
	at        timestamptz NOT NULL DEFAULT now()
)`); err != nil {
		return s.dbErr("creating the ledger table", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.dbErr("creating the ledger table", err)
	}
	pgLedgerReady.Store(s, struct{}{})
	return nil
}

// Charge appends c to the workspace's ledger, committed before it returns.
func (s *PGStore) Charge(ctx context.Context, c Charge) error {
	if err := s.ensureLedger(ctx); err != nil {
		return err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO `+s.ledgerTable()+` (workspace, line) VALUES ($1, $2)`, s.workspace, data)
	return s.dbErr("recording the charge of "+c.Address, err)
}

// Charges returns the workspace's ledger, folded.
func (s *PGStore) Charges(ctx context.Context) (Ledger, error) {
	if err := s.ensureLedger(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, line FROM `+s.ledgerTable()+` WHERE workspace = $1 ORDER BY seq`, s.workspace)
	if err != nil {
		return nil, s.dbErr("reading the ledger", err)
	}
	var lines []Charge
	var seq int64
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &raw}, func() error {
		var c Charge
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("ledger line %d of %s is corrupt: %v", seq, s.Where(), err)
		}
		lines = append(lines, c)
		return nil
	})
	if err != nil {
		return nil, s.dbErr("reading the ledger", err)
	}
	return FoldCharges(lines), nil
}
