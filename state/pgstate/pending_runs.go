package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ltxform/ltxform/internal/atomicfile"
	"github.com/ltxform/ltxform/state"
)

// pendingRunsDir is where a run that lost its database keeps its record,
// beside the pending journal, until the next Lock writes it back: without
// it the record would stay "running" in the database and the next apply
// would call that run killed.
func (s *PGStore) pendingRunsDir() string {
	if s.pendingPath == "" {
		return ""
	}
	return strings.TrimSuffix(s.pendingPath, ".jsonl") + "-runs"
}

// savePendingRun keeps r in the pending runs directory, atomically.
func (s *PGStore) savePendingRun(r *state.Run) error {
	out, err := state.PrepareRun(r)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	dir := s.pendingRunsDir()
	if err := state.MkdirPrivate(dir); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, r.ID+".json"), append(data, '\n'), 0o600)
}

// replayPendingRuns writes the records kept by savePendingRun to the
// database, then removes them. The caller holds the lock.
func (s *PGStore) replayPendingRuns(ctx context.Context) error {
	dir := s.pendingRunsDir()
	if dir == "" {
		return nil
	}
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), ".json") || strings.HasPrefix(de.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, de.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		r, err := state.DecodeRun(strings.TrimSuffix(de.Name(), ".json"), data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := s.SaveRun(ctx, r, r.Host); err != nil {
			return err
		}
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	_ = os.Remove(dir) // empty now, unless a record could not be read
	return nil
}
