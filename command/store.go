package command

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// workspaceEnv names the workspace of a pg backend when -workspace does not.
const workspaceEnv = "LTXFORM_WORKSPACE"

// pgConnEnv holds the pg backend's connection string when the backend
// block has no conn_str, as in Terraform's pg backend.
const pgConnEnv = "PG_CONN_STR"

// pgOpenTimeout bounds connecting to the database at start, so that an
// unreachable server is an error, not a hang.
const pgOpenTimeout = 30 * time.Second

// stateStore is a state.Store with what the commands need beside it: the
// run records, force-unlock and the moves of state push and pull.
type stateStore interface {
	state.Store
	Exists(ctx context.Context) (bool, error)
	SaveRun(ctx context.Context, r *state.Run) error
	ListRuns(ctx context.Context) ([]*state.Run, error)
	LoadRun(ctx context.Context, id string) (*state.Run, error)
	ReadLockInfo() *state.LockInfo
	ForceUnlock(id string) error
	// Replace makes st the whole state; the caller holds the lock.
	Replace(ctx context.Context, st *state.State) error
	// EnsureLineage gives a new state its lineage, durably, and returns
	// it; the caller holds the lock. Idempotency-Keys carry it.
	EnsureLineage(ctx context.Context) (string, error)
	// Where names the state for messages: a directory, or a workspace on a
	// server (host and database, never a password).
	Where() string
	Close() error
}

// openStore opens the state of the manifests in dir: the backend "pg" of
// their backend block, or the local .ltxform/ without one; v tells the
// backend block's diagnostics. workspace is
// the -workspace flag ("" when not given). A database that cannot be
// reached is an error naming host and database, before anything is sent.
//
// It refuses, before anything is created, a directory that does not exist
// and, for a command that writes, one that holds no manifest
// (checkManifestDir): "apply ./typo" and "apply ./empty" make nothing. A
// read of a directory without manifest or state creates nothing, and says
// there is no state yet.
func openStore(ctx context.Context, env *Env, v *view, dir, workspace string, use storeUse) (stateStore, error) {
	if err := checkManifestDir(dir, use == storeWrite); err != nil {
		return nil, err
	}
	be, files, diags := config.LoadBackend(dir)
	if diags.HasErrors() {
		v.Diagnostics(files, diags)
		return nil, ErrReported
	}
	if be == nil {
		if workspace != "" {
			return nil, &UsageError{Msg: "-workspace needs a backend \"pg\" block in the manifests: the local state in .ltxform/ has one workspace"}
		}
		return newLocalStateStore(dir), nil
	}
	s, err := openPGStore(ctx, env, be, workspace)
	if err != nil {
		return nil, err
	}
	// A database lost mid-run leaves the transitions since in .ltxform/
	// beside the manifests; the next run here writes them back.
	s.UsePendingJournal(dir)
	return s, nil
}

// storeUse is what a command does with the store it opens.
type storeUse int

const (
	storeRead  storeUse = iota // reads only: creates nothing
	storeWrite                 // locks and writes: would create .ltxform/
)

// checkManifestDir refuses a directory that does not exist or is not a
// directory: a mistyped path would read as an empty state. With
// needManifest it also refuses one that holds no manifest file, where the
// local store would create .ltxform/; a directory whose manifests are gone
// but whose .ltxform/ is still there is accepted, so that its state can
// still be changed.
func checkManifestDir(dir string, needManifest bool) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the manifest directory %s does not exist; nothing was created", dir)
	case err != nil:
		return fmt.Errorf("manifest directory: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("the manifest directory %s is not a directory", dir)
	case !needManifest:
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("manifest directory: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		isManifest := !e.IsDir() && !strings.HasPrefix(n, ".") &&
			(strings.HasSuffix(n, config.NativeSuffix) || strings.HasSuffix(n, config.JSONSuffix))
		if isManifest || n == state.DirName && e.IsDir() {
			return nil
		}
	}
	return fmt.Errorf("the directory %s holds no manifest files (*%s or *%s); nothing was created", dir, config.NativeSuffix, config.JSONSuffix)
}

// openPGStore connects to the backend be describes.
func openPGStore(ctx context.Context, env *Env, be *config.Backend, workspace string) (*pgStateStore, error) {
	if workspace == "" {
		workspace = env.Getenv(workspaceEnv)
	}
	if workspace == "" {
		workspace = be.Workspace
	}
	if workspace == "" {
		workspace = config.DefaultBackendWorkspace
	}
	if err := config.ValidWorkspace(workspace); err != nil {
		return nil, err
	}
	conn := be.ConnStr
	if conn == "" {
		conn = env.Getenv(pgConnEnv)
	}
	if conn == "" {
		return nil, fmt.Errorf("%s: the backend \"pg\" needs a connection string: set %s in the environment, or conn_str in the block (without the password, which goes in PGPASSWORD or ~/.pgpass)", be.DeclRange, pgConnEnv)
	}
	octx, cancel := context.WithTimeout(ctx, pgOpenTimeout)
	defer cancel()
	s, err := state.NewPGStore(octx, conn, be.SchemaName, workspace)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return &pgStateStore{PGStore: s, host: state.Hostname()}, nil
}

// localStateStore is the .ltxform/ directory of a manifest directory.
type localStateStore struct {
	*state.LocalStore
	dir string // the manifest directory
}

func newLocalStateStore(dir string) *localStateStore {
	return &localStateStore{LocalStore: state.NewLocalStore(dir), dir: dir}
}

func (s *localStateStore) Exists(context.Context) (bool, error) { return s.LocalStore.Exists() }

func (s *localStateStore) SaveRun(_ context.Context, r *state.Run) error {
	return state.SaveRun(s.dir, r)
}

func (s *localStateStore) ListRuns(context.Context) ([]*state.Run, error) {
	return state.ListRuns(s.dir)
}

func (s *localStateStore) LoadRun(_ context.Context, id string) (*state.Run, error) {
	return state.LoadRun(s.dir, id)
}

func (s *localStateStore) Where() string {
	return "the state in " + s.dir
}

// pgStateStore is a workspace of a backend "pg"; its run records name the
// host that ran them.
type pgStateStore struct {
	*state.PGStore
	host string
}

func (s *pgStateStore) SaveRun(ctx context.Context, r *state.Run) error {
	r.Host = s.host
	return s.PGStore.SaveRun(ctx, r, s.host)
}

func (s *pgStateStore) ListRuns(ctx context.Context) ([]*state.Run, error) {
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

func (s *pgStateStore) LoadRun(ctx context.Context, id string) (*state.Run, error) {
	r, err := s.PGStore.LoadRun(ctx, id)
	if err != nil {
		return nil, err
	}
	r.Run.Host = r.Host
	return r.Run, nil
}
