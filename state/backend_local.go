package state

import (
	"context"
	"errors"
	"os"
)

// LocalBackend is the .ltxform/ directory of a manifest directory, as a
// Backend: the LocalStore and the run records beside it.
type LocalBackend struct {
	*LocalStore
	manifestDir string
}

var _ Backend = (*LocalBackend)(nil)

// NewLocalBackend is the local state of the manifests in manifestDir; it
// touches no file until it is used.
func NewLocalBackend(manifestDir string) *LocalBackend {
	return &LocalBackend{LocalStore: NewLocalStore(manifestDir), manifestDir: manifestDir}
}

// Exists tells whether anything was ever recorded here.
func (s *LocalBackend) Exists(context.Context) (bool, error) { return s.LocalStore.Exists() }

// SaveRun writes r to .ltxform/runs/.
func (s *LocalBackend) SaveRun(_ context.Context, r *Run) error { return SaveRun(s.manifestDir, r) }

// ListRuns reads .ltxform/runs/, newest first.
func (s *LocalBackend) ListRuns(context.Context) ([]*Run, error) { return ListRuns(s.manifestDir) }

// LoadRun reads one record of .ltxform/runs/.
func (s *LocalBackend) LoadRun(_ context.Context, id string) (*Run, error) {
	return LoadRun(s.manifestDir, id)
}

// Where names the directory.
func (s *LocalBackend) Where() string { return "the state in " + s.manifestDir }

// Started tells whether .ltxform/ exists: a read of a directory without it
// takes no lock, which would create it.
func (s *LocalBackend) Started() bool {
	_, err := os.Stat(s.Dir())
	return !errors.Is(err, os.ErrNotExist)
}
