package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// CommandHelp is one command or subcommand as its help defines it: shell
// completion offers it, and the README test checks its row against it.
type CommandHelp struct {
	Path     string   // "apply", "state list"
	Synopsis string   // the command list's line; "" for a subcommand
	Flags    []string // flag names without the dash, sorted
	Subs     []string // subcommands, in the order the help lists them
}

// CommonFlags are the flags every command takes (newFlagSet adds them).
var CommonFlags = []string{"input", "no-color"}

// Commands lists every command and subcommand with its flags, in name
// order. The flags are learnt by running `VERB [SUB] -help` with its output
// thrown away, so that they are the ones the help prints.
func Commands() []CommandHelp {
	var out []CommandHelp
	for _, name := range verbNames() {
		v := verbs[name]
		out = append(out, CommandHelp{Path: name, Synopsis: v.synopsis, Flags: flagsOf(name), Subs: v.subcommands})
		for _, sub := range v.subcommands {
			out = append(out, CommandHelp{Path: name + " " + sub, Flags: flagsOf(name, sub)})
		}
	}
	return out
}

// flagsOf runs `path... -help` and collects the names the flag set defines.
func flagsOf(path ...string) []string {
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
		Getenv: func(string) string { return "" }}
	err := verbs[path[0]].run(context.Background(), env, append(path[1:], "-help"))
	var help *helpRequested
	if !errors.As(err, &help) {
		return nil // a verb that only dispatches (state)
	}
	var names []string
	help.fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	return names
}

// completionArgs are completion's arguments.
type completionArgs struct {
	Common commonArgs
	Shell  string // bash, zsh or fish (checked when run)
}

func parseCompletion(args []string) (completionArgs, error) {
	var a completionArgs
	fs := newFlagSet("completion", "bash|zsh|fish\n\nLoad it with: source <(ltxform completion bash)   (zsh: the same; fish: ltxform completion fish | source)", &a.Common)
	if err := fs.parse(args); err != nil {
		return a, err
	}
	if fs.NArg() != 1 {
		return a, &UsageError{Msg: "completion takes the name of a shell: bash, zsh or fish"}
	}
	a.Shell = fs.Arg(0)
	return a, nil
}

// runCompletion prints a completion script for bash, zsh or fish.
func runCompletion(ctx context.Context, env *Env, args []string) error {
	a, err := parseCompletion(args)
	if err != nil {
		return err
	}
	cmds := Commands()
	switch a.Shell {
	case "bash":
		writeBashCompletion(env.Stdout, cmds)
	case "zsh":
		// zsh runs bash completion functions through bashcompinit.
		fmt.Fprintln(env.Stdout, "#compdef ltxform\nautoload -U +X bashcompinit && bashcompinit")
		writeBashCompletion(env.Stdout, cmds)
	case "fish":
		writeFishCompletion(env.Stdout, cmds)
	default:
		return &UsageError{Msg: fmt.Sprintf("completion: unknown shell %q; want bash, zsh or fish", a.Shell)}
	}
	return nil
}

func dashed(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "-" + n
	}
	return strings.Join(out, " ")
}

// writeBashCompletion completes the command, then the subcommand, then the
// flags of what was typed; anything else falls back to file names.
func writeBashCompletion(w io.Writer, cmds []CommandHelp) {
	var verbsList []string
	for _, c := range cmds {
		if !strings.Contains(c.Path, " ") {
			verbsList = append(verbsList, c.Path)
		}
	}
	fmt.Fprintf(w, `# bash completion for ltxform. Load it with: source <(ltxform completion bash)
_ltxform() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd="" sub="" i words=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi ;;
        esac
    done
    case "$cmd $sub" in
    " ") words="%s -chdir= -version -help" ;;
`, strings.Join(verbsList, " "))
	// A subcommand's line comes before its verb's catch-all pattern.
	for _, c := range cmds {
		if strings.Contains(c.Path, " ") {
			fmt.Fprintf(w, "    %q) words=%q ;;\n", c.Path, dashed(c.Flags)+" -help")
		}
	}
	for _, c := range cmds {
		if !strings.Contains(c.Path, " ") {
			words := strings.Join(strings.Fields(strings.Join(c.Subs, " ")+" "+dashed(c.Flags)+" -help"), " ")
			fmt.Fprintf(w, "    %q*) words=%q ;;\n", c.Path+" ", words)
		}
	}
	fmt.Fprint(w, `    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _ltxform ltxform
`)
}

// writeFishCompletion offers the commands with their synopses, then each
// command's subcommands and flags.
func writeFishCompletion(w io.Writer, cmds []CommandHelp) {
	fmt.Fprint(w, `# fish completion for ltxform. Load it with: ltxform completion fish | source
function __ltxform_words
    for word in (commandline -opc)[2..-1]
        string match -q -- '-*' $word; or echo $word
    end
end
function __ltxform_at
    set -l words (__ltxform_words)
    test (count $words) -ge (count $argv); or return 1
    for i in (seq (count $argv))
        test "$words[$i]" = "$argv[$i]"; or return 1
    end
end
complete -c ltxform -n 'test (count (__ltxform_words)) -eq 0' -o chdir -r -d 'use DIR as the manifest directory'
complete -c ltxform -n 'test (count (__ltxform_words)) -eq 0' -o version -d 'print the version'
`)
	for _, c := range cmds {
		words := strings.Fields(c.Path)
		if len(words) == 1 {
			fmt.Fprintf(w, "complete -c ltxform -f -n 'test (count (__ltxform_words)) -eq 0' -a %s -d %s\n", words[0], fishQuote(c.Synopsis))
		}
		cond := "__ltxform_at " + c.Path
		if len(c.Subs) > 0 {
			fmt.Fprintf(w, "complete -c ltxform -f -n 'test (count (__ltxform_words)) -eq 1; and %s' -a %s\n", cond, fishQuote(strings.Join(c.Subs, " ")))
			for _, s := range c.Subs {
				cond += "; and not __ltxform_at " + c.Path + " " + s
			}
		}
		for _, f := range c.Flags {
			fmt.Fprintf(w, "complete -c ltxform -n %s -o %s\n", fishQuote(cond), f)
		}
	}
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
