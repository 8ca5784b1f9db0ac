package main

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// The CI recipe the README shows is a workflow GitHub accepts: actionlint
// checks its syntax, expressions, events, permissions and action inputs.
func TestCIRecipePassesActionlint(t *testing.T) {
	t.Parallel()
	const path = "examples/ci/github-actions.yml"
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.LintFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", path, e.Line, e.Column, e.Message, e.Kind)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"plan -markdown", "updateComment", "apply -auto-approve", "schedule:", "PG_CONN_STR"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the recipe lost %q", want)
		}
	}
}
