package state

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
	out, err := PrepareRun(r)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := MkdirPrivate(p.Dir); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(p.Dir, r.ID+".json"), append(data, '\n'), 0o600)
}

// Replay hands each kept record to save, and removes it once saved. The
// caller holds the backend's lock.
func (p PendingRuns) Replay(ctx context.Context, save func(context.Context, *Run) error) error {
	if p.Dir == "" {
		return nil
	}
	des, err := os.ReadDir(p.Dir)
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
		path := filepath.Join(p.Dir, de.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		r, err := DecodeRun(strings.TrimSuffix(de.Name(), ".json"), data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
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
