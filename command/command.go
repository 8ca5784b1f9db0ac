// Package command holds one file per verb, its flags and its views. Nothing
// imports it but main.
package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"
)

// Env is what a command may touch of the process: streams, environment and
// the working directory chosen by -chdir. Tests build one by hand.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StdinIsTerminal / StdoutIsTerminal decide prompts and live progress.
	StdinIsTerminal  bool
	StdoutIsTerminal bool
	Getenv           func(string) string
	Environ          func() []string
	Chdir            string // from the global -chdir flag; "" = current directory

	// Each stream's own terminal decides its colour (iostreams.go).
	StderrIsTerminal bool
	// Width is stdout's terminal width, 0 when unknown; COLUMNS overrides
	// it and 80 stands in for it (terminalWidth).
	Width int
	// NoColor is -no-color: no colour codes on any stream.
	NoColor bool
}

// ManifestDir resolves the manifest directory: the positional argument, else
// -chdir, else the current directory.
func (e *Env) ManifestDir(arg string) string {
	switch {
	case arg != "":
		return arg
	case e.Chdir != "":
		return e.Chdir
	default:
		return "."
	}
}

// Exit-status errors, mapped to codes by the single switch in main.
var (
	// ErrReported means the command already told the user what went wrong.
	ErrReported = errors.New("error already reported")
	// ErrPlanHasChanges is plan -detailed-exitcode's "there are changes" (exit 2).
	ErrPlanHasChanges = errors.New("plan has changes")
	// ErrFormatNeeded is fmt -check's "a file would change" (exit 3).
	ErrFormatNeeded = errors.New("files are not formatted")
	// ErrSomeVideosFailed: the run finished, but some videos failed, are
	// uncertain or were left in flight (exit 4), so that a cron alert can
	// tell it from a run that could not start or was stopped (exit 1).
	ErrSomeVideosFailed = errors.New("some videos did not complete")
)

// Exit codes a run record keeps.
const (
	ExitRunError         = 1
	ExitSomeVideosFailed = 4
)

// UsageError is a bad command line.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

type verb struct {
	run      func(ctx context.Context, env *Env, args []string) error
	synopsis string
}

// verbs is the one table of commands; each lives in its own file.
var verbs = map[string]verb{
	"version":      {runVersion, "Print the version"},
	"sim":          {runSim, "Run the built-in API simulator"},
	"validate":     {runValidate, "Check the manifests offline"},
	"fmt":          {runFmt, "Rewrite manifests in the canonical format"},
	"plan":         {runPlan, "Show what apply would do and what it would cost"},
	"show":         {runShow, "Print a saved plan"},
	"apply":        {runApply, "Create, poll and download the videos"},
	"state":        {runState, "Inspect and edit the state (list, show, rm)"},
	"runs":         {runRuns, "List past runs, or show one run's results"},
	"force-unlock": {runForceUnlock, "Release a lock whose holder is gone"},
	"report":       {runReport, "Write an HTML page of a run's videos"},
}

// Run parses the global flags and dispatches to a verb.
func Run(ctx context.Context, env *Env, args []string) error {
	global := flag.NewFlagSet("ltxform", flag.ContinueOnError)
	global.SetOutput(env.Stderr)
	global.StringVar(&env.Chdir, "chdir", env.Chdir, "use `DIR` as the manifest directory")
	global.Usage = func() { printUsage(env.Stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &UsageError{Msg: err.Error()}
	}
	if env.Chdir != "" {
		// As Terraform does: every relative path the command is given
		// (-var-file, -out, a plan file, the directory argument) is read
		// from the new directory.
		if err := os.Chdir(env.Chdir); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return &UsageError{Msg: fmt.Sprintf("-chdir=%s: %v", env.Chdir, err)}
		}
		env.Chdir = ""
	}
	rest := global.Args()
	if len(rest) == 0 {
		printUsage(env.Stderr)
		return &UsageError{Msg: "no command given"}
	}
	name := rest[0]
	if name == "-v" || name == "-version" || name == "--version" {
		name = "version"
	}
	v, ok := verbs[name]
	if !ok {
		return &UsageError{Msg: fmt.Sprintf("unknown command %q; run \"ltxform -help\" for the list", name)}
	}
	return v.run(ctx, env, rest[1:])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: ltxform [-chdir=DIR] COMMAND [options] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, verbs[n].synopsis)
	}
}

// newFlagSet is a verb's flag set, reporting to stderr in Go's flag style.
func newFlagSet(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: ltxform %s %s\n\nOptions:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a flag error into a UsageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrReported
		}
		return &UsageError{Msg: err.Error()}
	}
	return nil
}

// oneOptionalArg returns the single positional argument, or "".
func oneOptionalArg(fs *flag.FlagSet) (string, error) {
	switch fs.NArg() {
	case 0:
		return "", nil
	case 1:
		return fs.Arg(0), nil
	default:
		for _, a := range fs.Args()[1:] {
			if strings.HasPrefix(a, "-") {
				return "", &UsageError{Msg: fmt.Sprintf("%s: flags come before the directory: %s %s %s", fs.Name(), fs.Name(), a, fs.Arg(0))}
			}
		}
		return "", &UsageError{Msg: fmt.Sprintf("%s takes at most one argument, got %s", fs.Name(), strings.Join(fs.Args(), " "))}
	}
}

// DefaultEnv is the real process's Env.
func DefaultEnv(stdinTTY, stdoutTTY bool) *Env {
	return &Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		StdinIsTerminal: stdinTTY, StdoutIsTerminal: stdoutTTY,
		Getenv: os.Getenv, Environ: os.Environ,
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		Width:            stdoutWidth(stdoutTTY),
	}
}
