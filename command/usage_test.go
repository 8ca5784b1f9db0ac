package command

import (
	"context"
	"errors"
	"flag"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// usageFlag finds the flags a usage line names: -json, [-var NAME=VALUE]...,
// [-lock=false].
var usageFlag = regexp.MustCompile(`(?:^|[\s\[|])-([a-z][a-z0-9-]*)`)

// TestUsageNamesEveryFlag keeps each command's usage line equal to its flag
// set: every flag it defines (but -no-color and -input, which every command
// takes, and an alias such as -max-credits) is named, and nothing else.
// `sim` may name a few of its many knobs and sums up the rest as "[knobs]".
func TestUsageNamesEveryFlag(t *testing.T) {
	knobs := flag.NewFlagSet("sim", flag.ContinueOnError)
	registerSimFlags(knobs)
	for _, c := range Commands() {
		path := strings.Fields(c.Path)
		env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
		var help *helpRequested
		if !errors.As(verbs[path[0]].run(context.Background(), env, append(path[1:], "-help")), &help) {
			continue // state only dispatches; its overview is checked below
		}
		var defined []string
		help.fs.VisitAll(func(f *flag.Flag) {
			alias := strings.HasPrefix(f.Usage, "the same as -") // -max-credits: told under -max-cost
			if alias || slices.Contains(CommonFlags, f.Name) || c.Path == "sim" && knobs.Lookup(f.Name) != nil {
				return
			}
			defined = append(defined, f.Name)
		})
		named := map[string]bool{}
		for _, m := range usageFlag.FindAllStringSubmatch(help.fs.usage, -1) {
			named[m[1]] = c.Path != "sim" || knobs.Lookup(m[1]) == nil
		}
		var listed []string
		for n, own := range named {
			if own {
				listed = append(listed, n)
			}
		}
		sort.Strings(listed)
		sort.Strings(defined)
		if !slices.Equal(listed, defined) {
			t.Errorf("ltxform %s: usage %q names %v; its flags are %v", c.Path, help.fs.usage, listed, defined)
		}
		if c.Path == "sim" && !strings.Contains(help.fs.usage, "[knobs]") {
			t.Errorf("ltxform sim: usage %q does not mention its knobs", help.fs.usage)
		}
	}
}

// TestStateHelpShowsEachSubcommandsUsage: `state -help` is the overview a
// user reads first; each of its lines is the subcommand's own usage.
func TestStateHelpShowsEachSubcommandsUsage(t *testing.T) {
	var stdout strings.Builder
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	if err := Run(context.Background(), env, []string{"state", "-help"}); err != nil {
		t.Fatal(err)
	}
	for _, sub := range stateCommands {
		var help *helpRequested
		if !errors.As(sub.run(context.Background(), env, []string{"-help"}), &help) {
			t.Fatalf("state %s -help: no usage", sub.name)
		}
		if !strings.Contains(stdout.String(), help.line()+"\n") {
			t.Errorf("state -help lacks %q:\n%s", help.line(), stdout.String())
		}
	}
}
