package pgstate

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/ltxform/ltxform/state"

	"github.com/jackc/pgx/v5"
)

// Charge appends c to the workspace's ledger, committed before it returns.
func (s *PGStore) Charge(ctx context.Context, c state.Charge) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO `+s.t.ledger+` (workspace, line) VALUES ($1, $2)`, s.workspace, data)
	return s.dbErr("recording the charge of "+c.Address, err)
}

// Charges returns the workspace's ledger, folded.
func (s *PGStore) Charges(ctx context.Context) (state.Ledger, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, line FROM `+s.t.ledger+` WHERE workspace = $1 ORDER BY seq`, s.workspace)
	if err != nil {
		return nil, s.dbErr("reading the ledger", err)
	}
	var lines []state.Charge
	var seq int64
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &raw}, func() error {
		var c state.Charge
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("ledger line %d of %s is corrupt: %v", seq, s.Where(), err)
		}
		lines = append(lines, c)
		return nil
	})
	if err != nil {
		return nil, s.dbErr("reading the ledger", err)
	}
	return state.FoldCharges(lines), nil
}
