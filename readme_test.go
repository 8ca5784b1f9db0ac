package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ltxform/ltxform/ltx"
)

// classAction is what apply does for each class, in the README's words.
var classAction = map[ltx.Class]string{
	ltx.ClassRunFatal:      "stops the run at once: no further create",
	ltx.ClassRunStop:       "creates nothing more; tasks in flight finish",
	ltx.ClassRetry:         "waits (Retry-After, else backoff) and sends the same request again",
	ltx.ClassTaskPermanent: "fails this video, keeps going; never retried",
	ltx.ClassTaskRetry:     "creates a new task, up to max_attempts",
	ltx.ClassTaskLost:      "fails this video; the next plan creates it again",
}

// errorTable renders the README's error-code table from the one catalogue.
func errorTable() string {
	var b strings.Builder
	b.WriteString("| code | status | class | what ltxform does | what to do |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, c := range ltx.Catalogue() {
		fmt.Fprintf(&b, "| `%s` | %d | %s | %s | %s |\n", c.Code, c.Status, c.Class, classAction[c.Class], c.Suggestion)
	}
	return b.String()
}

// TestReadmeErrorTableMatchesCatalogue keeps the README's table of error
// codes the same as the catalogue that the executor and planner use.
func TestReadmeErrorTableMatchesCatalogue(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ltx.Catalogue() {
		if classAction[c.Class] == "" {
			t.Fatalf("no README wording for class %s", c.Class)
		}
	}
	if want := errorTable(); !strings.Contains(string(readme), want) {
		t.Errorf("README.md's error-code table differs from ltx.Catalogue(); it should read:\n\n%s", want)
	}
}
