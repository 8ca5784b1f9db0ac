package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// CommandHelp is one command or subcommand as its help defines it: shell
// completion offers it, and the README test checks its row against it.
type CommandHelp struct {
	Path     string   // "apply", "state list"
	Synopsis string   // the command list's line; "" for a subcommand
	Flags    []string // flag names without the dash, sorted
	Valued   []string // those of Flags that take a value (not booleans)
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
		flags, valued := flagsOf(name)
		out = append(out, CommandHelp{Path: name, Synopsis: v.synopsis, Flags: flags, Valued: valued, Subs: v.subcommands})
		for _, sub := range v.subcommands {
			flags, valued := flagsOf(name, sub)
			out = append(out, CommandHelp{Path: name + " " + sub, Flags: flags, Valued: valued})
		}
	}
	return out
}

// flagsOf runs `path... -help` and collects the names the flag set
// defines, and of those the ones that take a value (the next word).
func flagsOf(path ...string) (names, valued []string) {
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
		Getenv: func(string) string { return "" }}
	err := verbs[path[0]].run(context.Background(), env, append(path[1:], "-help"))
	var help *helpRequested
	if !errors.As(err, &help) {
		return nil, nil // a verb that only dispatches (state)
	}
	help.fs.VisitAll(func(f *flag.Flag) {
		names = append(names, f.Name)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
			valued = append(valued, f.Name)
		}
	})
	sort.Strings(names)
	sort.Strings(valued)
	return names, valued
}

// completedArgs are the commands whose arguments are addresses or run ids,
// which completion asks `ltxform __complete KIND` for (complete.go).
var completedArgs = []struct {
	path, kind string
	firstOnly  bool // only the first argument (the others are not addresses)
}{
	{"state list", "addresses", false}, {"state rm", "addresses", false}, {"state mv", "addresses", false},
	{"state show", "addresses", true}, {"accept", "addresses", true}, {"import", "addresses", true},
	{"runs show", "runs", true}, {"report", "runs", true},
}

// addressFlags are the flags whose value is an address.
var addressFlags = []string{"target", "replace"}

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

// bashCompletionHead is the bash script up to its table of commands; its
// verbs are the hidden command, the flags that take a value, the verbs with
// subcommands and the flags whose value is an address.
const bashCompletionHead = `# bash completion for ltxform. Load it with: source <(ltxform completion bash)
# _ltxform_ask KIND adds the words of "ltxform __complete KIND" (addresses or
# run ids, read from the directory's manifests and state) that start with $cur.
_ltxform_ask() {
    local a
    while IFS= read -r a; do
        if [[ -n ${ZSH_VERSION-} ]]; then COMPREPLY+=("$a"); continue; fi # zsh quotes and filters
        printf -v a '%%q' "$a"
        [[ $a == "$cur"* ]] && COMPREPLY+=("$a")
    done < <("${COMP_WORDS[0]}" ${chdir:+-chdir="$chdir"} %s "$1" 2>/dev/null)
}
_ltxform() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd="" sub="" chdir="" i w words="" npos=0
    local valued=" %s " subverbs=" %s "
    COMPREPLY=()
    # bash splits -flag=value at "=": the flag is then the word before it.
    if [[ $cur == "=" ]]; then cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        =) ((i++)) ;;
        -*) w=${w#-}; w=${w#-}
            if [[ $valued == *" $w "* ]]; then
                ((i++)); [[ ${COMP_WORDS[i]} == "=" ]] && ((i++))
                [[ $w == chdir ]] && chdir=${COMP_WORDS[i]}
            fi ;;
        *) if [[ -z $cmd ]]; then cmd=$w
           elif [[ -z $sub && $subverbs == *" $cmd "* ]]; then sub=$w
           else ((npos++)); fi ;;
        esac
    done
    if [[ $prev == -* ]]; then
        prev=${prev#-}; prev=${prev#-}
        case $prev in
        %s) _ltxform_ask addresses; return ;;
        esac
        # Another flag's value: file names (complete -o default).
        [[ $valued == *" $prev "* ]] && return
    fi
    if [[ $cur != -* ]]; then
        case "$cmd $sub" in
`

// writeBashCompletion completes the command, then the subcommand, then the
// flags of what was typed; an address or a run id where one is taken, from
// `ltxform __complete`; anything else falls back to file names.
func writeBashCompletion(w io.Writer, cmds []CommandHelp) {
	var verbsList, subVerbs, valued []string
	for _, c := range cmds {
		if !strings.Contains(c.Path, " ") {
			verbsList = append(verbsList, c.Path)
			if len(c.Subs) > 0 {
				subVerbs = append(subVerbs, c.Path)
			}
		}
		valued = append(valued, c.Valued...)
	}
	valued = append(valued, "chdir") // the global flag
	slices.Sort(valued)
	fmt.Fprintf(w, bashCompletionHead, completeCommand, strings.Join(slices.Compact(valued), " "), strings.Join(subVerbs, " "), strings.Join(addressFlags, "|"))
	for _, a := range completedArgs {
		key := a.path
		if !strings.Contains(key, " ") {
			key += " "
		}
		cond := ""
		if a.firstOnly {
			cond = "((npos == 0)) && "
		}
		fmt.Fprintf(w, "        %q) %s{ _ltxform_ask %s; return; } ;;\n", key, cond, a.kind)
	}
	fmt.Fprint(w, `        esac
    fi
    case "$cmd $sub" in
    " ") words="`+strings.Join(verbsList, " ")+` -chdir= -version -help" ;;
`)
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
# __ltxform_ask KIND: the addresses or run ids "ltxform __complete KIND" reads
# from the directory's manifests and state (the one -chdir names, if given).
function __ltxform_ask
    set -l words (commandline -opc)
    set -l chdir
    for i in (seq 2 (count $words))
        switch $words[$i]
            case '-chdir=*' '--chdir=*'
                set chdir (string replace -r -- '^--?chdir=' '' $words[$i])
            case -chdir --chdir
                set -l next (math $i + 1)
                set -q words[$next]; and set chdir $words[$next]
        end
    end
    if test -n "$chdir"
        $words[1] -chdir=$chdir __complete $argv 2>/dev/null
    else
        $words[1] __complete $argv 2>/dev/null
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
			if slices.Contains(addressFlags, f) {
				fmt.Fprintf(w, "complete -c ltxform -n %s -o %s -x -a '(__ltxform_ask addresses)'\n", fishQuote(cond), f)
				continue
			}
			fmt.Fprintf(w, "complete -c ltxform -n %s -o %s\n", fishQuote(cond), f)
		}
	}
	for _, a := range completedArgs {
		fmt.Fprintf(w, "complete -c ltxform -f -n %s -a '(__ltxform_ask %s)'\n", fishQuote("__ltxform_at "+a.path), a.kind)
	}
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
