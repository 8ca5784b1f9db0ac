package command

import (
	"context"
	"slices"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/videostore"
)

// openVideoStorage is the plan's storage "s3", or nil without one. A
// simulated run keeps its files local: the simulator's are no videos.
func openVideoStorage(ctx context.Context, p *plan.Plan) (executor.VideoStorage, error) {
	if p.Settings.Storage == nil || p.Settings.Simulated {
		return nil, nil
	}
	s, err := videostore.Open(ctx, *p.Settings.Storage)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// storedURLs are where report plays the videos (and takes) that storage
// holds, by output path: presigned links (presign_expiry) or
// public_base_url + key. Signing is local: nothing is sent. Without a
// storage block, or when it cannot be read, report links local files only.
func storedURLs(dir string, st *state.State) map[string]string {
	if st == nil {
		return nil
	}
	cfg, diags := config.LoadStorage(dir)
	if cfg == nil || diags.HasErrors() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := videostore.Open(ctx, *cfg)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	link := func(path string, obj state.StoredObject) {
		if u, err := s.URL(ctx, obj); err == nil {
			out[path] = u
		}
	}
	for _, e := range st.Entries {
		if e.Stored != nil && e.Stored.SHA256 == e.SHA256 {
			link(e.Output, *e.Stored)
		}
		for _, t := range e.Takes {
			if t.StorageKey != "" && t.Path != "" {
				link(t.Path, videostore.Object(cfg.Bucket, t.StorageKey))
			}
		}
	}
	return out
}

// fetchFallbackClient is the API of a plan that only fetches from storage,
// when a key is at hand: an object gone from the bucket is then downloaded
// from the provider (free while it serves it) instead of failing. Without a
// key it is nil: fetching needs none.
func fetchFallbackClient(env *Env, s plan.Settings, p *plan.Plan) executor.API {
	if s.Simulated || !slices.ContainsFunc(p.Changes, func(c plan.Change) bool { return c.Action == plan.ActionFetch }) {
		return nil
	}
	api, err := newClient(env, s, p.Dir)
	if err != nil {
		return nil
	}
	return api
}
