package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ltxform/ltxform/state"
)

// noStateMessage is what every read of a directory without state says.
const noStateMessage = "No state yet: run ltxform apply first."

// stateCommands are the subcommands of state, in the order the help lists them.
var stateCommands = []subcommand{
	{"list", runStateList},
	{"show", runStateShow},
	{"rm", runStateRm},
	{"mv", runStateMv},
	{"push", runStatePush},
	{"pull", runStatePull},
}

// runState dispatches `state list|show|rm|mv|push|pull`.
func runState(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return &UsageError{Msg: "state needs a subcommand: " + strings.Join(subcommandNames(stateCommands), ", ") + "; run \"ltxform state -help\" for their usage"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(env.Stdout, stateUsage(ctx))
		return nil
	}
	for _, sub := range stateCommands {
		if sub.name == args[0] {
			return sub.run(ctx, env, args[1:])
		}
	}
	return unknownCommand("state", args[0], subcommandNames(stateCommands))
}

// stateUsage lists each subcommand's usage line as its own -help prints it,
// so that the overview cannot drift from the flag sets.
func stateUsage(ctx context.Context) string {
	var b strings.Builder
	for i, sub := range stateCommands {
		env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
		var help *helpRequested
		if !errors.As(sub.run(ctx, env, []string{"-help"}), &help) {
			continue
		}
		lead := "       "
		if i == 0 {
			lead = "Usage: "
		}
		fmt.Fprintf(&b, "%s%s\n", lead, help.line())
	}
	b.WriteString("\nRun \"ltxform state SUBCOMMAND -help\" for its options.")
	return b.String()
}

// stateReadArgs are the arguments of state list and state show.
type stateReadArgs struct {
	Common    commonArgs
	Address   string   // state show's ADDR
	Filter    []string // state list's ADDRs: only these (a block address: its instances)
	Dir       string   // "." when not given
	JSON      bool     // -json
	Workspace string   // -workspace
}

func parseStateList(args []string) (stateReadArgs, error) {
	var a stateReadArgs
	fs, err := parseReadFlags("state list", "[-json] [-workspace NAME] [ADDR...] [DIR]", &a.Common, &a.JSON, &a.Workspace, args)
	if err != nil {
		return a, err
	}
	if err := flagsAfterArgs(fs, 1); err != nil {
		return a, err
	}
	addrs, dir := splitAddressesAndDir(fs.Args())
	if len(addrs) > 0 {
		a.Filter = addrs
	}
	a.Dir = dirOrCurrent(dir)
	return a, nil
}

// filterState is st with only the entries the addresses select: an
// address itself, or every instance of a block address (video.shot), as
// -target selects. An address that selects nothing is an error naming the
// nearest one, so that a typo is not an empty list.
func filterState(st *state.State, addrs []string) (*state.State, error) {
	if len(addrs) == 0 {
		return st, nil
	}
	out := *st
	out.Entries = map[string]*state.Entry{}
	var known []string
	for a := range st.Entries {
		known = append(known, a)
	}
	sort.Strings(known)
	for _, f := range addrs {
		norm, hit := state.NormalizeAddress(f), false
		for _, a := range known {
			if a == f || a == norm || strings.HasPrefix(a, norm+"[") {
				out.Entries[a], hit = st.Entries[a], true
			}
		}
		if !hit {
			msg := fmt.Sprintf("no %s in the state", f)
			if near := suggest(f, known); near != "" {
				msg += fmt.Sprintf("; did you mean %s?", near)
			}
			return nil, errors.New(msg + " (ltxform state list shows every address)")
		}
	}
	return &out, nil
}

func runStateList(ctx context.Context, env *Env, args []string) error {
	a, err := parseStateList(args)
	if err != nil {
		return err
	}
	return readState(ctx, env, a, func(v *stateView, st *state.State, exists bool) error {
		if exists {
			if st, err = filterState(st, a.Filter); err != nil {
				return err
			}
		}
		return v.List(st, exists)
	})
}

// readState is state list and state show: the state of a's directory,
// read without a lock, shown by show through the view.
func readState(ctx context.Context, env *Env, a stateReadArgs, show func(*stateView, *state.State, bool) error) (err error) {
	a.Common.applyTo(env)
	v := newStateView(env, a.JSON)
	defer func() { err = v.finish(err) }()
	st, exists, err := readStateOf(ctx, env, v.view, a.Dir, a.Workspace)
	if err != nil {
		return err
	}
	return show(v, st, exists)
}

func parseStateShow(args []string) (stateReadArgs, error) {
	var a stateReadArgs
	fs, err := parseReadFlags("state show", "[-json] [-workspace NAME] ADDR [DIR]", &a.Common, &a.JSON, &a.Workspace, args)
	if err != nil {
		return a, err
	}
	a.Address, a.Dir, err = argAndOptionalDir(fs, "state show takes an address and an optional directory, e.g. state show 'video.shot[\"unboxing\"]'")
	return a, err
}

func runStateShow(ctx context.Context, env *Env, args []string) error {
	a, err := parseStateShow(args)
	if err != nil {
		return err
	}
	return readState(ctx, env, a, func(v *stateView, st *state.State, exists bool) error {
		if !exists {
			return errors.New(noStateMessage)
		}
		e, err := findEntry(st, a.Address)
		if err != nil {
			return err
		}
		return v.Show(e)
	})
}

// stateRmArgs are state rm's arguments.
type stateRmArgs struct {
	Common    commonArgs
	Addresses []string // as typed; findEntry accepts the shell-mangled forms
	Dir       string   // "." when not given
	JSON      bool     // -json
	Lock      lockArgs
}

func parseStateRm(args []string) (stateRmArgs, error) {
	var a stateRmArgs
	fs := newFlagSet("state rm", "[-lock=false] [-lock-timeout D] [-workspace NAME] [-json] ADDR... [DIR]", &a.Common)
	addLockFlags(fs, &a.Lock)
	fs.BoolVar(&a.JSON, "json", false, "print JSON")
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if err := flagsAfterArgs(fs, 1); err != nil {
		return a, err
	}
	addrs, dir := splitAddressesAndDir(fs.Args())
	if len(addrs) == 0 {
		return a, &UsageError{Msg: "state rm needs at least one address, e.g. state rm 'video.shot[\"unboxing\"]'"}
	}
	a.Addresses, a.Dir = addrs, dirOrCurrent(dir)
	return a, nil
}

func runStateRm(ctx context.Context, env *Env, args []string) (err error) {
	a, err := parseStateRm(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	v := newStateView(env, a.JSON)
	defer func() { err = v.finish(err) }()
	addrs := a.Addresses
	store, st, unlock, err := lockedState(ctx, env, v.view, a.Dir, a.Lock, "state rm")
	if err != nil {
		return err
	}
	defer unlock()
	// Check every address before removing any, so that a typo removes nothing.
	var removed []*state.Entry
	for _, a := range addrs {
		e, err := findEntry(st, a)
		if err != nil {
			return fmt.Errorf("%w; nothing was removed", err)
		}
		removed = append(removed, e)
	}
	for _, e := range removed {
		if err := store.Remove(ctx, e.Address); err != nil {
			return err
		}
	}
	if err := store.Checkpoint(ctx); err != nil {
		return err
	}
	if err := unlock(); err != nil {
		return err
	}
	return v.Removed(removed)
}

// addressPattern tells an address from a directory among state rm's
// arguments: video.NAME or video.NAME[KEY].
var addressPattern = regexp.MustCompile(`^video\.[^.\[\]]+(\[.*\])?$`)

// splitAddressesAndDir takes a last argument that is not an address as the
// manifest directory.
func splitAddressesAndDir(args []string) (addrs []string, dir string) {
	if n := len(args); n > 0 && !addressPattern.MatchString(args[n-1]) {
		return args[:n-1], args[n-1]
	}
	return args, ""
}

// readStateOf loads the state of dir without locking: a read-only look.
func readStateOf(ctx context.Context, env *Env, v *view, dir, workspace string) (st *state.State, exists bool, err error) {
	store, err := openStore(ctx, env, v, dir, workspace, storeRead)
	if err != nil {
		return nil, false, err
	}
	defer store.Close()
	if exists, err = store.Exists(ctx); err != nil {
		return nil, false, err
	}
	if st, err = store.Load(ctx); err != nil {
		return nil, false, err
	}
	return st, exists, nil
}

// findEntry looks addr up, accepting the shell-mangled forms of a key.
func findEntry(st *state.State, addr string) (*state.Entry, error) {
	if e := st.Get(addr); e != nil {
		return e, nil
	}
	if e := st.Get(state.NormalizeAddress(addr)); e != nil {
		return e, nil
	}
	return nil, missingEntry(st, addr, "")
}

// missingEntry is the error for an address the state lacks, with the
// nearest one it has if it is near enough to be a typo; tail ends it.
func missingEntry(st *state.State, addr, tail string) error {
	msg := fmt.Sprintf("no %s in the state", addr)
	known := make([]string, 0, len(st.Entries))
	for a := range st.Entries {
		known = append(known, a)
	}
	sort.Strings(known)
	if near := suggest(state.NormalizeAddress(addr), known); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	}
	return errors.New(msg + "; ltxform state list shows the addresses" + tail)
}

// stateTime is a UTC RFC 3339 time, or empty for a time never set.
func stateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// lockedState opens the state of dir for an edit (state rm, state mv):
// the store, under its lock, and what it holds now. A directory with no
// state yet is an error: there is nothing to edit. The func unlocks and
// closes, once however often it is called, and reports the unlock's error.
func lockedState(ctx context.Context, env *Env, v *view, dir string, lock lockArgs, operation string) (stateStore, *state.State, func() error, error) {
	store, err := openStore(ctx, env, v, dir, lock.Workspace, storeWrite)
	if err != nil {
		return nil, nil, nil, err
	}
	unlock, err := lock.acquire(ctx, store, operation)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	var once sync.Once
	var unlockErr error
	release := func() error {
		once.Do(func() { unlockErr = unlock(); store.Close() })
		return unlockErr
	}
	exists, err := store.Exists(ctx)
	if err == nil && !exists {
		err = errors.New(noStateMessage)
	}
	var st *state.State
	if err == nil {
		st, err = store.Load(ctx)
	}
	if err != nil {
		release()
		return nil, nil, nil, err
	}
	return store, st, release, nil
}
