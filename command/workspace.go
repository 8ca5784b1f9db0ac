package command

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

var workspaceCommands = []subcommand{
	{"list", runWorkspaceList},
	{"show", runWorkspaceShow},
	{"delete", runWorkspaceDelete},
}

// runWorkspace dispatches `workspace list|show|delete`.
func runWorkspace(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return &UsageError{Msg: "workspace needs a subcommand: " + strings.Join(subcommandNames(workspaceCommands), ", ") + "; run \"ltxform workspace -help\" for their usage"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(env.Stdout, "Usage: ltxform workspace list [DIR]\n       ltxform workspace show [-workspace NAME] [DIR]\n       ltxform workspace delete [-force] [-lock-timeout D] NAME [DIR]\n\nRun \"ltxform workspace SUBCOMMAND -help\" for its options.")
		return nil
	}
	for _, sub := range workspaceCommands {
		if sub.name == args[0] {
			return sub.run(ctx, env, args[1:])
		}
	}
	return unknownCommand("workspace", args[0], subcommandNames(workspaceCommands))
}

// workspaceArgs are the arguments of the workspace subcommands.
type workspaceArgs struct {
	Common      commonArgs
	Name        string // delete's NAME
	Dir         string
	Workspace   string        // show's -workspace
	Force       bool          // delete's -force
	LockTimeout time.Duration // delete's -lock-timeout
}

// runWorkspaceList lists the backend's workspaces, the current one (the
// one a plan here would use) marked with *.
func runWorkspaceList(ctx context.Context, env *Env, args []string) error {
	var a workspaceArgs
	fs := newFlagSet("workspace list", "[DIR]", &a.Common)
	if err := fs.parse(args); err != nil {
		return err
	}
	dir, err := oneOptionalArg(fs)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	v := newView(env, false)
	store, err := openStore(ctx, env, v, dirOrCurrent(dir), "", storeRead)
	if err != nil {
		return err
	}
	defer store.Close()
	current, names := config.DefaultBackendWorkspace, []string(nil)
	if mw, ok := store.(state.MultiWorkspace); ok {
		current = mw.Workspace()
		if names, err = mw.Workspaces(ctx); err != nil {
			return err
		}
	}
	if !slices.Contains(names, current) {
		names = append(names, current)
	}
	v.workspaces(names, current)
	return nil
}

// runWorkspaceShow prints the current workspace: ltxform.workspace.
func runWorkspaceShow(ctx context.Context, env *Env, args []string) error {
	var a workspaceArgs
	fs := newFlagSet("workspace show", "[-workspace NAME] [DIR]", &a.Common)
	addWorkspaceFlag(fs, &a.Workspace)
	if err := fs.parse(args); err != nil {
		return err
	}
	dir, err := oneOptionalArg(fs)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	v := newView(env, false)
	be, files, diags := config.LoadBackend(dirOrCurrent(dir))
	if diags.HasErrors() {
		v.Diagnostics(files, diags)
		return ErrReported
	}
	if be == nil {
		if a.Workspace != "" {
			return &UsageError{Msg: "-workspace needs a backend block in the manifests: the local state in .ltxform/ has one workspace"}
		}
		v.currentWorkspace(config.DefaultBackendWorkspace)
		return nil
	}
	ws, err := state.ChooseWorkspace(be, a.Workspace, env.Getenv)
	if err != nil {
		return err
	}
	v.currentWorkspace(ws)
	return nil
}

// runWorkspaceDelete removes a workspace's state, runs and ledger, under
// its lock; one that holds videos only with -force. The files stay.
func runWorkspaceDelete(ctx context.Context, env *Env, args []string) error {
	var a workspaceArgs
	fs := newFlagSet("workspace delete", "[-force] [-lock-timeout D] NAME [DIR]", &a.Common)
	fs.BoolVar(&a.Force, "force", false, "delete a workspace that still holds videos")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "wait up to `DURATION` for a lock held by another run (0: fail at once)")
	if err := fs.parse(args); err != nil {
		return err
	}
	name, dir, err := argAndOptionalDir(fs, "workspace delete takes the workspace's NAME and an optional directory")
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	v := newView(env, false)
	dir = dirOrCurrent(dir)
	store, err := openStore(ctx, env, v, dir, name, storeRead)
	if err != nil {
		return err
	}
	defer store.Close()
	mw, ok := store.(state.MultiWorkspace)
	if !ok {
		return fmt.Errorf("the local state in .ltxform/ has one workspace; there is none to delete")
	}
	unlock, err := store.Lock(ctx, state.NewLockInfo("workspace delete"), a.LockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := store.Load(ctx)
	if err != nil {
		return err
	}
	ledger, err := store.Charges(ctx)
	if err != nil {
		return err
	}
	if len(st.Entries) > 0 && !a.Force {
		return fmt.Errorf("%s holds %s (and a ledger of %s): deleting it forgets them, and a plan there would buy them again. Use -force to delete it anyway (the files stay); nothing was deleted",
			store.Where(), plural(len(st.Entries), "video", "videos"), plural(len(ledger), "task", "tasks"))
	}
	if err := mw.DeleteState(ctx); err != nil {
		return err
	}
	v.workspaceDeleted(store.Where(), len(st.Entries), len(ledger))
	return nil
}

// refuseSharedOutputs stops a plan whose videos would write a file that
// another workspace of the backend holds: the two would overwrite each
// other's videos and each would then see the other's as altered by hand.
// Output paths that name ltxform.workspace keep workspaces apart.
func refuseSharedOutputs(ctx context.Context, env *Env, store stateStore, m *config.Manifest) error {
	mw, ok := store.(state.MultiWorkspace)
	if !ok {
		return nil
	}
	names, err := mw.Workspaces(ctx)
	if err != nil {
		return err
	}
	mine := map[string]string{} // output path → address
	for _, vid := range m.Videos {
		mine[vid.Output] = vid.Address
	}
	be, _, diags := config.LoadBackend(m.Dir)
	if diags.HasErrors() || be == nil {
		return nil // openStore has told them
	}
	for _, name := range names {
		if name == mw.Workspace() {
			continue
		}
		other, err := stateBackends.Open(ctx, state.OpenRequest{Dir: m.Dir, Block: be, Getenv: env.Getenv}, name)
		if err != nil {
			return err
		}
		st, err := other.Load(ctx)
		other.Close()
		if err != nil {
			return fmt.Errorf("reading workspace %q, to check that it writes other files: %w", name, err)
		}
		for _, e := range st.Sorted() {
			if addr, ok := mine[e.Output]; ok && e.Output != "" {
				return fmt.Errorf("%s would write %s, which workspace %q holds (%s): two workspaces writing the same files overwrite each other's videos. Put the workspace in the output path, e.g. output = \"out/${ltxform.workspace}/NAME.mp4\"; nothing was planned",
					addr, e.Output, name, e.Address)
			}
		}
	}
	return nil
}
