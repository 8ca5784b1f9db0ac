package state

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ltxform/ltxform/config"
)

// Backend is a Store with what the commands need beside it: the run
// records, force-unlock and the moves of state push and pull. Every
// command opens the state as a Backend, through Registry.Open; the local
// store, the pg store (package pgstate) and the S3 store (package s3state)
// implement it and keep the contract of package storetest.
type Backend interface {
	Store
	// Exists tells whether anything was ever recorded here.
	Exists(ctx context.Context) (bool, error)
	// SaveRun stores r (giving it an id if it has none), naming the host
	// that ran it.
	SaveRun(ctx context.Context, r *Run) error
	// ListRuns returns every run record, newest first; records that cannot
	// be read are named in the error beside the others.
	ListRuns(ctx context.Context) ([]*Run, error)
	// LoadRun reads the record of run id; a unique prefix is enough.
	LoadRun(ctx context.Context, id string) (*Run, error)
	ReadLockInfo() *LockInfo
	ForceUnlock(id string) error
	// Replace makes st the whole state; the caller holds the lock.
	Replace(ctx context.Context, st *State) error
	// EnsureLineage gives a new state its lineage, durably, and returns
	// it; the caller holds the lock. Idempotency-Keys carry it.
	EnsureLineage(ctx context.Context) (string, error)
	// Where names the state for messages: a directory, or a workspace on a
	// server (never a password).
	Where() string
	Close() error
}

// MultiWorkspace is a backend that holds other workspaces beside the one
// it opened (pg, s3; the local state has one).
type MultiWorkspace interface {
	// Workspace is the name of the opened workspace.
	Workspace() string
	// Workspaces lists, sorted, the backend's workspaces that hold anything.
	Workspaces(ctx context.Context) ([]string, error)
	// DeleteState removes everything of the opened workspace: its state,
	// runs and ledger. The caller holds its lock, which its unlock frees.
	DeleteState(ctx context.Context) error
}

// WorkspaceEnv names the workspace of a backend when -workspace does not.
const WorkspaceEnv = "LTXFORM_WORKSPACE"

// OpenRequest is what a backend is opened from.
type OpenRequest struct {
	// Dir is the manifest directory: the local state's home, and where a
	// remote backend keeps what it could not write mid-run.
	Dir string
	// Block is the manifests' backend block; nil for the local state.
	Block *config.Backend
	// Workspace is the one chosen (flag, environment, block or default).
	Workspace string
	// Getenv reads the environment (a test's, or the process's).
	Getenv func(string) string
}

// OpenFunc opens one type of backend.
type OpenFunc func(ctx context.Context, req OpenRequest) (Backend, error)

// Registry maps a backend block's type to the function that opens it; the
// local state needs no entry. The command line lists its backends in one
// place, so that a package that needs none of them links none of their
// drivers.
type Registry map[string]OpenFunc

// Open opens the state of req: the local .ltxform/ without a block, else the
// backend its type names, on the workspace chosen from workspaceFlag,
// $LTXFORM_WORKSPACE, the block and "default", in that order.
func (r Registry) Open(ctx context.Context, req OpenRequest, workspaceFlag string) (Backend, error) {
	if req.Block == nil {
		return NewLocalBackend(req.Dir), nil
	}
	open, ok := r[req.Block.Type]
	if !ok {
		return nil, fmt.Errorf("%s: this build cannot open a backend %q (it knows %s)", req.Block.DeclRange, req.Block.Type, strings.Join(r.types(), ", "))
	}
	ws, err := ChooseWorkspace(req.Block, workspaceFlag, req.Getenv)
	if err != nil {
		return nil, err
	}
	req.Workspace = ws
	return open(ctx, req)
}

func (r Registry) types() []string {
	var out []string
	for t := range r {
		out = append(out, fmt.Sprintf("%q", t))
	}
	sort.Strings(out)
	return out
}

// ChooseWorkspace is the workspace of a backend: the flag, else
// $LTXFORM_WORKSPACE, else the block's, else "default"; checked.
func ChooseWorkspace(block *config.Backend, flag string, getenv func(string) string) (string, error) {
	ws := flag
	if ws == "" && getenv != nil {
		ws = getenv(WorkspaceEnv)
	}
	if ws == "" && block != nil {
		ws = block.Workspace
	}
	if ws == "" {
		ws = config.DefaultBackendWorkspace
	}
	if err := config.ValidWorkspace(ws); err != nil {
		return "", err
	}
	return ws, nil
}
