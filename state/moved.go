package state

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// movedName is the local store's note of the last state push or pull: the
// local state it moved, so that a local state already moved is told from
// one that never was.
const movedName = "moved.json"

type movedNote struct {
	Lineage string    `json:"lineage"`
	Serial  uint64    `json:"serial"`
	Where   string    `json:"where"` // the backend it was moved to or from
	At      time.Time `json:"at"`
}

// MarkMoved notes that the local state, as it is now, was moved to or from
// where (state push or pull).
func (s *LocalBackend) MarkMoved(ctx context.Context, where string) error {
	st, err := s.Load(ctx)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(movedNote{Lineage: st.Lineage, Serial: st.Serial, Where: where, At: time.Now().UTC()}, "", "  ")
	if err != nil {
		return err
	}
	if err := s.ensureDir(); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.dir, movedName), append(data, '\n'))
}

// Unmoved tells whether the local state holds something that no state push
// or pull has moved: it exists, and has changed (or was never moved) since
// the last move. Its state is returned for messages.
func (s *LocalBackend) Unmoved(ctx context.Context) (bool, *State, error) {
	if ok, err := s.LocalStore.Exists(); err != nil || !ok {
		return false, nil, err
	}
	st, err := s.Load(ctx)
	if err != nil {
		return false, nil, err
	}
	data, err := os.ReadFile(filepath.Join(s.dir, movedName))
	if errors.Is(err, fs.ErrNotExist) {
		return true, st, nil
	}
	if err != nil {
		return false, nil, err
	}
	var note movedNote
	if json.Unmarshal(data, &note) != nil {
		return true, st, nil
	}
	changed := note.Lineage != st.Lineage || note.Serial != st.Serial
	return changed, st, nil
}
