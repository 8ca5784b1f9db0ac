package pgstate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ltxform/ltxform/state"
)

// ConnEnv holds the pg backend's connection string when the backend block
// has no conn_str, as in Terraform's pg backend.
const ConnEnv = "PG_CONN_STR"

// openTimeout bounds connecting to the database at start, so that an
// unreachable server is an error, not a hang.
const openTimeout = 30 * time.Second

// Open is the backend "pg" of req: a workspace of the database its block or
// $PG_CONN_STR names. A database lost mid-run leaves the transitions since
// in req.Dir's .ltxform/, which the next run there writes back.
func Open(ctx context.Context, req state.OpenRequest) (state.Backend, error) {
	be := req.Block
	conn := be.ConnStr
	if conn == "" && req.Getenv != nil {
		conn = req.Getenv(ConnEnv)
	}
	if conn == "" {
		return nil, fmt.Errorf("%s: the backend \"pg\" needs a connection string: set %s in the environment, or conn_str in the block (without the password, which goes in PGPASSWORD or ~/.pgpass)", be.DeclRange, ConnEnv)
	}
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	s, err := NewPGStore(octx, conn, be.SchemaName, req.Workspace)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	s.UsePendingJournal(req.Dir)
	return NewBackend(s), nil
}

// NewBackend is s as a state.Backend of this host.
func NewBackend(s *PGStore) *Backend { return &Backend{PGStore: s, host: state.Hostname()} }

// Backend is a workspace of a backend "pg" as a state.Backend; its run
// records name the host that ran them.
type Backend struct {
	*PGStore
	host string
}

var (
	_ state.Backend        = (*Backend)(nil)
	_ state.MultiWorkspace = (*Backend)(nil)
)

// SaveRun stores r as run on this host.
func (s *Backend) SaveRun(ctx context.Context, r *state.Run) error {
	if r.Host == "" {
		r.Host = s.host
	}
	err := s.PGStore.SaveRun(ctx, r, r.Host)
	if err != nil && s.Degraded() != nil && s.PendingPath() != "" {
		// The database is gone: the record waits beside the pending
		// journal, and the next run here writes both back.
		if perr := s.savePendingRun(r); perr != nil {
			return errors.Join(err, perr)
		}
		return nil
	}
	return err
}

// ListRuns returns the workspace's runs, newest first, each with its host.
func (s *Backend) ListRuns(ctx context.Context) ([]*state.Run, error) {
	runs, err := s.PGStore.ListRuns(ctx)
	out := make([]*state.Run, len(runs))
	for i, r := range runs {
		out[i] = r.Run
		out[i].Host = r.Host // the column: records pushed from .ltxform/ have none of their own
	}
	if runs == nil && err != nil {
		return nil, err
	}
	return out, err
}

// LoadRun reads one run record with its host.
func (s *Backend) LoadRun(ctx context.Context, id string) (*state.Run, error) {
	r, err := s.PGStore.LoadRun(ctx, id)
	if err != nil {
		return nil, err
	}
	r.Run.Host = r.Host
	return r.Run, nil
}
