package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ltxform/ltxform/internal/atomicfile"
)

// Names inside a manifest directory.
const (
	DirName      = ".ltxform"
	snapshotName = "state.json"
	backupName   = "state.json.backup"
	journalName  = "journal.jsonl"
	lockName     = "lock"
	lockInfoName = "lock.info"
)

// LocalStore keeps the state in files beside the manifests, in .ltxform/:
// the snapshot state.json, the journal of transitions since it was written,
// and the lock. See ARCHITECTURE.md, "State and crash safety".
type LocalStore struct {
	dir     string // the .ltxform directory
	journal *journal
	locker  locker
}

var _ Store = (*LocalStore)(nil)

// NewLocalStore is the store of the manifests in manifestDir. It touches no
// file until it is used.
func NewLocalStore(manifestDir string) *LocalStore {
	dir := filepath.Join(manifestDir, DirName)
	return &LocalStore{
		dir:     dir,
		journal: &journal{path: filepath.Join(dir, journalName)},
		locker:  locker{dir: dir},
	}
}

// Dir is the .ltxform directory the store keeps its files in.
func (s *LocalStore) Dir() string { return s.dir }

// SnapshotPath is the path of state.json, for messages.
func (s *LocalStore) SnapshotPath() string { return filepath.Join(s.dir, snapshotName) }

func (s *LocalStore) backupPath() string { return filepath.Join(s.dir, backupName) }

// Exists tells whether anything was ever recorded here: a snapshot or a
// non-empty journal.
func (s *LocalStore) Exists() (bool, error) {
	if _, err := os.Stat(s.SnapshotPath()); err == nil {
		return true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return s.journalHasLines()
}

// Load returns the snapshot with the journal folded in. A missing state is an
// empty one with serial 0 and no lineage yet.
func (s *LocalStore) Load(ctx context.Context) (*State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.journal.lockAll()()
	return s.loadLocked()
}

func (s *LocalStore) loadLocked() (*State, error) {
	st, err := readSnapshot(s.SnapshotPath(), s.backupPath())
	if err != nil {
		return nil, err
	}
	if st == nil {
		st = NewState()
	}
	data, err := os.ReadFile(s.journal.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ops, _, err := parseJournal(s.journal.path, data)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		st.apply(op)
	}
	return st, nil
}

// Record appends e to the journal and fsyncs it (possibly together with
// other workers' lines) before it returns.
func (s *LocalStore) Record(ctx context.Context, e Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.Address == "" {
		return errors.New("state: record of an entry without an address")
	}
	if err := s.ensureDir(); err != nil {
		return err
	}
	return s.journal.append(journalOp{Op: opSet, Entry: &e})
}

// Remove appends the removal of address to the journal, durably.
func (s *LocalStore) Remove(ctx context.Context, address string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.ensureDir(); err != nil {
		return err
	}
	return s.journal.append(journalOp{Op: opRemove, Address: address})
}

// Checkpoint writes the folded state as a new snapshot (serial+1), keeps the
// previous snapshot as state.json.backup, then empties the journal. A crash
// between the two steps is harmless: replaying the journal onto a snapshot
// that already holds its lines gives the same state. A snapshot that cannot
// be read is refused, never overwritten. With an empty journal it does
// nothing.
func (s *LocalStore) Checkpoint(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := s.journal
	defer j.lockAll()()

	if err := j.syncLocked(); err != nil {
		return err
	}
	st, err := s.loadLocked()
	if err != nil {
		return err
	}
	// Nothing to fold: keep the serial, so that a no-op run does not make
	// saved plans stale.
	if pending, err := s.journalHasLines(); err != nil {
		return err
	} else if !pending {
		return nil
	}
	if err := s.ensureDir(); err != nil {
		return err
	}
	st.Serial++
	if st.Lineage == "" {
		st.Lineage = newRandomID()
	}
	if err := s.writeSnapshot(st); err != nil {
		return err
	}
	if err := j.truncateLocked(); err != nil {
		return fmt.Errorf("empty %s after checkpoint: %w", j.path, err)
	}
	s.removeStaleTemps()
	return nil
}

// removeStaleTemps deletes temporary snapshot files a crash left behind.
// Only lock holders write them, and the caller holds the lock.
func (s *LocalStore) removeStaleTemps() {
	for _, name := range []string{snapshotName, backupName} {
		path := filepath.Join(s.dir, name)
		// ".NAME.tmp-*" is what builds before atomicfile left.
		old, _ := filepath.Glob(filepath.Join(s.dir, "."+name+".tmp-*"))
		for _, t := range append(atomicfile.Leftovers(path), old...) {
			_ = os.Remove(t)
		}
	}
}

// Close releases the journal file. Records after Close fail. The lock is
// released by the unlock function Lock returned, not here.
func (s *LocalStore) Close() error {
	return s.journal.close()
}

// journalHasLines tells whether the journal holds anything to fold.
func (s *LocalStore) journalHasLines() (bool, error) {
	fi, err := os.Stat(s.journal.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	}
	return fi.Size() > 0, nil
}

// ensureDir creates .ltxform on first use, durably.
func (s *LocalStore) ensureDir() error {
	if _, err := os.Stat(s.dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(s.dir, dirMode); err != nil {
		return err
	}
	return syncDir(filepath.Dir(s.dir))
}

// newRandomID is a 128-bit random hex id, for lineages and lock ids.
func newRandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// writeSnapshot replaces state.json with st, keeping the one it replaces as
// state.json.backup; both writes are atomic.
func (s *LocalStore) writeSnapshot(st *State) error {
	data, err := encodeSnapshot(st)
	if err != nil {
		return err
	}
	if prev, err := os.ReadFile(s.SnapshotPath()); err == nil {
		if err := writeFileAtomic(s.backupPath(), prev); err != nil {
			return fmt.Errorf("keep backup %s: %w", s.backupPath(), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeFileAtomic(s.SnapshotPath(), data); err != nil {
		return fmt.Errorf("write %s: %w", s.SnapshotPath(), err)
	}
	return nil
}
