package command

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/pgstate"
	"github.com/ltxform/ltxform/state/s3state"
)

// stateBackends are the backend types a manifest's backend block may name.
var stateBackends = state.Registry{"pg": pgstate.Open, "s3": s3state.Open}

// workspaceEnv names the workspace of a backend when -workspace does not.
const workspaceEnv = state.WorkspaceEnv

// stateStore is the state as every command opens it.
type stateStore = state.Backend

// openStore opens the state of the manifests in dir: the backend of
// their backend block, or the local .ltxform/ without one; v tells the
// backend block's diagnostics. workspace is
// the -workspace flag ("" when not given). A database that cannot be
// reached is an error naming host and database, before anything is sent.
//
// It refuses, before anything is created, a directory that does not exist
// and, for a command that writes, one that holds no manifest
// (checkManifestDir): "apply ./typo" and "apply ./empty" make nothing. A
// read of a directory without manifest or state creates nothing, and says
// there is no state yet.
func openStore(ctx context.Context, env *Env, v *view, dir, workspace string, use storeUse) (stateStore, error) {
	if err := checkManifestDir(dir, use == storeWrite); err != nil {
		return nil, err
	}
	be, files, diags := config.LoadBackend(dir)
	if diags.HasErrors() {
		v.Diagnostics(files, diags)
		return nil, ErrReported
	}
	if be == nil && workspace != "" {
		return nil, &UsageError{Msg: "-workspace needs a backend block in the manifests: the local state in .ltxform/ has one workspace"}
	}
	return stateBackends.Open(ctx, state.OpenRequest{Dir: dir, Block: be, Getenv: env.Getenv}, workspace)
}

// refuseUnmovedLocalState stops plan and apply where the manifests name a
// backend whose workspace holds nothing while .ltxform/ beside them holds a
// state no push or pull has moved (Terraform's "migrate state?"): planned
// against the empty workspace, every video would be bought again.
func refuseUnmovedLocalState(ctx context.Context, store stateStore, dir string) error {
	if _, local := store.(*state.LocalBackend); local {
		return nil
	}
	lb := state.NewLocalBackend(dir)
	defer lb.Close()
	unmoved, st, err := lb.Unmoved(ctx)
	if err != nil || !unmoved {
		return err
	}
	if has, err := store.Exists(ctx); err != nil || has {
		return err
	}
	return fmt.Errorf("%s holds no state, but .ltxform/ in %s does (serial %d, %d videos): planned against the empty workspace, every video would be bought again. Run `ltxform state push` to move the local state there (.ltxform/ keeps its copy), or move .ltxform/ aside to start the workspace empty. Nothing was planned or bought",
		store.Where(), dir, st.Serial, len(st.Entries))
}

// storeUse is what a command does with the store it opens.
type storeUse int

const (
	storeRead  storeUse = iota // reads only: creates nothing
	storeWrite                 // locks and writes: would create .ltxform/
)

// checkManifestDir refuses a directory that does not exist or is not a
// directory: a mistyped path would read as an empty state. With
// needManifest it also refuses one that holds no manifest file, where the
// local store would create .ltxform/; a directory whose manifests are gone
// but whose .ltxform/ is still there is accepted, so that its state can
// still be changed.
func checkManifestDir(dir string, needManifest bool) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the manifest directory %s does not exist; nothing was created", dir)
	case err != nil:
		return fmt.Errorf("manifest directory: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("the manifest directory %s is not a directory", dir)
	case !needManifest:
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("manifest directory: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		isManifest := !e.IsDir() && !strings.HasPrefix(n, ".") &&
			(strings.HasSuffix(n, config.NativeSuffix) || strings.HasSuffix(n, config.JSONSuffix))
		if isManifest || n == state.DirName && e.IsDir() {
			return nil
		}
	}
	return fmt.Errorf("the directory %s holds no manifest files (*%s or *%s); nothing was created", dir, config.NativeSuffix, config.JSONSuffix)
}
