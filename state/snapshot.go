package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// SnapshotError is a state.json that ltxform refuses to read, and therefore
// refuses to overwrite: the only copy of what was bought must not be lost to
// a bug or a newer version.
type SnapshotError struct {
	Path       string // the snapshot file
	Problem    string // what is wrong with it
	BackupPath string // the previous snapshot, if one exists
	// Newer: the file is sound but written by a newer ltxform; the answer
	// is to upgrade, not to repair or roll back anything.
	Newer bool
}

func (e *SnapshotError) Error() string {
	msg := fmt.Sprintf("%s %s; ltxform will not use or overwrite it", e.Path, e.Problem)
	if e.Newer {
		return msg + ". Nothing is wrong with the file: run a newer ltxform (the one that wrote it, or later)"
	}
	if e.BackupPath != "" {
		msg += fmt.Sprintf(". The previous snapshot is kept in %s: compare the two, and copy the backup over %s to go back to it", e.BackupPath, e.Path)
	} else {
		msg += ". There is no backup of it (no state.json.backup); repair the file by hand"
	}
	return msg
}

// snapshotFile is state.json as written on disk.
type snapshotFile struct {
	FormatVersion *int              `json:"format_version"`
	Serial        uint64            `json:"serial"`
	Lineage       string            `json:"lineage"`
	Entries       map[string]*Entry `json:"entries"`
}

// readSnapshot loads path. A missing file is (nil, nil); anything that is not
// a complete snapshot of a format this build knows is a *SnapshotError.
func readSnapshot(path, backupPath string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	refuse := func(format string, args ...any) error {
		e := &SnapshotError{Path: path, Problem: fmt.Sprintf(format, args...)}
		if _, err := os.Stat(backupPath); err == nil {
			e.BackupPath = backupPath
		}
		return e
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, refuse("is empty (a truncated write?)")
	}
	var sf snapshotFile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&sf); err != nil {
		return nil, refuse("is corrupt or truncated (%v after %d of %d bytes)", err, dec.InputOffset(), len(data))
	}
	if dec.More() {
		return nil, refuse("is corrupt: unexpected data after the snapshot at byte %d", dec.InputOffset())
	}
	switch {
	case sf.FormatVersion == nil:
		return nil, refuse("is not an ltxform state snapshot (no format_version)")
	case *sf.FormatVersion > FormatVersion:
		err := refuse("was written by a newer ltxform (format_version %d; this build reads up to %d)", *sf.FormatVersion, FormatVersion)
		var se *SnapshotError
		if errors.As(err, &se) {
			se.Newer = true
		}
		return nil, err
	case *sf.FormatVersion < 1:
		return nil, refuse("has an invalid format_version %d", *sf.FormatVersion)
	}
	st := &State{FormatVersion: FormatVersion, Serial: sf.Serial, Lineage: sf.Lineage, Entries: sf.Entries}
	if st.Entries == nil {
		st.Entries = map[string]*Entry{}
	}
	for addr, e := range st.Entries {
		if e == nil {
			return nil, refuse("is corrupt: entry %s is null", addr)
		}
		if e.Address == "" {
			e.Address = addr
		}
		if e.Address != addr {
			return nil, refuse("is corrupt: entry %s is keyed as %s", e.Address, addr)
		}
	}
	return st, nil
}

// encodeSnapshot is the bytes of state.json for st, indented so that a person
// can read and diff it.
func encodeSnapshot(st *State) ([]byte, error) {
	out := *st
	out.FormatVersion = FormatVersion
	if out.Entries == nil {
		out.Entries = map[string]*Entry{}
	}
	b, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
