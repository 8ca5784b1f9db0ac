package command

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Each verb parses its command line first, into a plain struct of values
// (parseX in the verb's file, tested alone in arguments_test.go), and only
// then runs: parsing touches no file, no stream and no Env, as Terraform's
// internal/command/arguments does.

// commonArgs are the flags every verb takes, as in Terraform, so that
// scripts may pass them to any command.
type commonArgs struct {
	NoColor bool // -no-color: no colour codes on any stream
	NoInput bool // -input=false: never ask a question
}

// applyTo hands the common flags to the Env the views read.
func (c commonArgs) applyTo(env *Env) {
	if c.NoColor {
		env.NoColor = true
	}
	if c.NoInput {
		env.NoInput = true
	}
}

// flagSet is a verb's flag set with the usage line its -help prints.
type flagSet struct {
	*flag.FlagSet
	usage string
}

// newFlagSet is a verb's flag set, with -no-color and -input into common.
func newFlagSet(name, usage string, common *commonArgs) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), usage: usage}
	fs.SetOutput(io.Discard) // a bad flag is reported once, by main
	fs.Usage = func() {}     // -help is told by helpRequested, on stdout
	fs.BoolFunc("no-color", "print no colour codes", func(s string) error {
		off, err := strconv.ParseBool(s)
		common.NoColor = off
		return err
	})
	fs.BoolFunc("input", "ask for input when needed (default true); -input=false never asks", func(s string) error {
		ask, err := strconv.ParseBool(s)
		common.NoInput = !ask
		return err
	})
	return fs
}

// parse parses args, turning a flag error into a UsageError and -help into
// a *helpRequested.
func (fs *flagSet) parse(args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return &helpRequested{fs: fs}
	case err != nil:
		return &UsageError{Msg: fmt.Sprintf("%s; run \"ltxform %s -help\" for its options", err, fs.Name())}
	}
	return nil
}

// helpRequested is a parser's answer to -help: Run prints the usage on
// stdout and the command succeeds.
type helpRequested struct{ fs *flagSet }

func (h *helpRequested) Error() string { return "help requested for " + h.fs.Name() }

// line is the usage line: ltxform, the command's name and its usage.
func (h *helpRequested) line() string {
	return strings.TrimSpace("ltxform " + h.fs.Name() + " " + h.fs.usage)
}

// print writes the usage and the options.
func (h *helpRequested) print(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\nOptions:\n", h.line())
	h.fs.SetOutput(w)
	h.fs.PrintDefaults()
	h.fs.SetOutput(io.Discard)
}

// oneOptionalArg returns the single positional argument, or "".
func oneOptionalArg(fs *flagSet) (string, error) {
	switch fs.NArg() {
	case 0:
		return "", nil
	case 1:
		return fs.Arg(0), nil
	default:
		if err := flagsAfterArgs(fs, 1); err != nil {
			return "", err
		}
		return "", &UsageError{Msg: fmt.Sprintf("%s takes at most one argument, got %s", fs.Name(), strings.Join(fs.Args(), " "))}
	}
}

// flagsAfterArgs refuses a flag among the positional arguments after the
// first n: Go's flag package stops at the first positional argument, so
// "plan ./dir -json" would otherwise take -json for a directory.
func flagsAfterArgs(fs *flagSet, n int) error {
	for _, a := range fs.Args()[min(n, fs.NArg()):] {
		if strings.HasPrefix(a, "-") {
			return &UsageError{Msg: fmt.Sprintf("%s: flags come before the directory: %s %s %s", fs.Name(), fs.Name(), a, strings.Join(fs.Args()[:n], " "))}
		}
	}
	return nil
}

// lockArgs are -lock, -lock-timeout and -workspace, shared by every command
// that reads or writes the state.
type lockArgs struct {
	Enabled   bool          // -lock (default true)
	Timeout   time.Duration // -lock-timeout
	Workspace string        // -workspace, for a backend "pg"; "" when not given
}

// addLockFlags registers -lock, -lock-timeout and -workspace on fs.
func addLockFlags(fs *flagSet, la *lockArgs) {
	fs.BoolVar(&la.Enabled, "lock", true, "take the state lock (-lock=false only for read-only use)")
	fs.DurationVar(&la.Timeout, "lock-timeout", 0, "wait up to `DURATION` for a lock held by another run (0: fail at once)")
	addWorkspaceFlag(fs, &la.Workspace)
}

// addWorkspaceFlag registers -workspace.
func addWorkspaceFlag(fs *flagSet, workspace *string) {
	fs.StringVar(workspace, "workspace", "", "the `NAME` of the state in a backend \"pg\" (default: $"+workspaceEnv+", else the block's workspace, else \"default\")")
}

// dirOrCurrent is the manifest directory an argument names: the current
// one (after -chdir) when none is given.
func dirOrCurrent(arg string) string {
	if arg == "" {
		return "."
	}
	return arg
}

// argAndOptionalDir reads the one required argument of a verb and the
// optional directory after it; usage says what the argument is.
func argAndOptionalDir(fs *flagSet, usage string) (arg, dir string, err error) {
	if err := flagsAfterArgs(fs, 1); err != nil {
		return "", "", err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return "", "", &UsageError{Msg: usage}
	}
	return fs.Arg(0), dirOrCurrent(fs.Arg(1)), nil
}

// parseReadFlags parses the flags every read-only look at the state takes
// (runs, runs show, state list, state show): -json and -workspace.
func parseReadFlags(name, usage string, common *commonArgs, jsonOut *bool, workspace *string, args []string) (*flagSet, error) {
	fs := newFlagSet(name, usage, common)
	fs.BoolVar(jsonOut, "json", false, "print JSON")
	addWorkspaceFlag(fs, workspace)
	return fs, fs.parse(args)
}
