package command

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEveryHelpOnStdout runs -help, -h and --help of every command and
// subcommand in the table: usage on stdout, nothing on stderr, success.
func TestEveryHelpOnStdout(t *testing.T) {
	cmds := Commands()
	if len(cmds) < 15 {
		t.Fatalf("only %d commands listed", len(cmds))
	}
	for _, c := range cmds {
		for _, h := range []string{"-help", "-h", "--help"} {
			var stdout, stderr bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
			args := append(strings.Fields(c.Path), h)
			if err := Run(context.Background(), env, args); err != nil {
				t.Errorf("ltxform %s: %v", strings.Join(args, " "), err)
			}
			if stderr.Len() > 0 {
				t.Errorf("ltxform %s wrote to stderr: %s", strings.Join(args, " "), stderr.String())
			}
			if !strings.Contains(stdout.String(), "ltxform "+c.Path) {
				t.Errorf("ltxform %s: stdout does not show its usage:\n%s", strings.Join(args, " "), stdout.String())
			}
		}
	}
}

// TestCommonFlagsEverywhere: every command that has flags takes -no-color
// and -input.
func TestCommonFlagsEverywhere(t *testing.T) {
	for _, c := range Commands() {
		if len(c.Subs) > 0 && len(c.Flags) == 0 {
			continue // only dispatches (state, workspace)
		}
		for _, f := range CommonFlags {
			found := false
			for _, g := range c.Flags {
				found = found || g == f
			}
			if !found {
				t.Errorf("ltxform %s does not take -%s", c.Path, f)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	known := verbNames()
	for _, tc := range []struct{ typed, want string }{
		{"aply", "apply"},
		{"appyl", "apply"},
		{"plna", "plan"},
		{"valdiate", "validate"},
		{"stat", "state"},
		{"verison", "version"},
		{"frobnicate", ""},
		{"x", ""},  // one letter is no evidence of a typo
		{"ap", ""}, // nor is a prefix two edits away
	} {
		if got := suggest(tc.typed, known); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	if got := suggest("lst", subcommandNames(stateCommands)); got != "list" {
		t.Errorf(`suggest("lst") among state's = %q, want "list"`, got)
	}
}
