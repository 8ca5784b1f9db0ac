package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// What the stores of other packages (pgstate, s3state) share with the local
// one: the journal's operations and file, run ids and lock info.

// Op is one transition as a journal keeps it: an entry set (Op == OpSet,
// Entry) or an address removed (Op == OpRemove, Address).
type Op = journalOp

// The kinds of Op.
const (
	OpSet    = opSet
	OpRemove = opRemove
)

// Apply folds one transition into s.
func (s *State) Apply(op Op) { s.apply(op) }

// ParseJournal reads the transitions of a journal file's data; a torn last
// line is dropped, damage elsewhere is a *JournalError naming path.
func ParseJournal(path string, data []byte) ([]Op, error) {
	ops, _, err := parseJournal(path, data)
	return ops, err
}

// ReadJournal reads the transitions of the journal file at path, as
// ParseJournal does; none when path is "" or the file does not exist.
func ReadJournal(path string) ([]Op, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseJournal(path, data)
}

// Journal is an append-only file of transitions, each fsynced (together
// with other writers' lines) before Append returns, as .ltxform/journal.jsonl.
type Journal struct{ j *journal }

// NewJournal is the journal file at path; nothing is touched until the
// first Append.
func NewJournal(path string) *Journal { return &Journal{j: &journal{path: path}} }

// Append makes op durable.
func (j *Journal) Append(op Op) error { return j.j.append(op) }

// Close releases the file; later appends fail.
func (j *Journal) Close() error { return j.j.close() }

// NewRandomID is a 128-bit random hex id, for lineages and lock ids.
func NewRandomID() string { return newRandomID() }

// Completed is info with this process's id, pid, host and time where they
// are empty: what every store writes as its lock's holder.
func (info LockInfo) Completed() LockInfo { return info.completed() }

// PrepareRun gives r an id from its start time if it has none and the
// current format version, and returns the copy to store.
func PrepareRun(r *Run) (*Run, error) { return prepareRun(r) }

// DecodeRun reads a stored run record (JSON); id is its key, used when the
// record holds none.
func DecodeRun(id string, raw []byte) (*Run, error) {
	var r Run
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("corrupt run record: %v", err)
	}
	if r.FormatVersion > RunFormatVersion {
		return nil, fmt.Errorf("run record of a newer ltxform (format_version %d; this build reads up to %d)", r.FormatVersion, RunFormatVersion)
	}
	if r.ID == "" {
		r.ID = id
	}
	if r.Counts == nil {
		r.Counts = map[string]int{}
	}
	if r.Results == nil {
		r.Results = []RunResult{}
	}
	return &r, nil
}

// MkdirPrivate creates dir (and its parents) readable by its owner only,
// as the state's directories are.
func MkdirPrivate(dir string) error { return os.MkdirAll(dir, dirMode) }

// SyncDir makes a rename or a new file in dir durable.
func SyncDir(dir string) error { return syncDir(dir) }
