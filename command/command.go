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

	"github.com/agext/levenshtein"
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
	// NoColor is -no-color: no colour codes on any stream. NoInput is
	// -input=false: never ask a question.
	NoColor, NoInput bool
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
	// subcommands, when a verb has them, are offered by shell completion;
	// each is run as `VERB SUB -help` to learn its flags.
	subcommands []string
}

// subcommand is one entry of a verb's table of subcommands (state's).
type subcommand struct {
	name string
	run  func(ctx context.Context, env *Env, args []string) error
}

func subcommandNames(subs []subcommand) []string {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	return names
}

// verbs is the one table of commands; each lives in its own file. The help,
// the typo suggestions and shell completion all read it.
var verbs = map[string]verb{
	"version":      {run: runVersion, synopsis: "Print the version"},
	"sim":          {run: runSim, synopsis: "Run the built-in API simulator"},
	"validate":     {run: runValidate, synopsis: "Check the manifests offline"},
	"fmt":          {run: runFmt, synopsis: "Rewrite manifests in the canonical format"},
	"plan":         {run: runPlan, synopsis: "Show what apply would do and what it would cost"},
	"show":         {run: runShow, synopsis: "Print a saved plan, or the state"},
	"apply":        {run: runApply, synopsis: "Create, poll and download the videos"},
	"state":        {run: runState, synopsis: "Inspect and edit the state (list, show, rm, mv, push, pull)", subcommands: subcommandNames(stateCommands)},
	"import":       {run: runImport, synopsis: "Adopt a task made elsewhere, or a file on disk, for a video"},
	"runs":         {run: runRuns, synopsis: "List past runs, or show one run's results", subcommands: []string{"show"}},
	"force-unlock": {run: runForceUnlock, synopsis: "Release a lock whose holder is gone"},
	"report":       {run: runReport, synopsis: "Write an HTML page of a run's videos"},
	"accept":       {run: runAccept, synopsis: "Take a video that arrived unlike its order as it is"},
	"workspace":    {run: runWorkspace, synopsis: "List, show or delete the workspaces of the backend", subcommands: subcommandNames(workspaceCommands)},
}

func init() {
	// Registered here: completion reads the table, which would otherwise
	// refer to itself.
	verbs["completion"] = verb{run: runCompletion, synopsis: "Print a shell completion script (bash, zsh or fish)"}
}

// Run parses the global flags and dispatches to a verb. A verb's -help is
// its parser's answer (helpRequested), told here on stdout with exit 0.
func Run(ctx context.Context, env *Env, args []string) error {
	err := run(ctx, env, args)
	var help *helpRequested
	if errors.As(err, &help) {
		help.print(env.Stdout)
		return nil
	}
	return err
}

func run(ctx context.Context, env *Env, args []string) error {
	global := flag.NewFlagSet("ltxform", flag.ContinueOnError)
	global.SetOutput(io.Discard) // a bad flag is reported once, by main
	global.StringVar(&env.Chdir, "chdir", env.Chdir, "use `DIR` as the manifest directory")
	var version bool
	global.BoolVar(&version, "version", false, "print the version")
	global.BoolVar(&version, "v", false, "print the version")
	global.Usage = func() {}
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(env.Stdout)
			return nil
		}
		return &UsageError{Msg: err.Error() + "; run \"ltxform -help\" for the commands"}
	}
	if version {
		return runVersion(ctx, env, nil)
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
		printUsage(env.Stdout)
		return nil
	}
	name := rest[0]
	switch name {
	case "--version":
		return runVersion(ctx, env, nil)
	case "help":
		// `ltxform help apply` is `ltxform apply -help`.
		if len(rest) > 1 {
			return run(ctx, env, append(rest[1:], "-help"))
		}
		printUsage(env.Stdout)
		return nil
	case completeCommand:
		// Hidden: the completion scripts' helper (complete.go).
		return runComplete(ctx, env, rest[1:])
	case "init":
		newView(env, false).noInitNeeded()
		return nil
	}
	v, ok := verbs[name]
	if !ok {
		return unknownCommand("", name, verbNames())
	}
	return v.run(ctx, env, rest[1:])
}

// unknownCommand is the error for a mistyped command or subcommand of
// parent, suggesting the nearest known name, as git and Terraform do.
func unknownCommand(parent, name string, known []string) error {
	full := strings.TrimSpace(parent + " " + name)
	if full == "destroy" {
		return &UsageError{Msg: destroyMessage}
	}
	msg := fmt.Sprintf("unknown command %q", full)
	if s := suggest(name, known); s != "" {
		msg += fmt.Sprintf(". Did you mean %q?", strings.TrimSpace(parent+" "+s))
	}
	help := "ltxform -help"
	if parent != "" {
		help = "ltxform " + parent + " -help"
	}
	return &UsageError{Msg: fmt.Sprintf("%s\nRun %q for the list.", msg, help)}
}

// destroyMessage answers Terraform's habit: there is nothing to destroy,
// since a video bought stays bought and its file is the user's.
const destroyMessage = `ltxform has no destroy: it never deletes files, and a video bought cannot be unbought.
To stop tracking a video, remove it from the manifest (the next apply forgets it and keeps its file)
or run "ltxform state rm ADDR"; delete the files yourself if you want them gone.`

// suggest is the known name nearest to name if it is near enough to be a
// typo: fewer than three edits, Terraform's rule, and fewer than its length.
func suggest(name string, known []string) string {
	best, bestDist := "", min(3, len(name))
	for _, k := range known {
		if d := levenshtein.Distance(name, k, nil); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func verbNames() []string {
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: ltxform [-chdir=DIR] [-version] COMMAND [options] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, n := range verbNames() {
		fmt.Fprintf(w, "  %-13s %s\n", n, verbs[n].synopsis)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes -help, -no-color and -input=false.")
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
