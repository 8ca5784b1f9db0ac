package command

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// stateMvArgs are state mv's arguments.
type stateMvArgs struct {
	Common   commonArgs
	From, To string // normalised video addresses
	Dir      string // "." when not given
	Lock     lockArgs
	Vars     varFlags // -var, -var-file: to read the outputs the manifest gives TO
}

func parseStateMv(args []string) (stateMvArgs, error) {
	var a stateMvArgs
	fs := newFlagSet("state mv", "[-lock=false] [-lock-timeout D] [-workspace NAME] [-var NAME=VALUE]... [-var-file FILE]... FROM TO [DIR]", &a.Common)
	addLockFlags(fs, &a.Lock)
	addVarFlags(fs, &a.Vars)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if err := flagsAfterArgs(fs, 2); err != nil {
		return a, err
	}
	if fs.NArg() < 2 || fs.NArg() > 3 {
		return a, &UsageError{Msg: "state mv takes two addresses and an optional directory, e.g. state mv video.old video.new, or state mv 'video.shot[\"a\"]' video.hero"}
	}
	a.From, a.To = state.NormalizeAddress(fs.Arg(0)), state.NormalizeAddress(fs.Arg(1))
	for _, addr := range []string{a.From, a.To} {
		if !addressPattern.MatchString(addr) {
			return a, &UsageError{Msg: fmt.Sprintf("state mv: %q is not a video address (video.NAME or video.NAME[KEY])", addr)}
		}
	}
	if a.From == a.To {
		return a, &UsageError{Msg: "state mv: FROM and TO are the same address"}
	}
	if !a.Lock.Enabled {
		return a, &UsageError{Msg: "state mv writes the state, so it always takes the lock"}
	}
	a.Dir = dirOrCurrent(fs.Arg(2))
	return a, nil
}

// runStateMv re-addresses one entry, or a whole block with its instances,
// under the lock: Terraform's state mv. Nothing is sent. As a moved block
// does, a downloaded video's file is renamed to the output the manifest
// gives its new address (its takes keep their paths and come along with
// the entry), so that the next plan has nothing to download.
func runStateMv(ctx context.Context, env *Env, args []string) error {
	a, err := parseStateMv(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	from, to, dir := a.From, a.To, a.Dir
	v := newView(env, false)
	store, st, unlock, err := lockedState(ctx, env, v, dir, a.Lock, "state mv")
	if err != nil {
		return err
	}
	defer unlock()
	mv := config.Move{From: from, To: to, Block: !strings.Contains(from, "[") && !strings.Contains(to, "[")}
	var moving []*state.Entry
	for _, e := range st.Sorted() {
		if mv.Covers(e.Address) {
			moving = append(moving, e)
		}
	}
	if len(moving) == 0 {
		return missingEntry(st, from, "; nothing was moved")
	}
	// Check every target before moving any, so that a clash moves nothing.
	outputs := manifestOutputs(env, dir, &a.Vars)
	renames := map[string]string{} // old address → the output its file is renamed to
	for _, e := range moving {
		target := mv.Target(e.Address)
		if st.Get(target) != nil {
			return fmt.Errorf("%s is already in the state; move or remove it first (ltxform state rm %s); nothing was moved", target, shellQuote(target))
		}
		to, err := renameFor(dir, e, outputs[target])
		if err != nil {
			return fmt.Errorf("%s: %w; nothing was moved", e.Address, err)
		}
		if to != "" {
			renames[e.Address] = to
		}
	}
	for _, e := range moving {
		moved := *e
		moved.Address = mv.Target(e.Address)
		if to := renames[e.Address]; to != "" {
			// Renamed before the state says so, as for a moved block: a
			// crash between the two leaves the file where the next plan
			// looks for it.
			if err := renameOutput(dir, e.Output, to); err != nil {
				return fmt.Errorf("%s: renaming its file: %w", e.Address, err)
			}
			moved.Output = to
		}
		if err := moveEntry(ctx, store, moved, e.Address); err != nil {
			return fmt.Errorf("writing the state: %w", err)
		}
	}
	if err := store.Checkpoint(ctx); err != nil {
		return err
	}
	if err := unlock(); err != nil {
		return err
	}
	for _, e := range moving {
		v.moved(e.Address, mv.Target(e.Address), e.Output, renames[e.Address])
	}
	v.movesDone(len(moving), len(renames))
	return nil
}

// manifestOutputs are the outputs the manifest in dir gives each address;
// nil when it cannot be read (then no file moves, and state mv says so).
func manifestOutputs(env *Env, dir string, vars *varFlags) map[string]string {
	m, diags := config.Load(dir, vars.loadOptions(env))
	if diags.HasErrors() || m == nil {
		return nil
	}
	out := make(map[string]string, len(m.Videos))
	for _, v := range m.Videos {
		out[v.Address] = v.Output
	}
	return out
}

// renameFor is the path e's file moves to: the manifest's output for its
// new address, when e is a downloaded video whose file is there and that
// path differs; "" when nothing moves. A path taken by another file is an
// error: a file is never overwritten.
func renameFor(dir string, e *state.Entry, output string) (string, error) {
	if output == "" || e.Output == "" || output == e.Output || e.Status != state.StatusDownloaded {
		return "", nil
	}
	from := filepath.Join(dir, filepath.FromSlash(e.Output))
	if info, err := os.Stat(from); err != nil || !info.Mode().IsRegular() {
		return "", nil // no file here to move: the plan decides what it needs
	}
	if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(output))); err == nil {
		return "", fmt.Errorf("cannot rename %s to %s: %s exists", e.Output, output, output)
	}
	return output, nil
}

// renameOutput renames the file at output from to output to, under dir.
func renameOutput(dir, from, to string) error {
	dst := filepath.Join(dir, filepath.FromSlash(to))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.Rename(filepath.Join(dir, filepath.FromSlash(from)), dst)
}

// moveEntry makes one re-addressing durable: e (already under its new
// address) is recorded, then its old address removed. A crash between the
// two leaves both; the next plan forgets the old one, as a moved block
// whose target is taken.
func moveEntry(ctx context.Context, store state.Store, e state.Entry, from string) error {
	if err := store.Record(ctx, e); err != nil {
		return err
	}
	return store.Remove(ctx, from)
}

// applyPlannedMoves makes the plan's moves (moved blocks) durable before
// anything is sent: each moved entry is recorded under its new address and
// its old one removed, its file renamed where the plan says so. A change
// that was only a move becomes a no-op for the executor; the others run
// from the moved entry. Each move is told to tell (a view's moved), if not
// nil.
func applyPlannedMoves(ctx context.Context, store state.Store, p *plan.Plan, tell func(from, to, fileFrom, fileTo string)) error {
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.MovedFrom == "" || c.Prior == nil {
			continue
		}
		e := *c.Prior
		e.Address = c.Address
		renamedFrom := ""
		switch {
		case c.RenameFrom != "":
			from := filepath.Join(p.Dir, filepath.FromSlash(c.RenameFrom))
			to := filepath.Join(p.Dir, filepath.FromSlash(c.Output))
			if _, err := os.Lstat(to); err == nil {
				return fmt.Errorf("%s: cannot rename %s to %s, which exists now; plan again", c.Address, c.RenameFrom, c.Output)
			}
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				return err
			}
			// Renamed before the state says so: a crash between the two
			// leaves the file at its new path, which the next plan finds.
			if err := os.Rename(from, to); err != nil {
				return fmt.Errorf("%s: renaming its file: %w", c.Address, err)
			}
			e.Output = c.Output
			renamedFrom = c.RenameFrom
		case c.Action == plan.ActionMove && e.Status == state.StatusDownloaded:
			e.Output = c.Output // the plan found the file there, unchanged
		}
		if err := moveEntry(ctx, store, e, c.MovedFrom); err != nil {
			return fmt.Errorf("writing the state: %w", err)
		}
		c.Prior = &e
		c.RenameFrom = ""
		if c.Action == plan.ActionMove {
			c.Action = plan.ActionNoOp
		}
		if tell != nil {
			renamedTo := ""
			if renamedFrom != "" {
				renamedTo = c.Output
			}
			tell(c.MovedFrom, c.Address, renamedFrom, renamedTo)
		}
	}
	return nil
}

// shellQuote quotes an address with a key for a POSIX shell.
func shellQuote(addr string) string {
	if !strings.ContainsAny(addr, `["' `) {
		return addr
	}
	return "'" + strings.ReplaceAll(addr, "'", `'\''`) + "'"
}
