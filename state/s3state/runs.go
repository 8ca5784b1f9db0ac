package s3state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ltxform/ltxform/state"
)

// SaveRun writes r as runs/ID.json, naming the host that ran it.
func (s *Store) SaveRun(ctx context.Context, r *state.Run) error {
	if r.Host == "" {
		r.Host = s.host
	}
	out, err := state.PrepareRun(r)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	err = s.b.put(ctx, s.key("runs/"+r.ID+".json"), data, putMode{})
	if err != nil && s.Degraded() != nil && s.pendingPath != "" {
		// The bucket is gone: the record waits beside the pending journal,
		// and the next run here writes both back.
		if perr := s.savePendingRun(r); perr != nil {
			return errors.Join(err, perr)
		}
		return nil
	}
	return err
}

// ListRuns returns every run record of the workspace, newest first. A
// record that cannot be read does not hide the others.
func (s *Store) ListRuns(ctx context.Context) ([]*state.Run, error) {
	keys, err := s.b.list(ctx, s.key("runs/"), "")
	if err != nil {
		return nil, err
	}
	objs, err := s.b.getAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	runs := make([]*state.Run, 0, len(keys))
	var errs []error
	for i, data := range objs {
		id := strings.TrimSuffix(strings.TrimPrefix(keys[i], s.key("runs/")), ".json")
		r, err := state.DecodeRun(id, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("run %s in %s: %w", id, s.Where(), err))
			continue
		}
		runs = append(runs, r)
	}
	sortRuns(runs)
	return runs, errors.Join(errs...)
}

// LoadRun reads the record of run id; a unique prefix of an id is enough.
func (s *Store) LoadRun(ctx context.Context, id string) (*state.Run, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return nil, fmt.Errorf("invalid run id %q", id)
	}
	data, _, err := s.b.get(ctx, s.key("runs/"+id+".json"))
	if errors.Is(err, errNotFound) {
		keys, lerr := s.b.list(ctx, s.key("runs/"+id), "")
		if lerr != nil {
			return nil, lerr
		}
		switch len(keys) {
		case 0:
			return nil, fmt.Errorf("%w %s in %s", state.ErrNoRun, id, s.Where())
		case 1:
			id = strings.TrimSuffix(strings.TrimPrefix(keys[0], s.key("runs/")), ".json")
			data, _, err = s.b.get(ctx, keys[0])
		default:
			ids := make([]string, len(keys))
			for i, k := range keys {
				ids[i] = strings.TrimSuffix(strings.TrimPrefix(k, s.key("runs/")), ".json")
			}
			return nil, fmt.Errorf("run id %s is ambiguous: it starts %s", id, strings.Join(ids, ", "))
		}
	}
	if err != nil {
		return nil, err
	}
	r, err := state.DecodeRun(id, data)
	if err != nil {
		return nil, fmt.Errorf("run %s in %s: %w", id, s.Where(), err)
	}
	return r, nil
}
