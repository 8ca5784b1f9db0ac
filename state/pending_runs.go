package state

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

// PendingRuns keeps the records of runs that lost their backend (a
// database or a bucket gone mid-run) beside the backend's pending journal,
// until the next Lock writes them back: without them the record would stay
// "running" in the backend and the next apply would call that run killed.
type PendingRuns struct {
	Dir string // "" when the backend keeps no pending journal
}

// PendingRunsBeside is the directory of run records beside the pending
// journal at journalPath.
func PendingRunsBeside(journalPath string) PendingRuns {
	if journalPath == "" {
		return PendingRuns{}
	}
	return PendingRuns{Dir: strings.TrimSuffix(journalPath, ".jsonl") + "-runs"}
}

// Save keeps r, atomically.
func (p PendingRuns) Save(r *Run) error {
	return saveRunIn(p.Dir, r)
}

// Replay hands each kept record to save, and removes it once saved. The
// caller holds the backend's lock.
func (p PendingRuns) Replay(ctx context.Context, save func(context.Context, *Run) error) error {
	if p.Dir == "" {
		return nil
	}
	names, err := runFileNames(p.Dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		path := filepath.Join(p.Dir, name)
		r, err := readRun(path)
		if err != nil {
			return err
		}
		if err := save(ctx, r); err != nil {
			return err
		}
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	_ = os.Remove(p.Dir) // empty now, unless a record could not be read
	return nil
}
