package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ltxform/ltxform/command"
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

// errorTables renders the README's error tables, one per provider, from
// each provider's own vocabulary.
func errorTables() string {
	var b strings.Builder
	for i, p := range ltx.Providers() {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "#### `%s`\n\n", p.Name)
		b.WriteString("| code | status | class | what ltxform does | what to do |\n")
		b.WriteString("| --- | --- | --- | --- | --- |\n")
		for _, c := range p.Codes {
			action := classAction[c.Class]
			if c.Throttle == ltx.ThrottleConcurrency {
				action = "waits for one of its running tasks to end (or Retry-After), without slowing the request rate, and sends it again"
			}
			status := strconv.Itoa(c.Status)
			if c.Status == 0 {
				status = "a task's status"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.Code, status, c.Class, action, c.Suggestion)
		}
	}
	return b.String()
}

// providersTable renders the README's table of providers from their data.
func providersTable() string {
	var b strings.Builder
	b.WriteString("| provider | speaks | key | unit | resolutions | durations | at once | results kept | idempotency key | assumed (override in the manifest) |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, p := range ltx.Providers() {
		durations := fmt.Sprintf("%d–%d s", p.Limits.DurationMin, p.Limits.DurationMax)
		if p.Limits.Durations != nil {
			lo, hi := durationRange(p)
			durations = fmt.Sprintf("a set per model, resolution and fps (%d–%d s)", lo, hi)
		}
		key := fmt.Sprintf("`Authorization: %s`; `LTX_API_KEY`", p.AuthHeader())
		for _, env := range p.KeyEnv {
			key += ", `" + env + "`"
		}
		atOnce := "no documented limit"
		if n := p.Capabilities.MaxConcurrentTasks; n > 0 {
			atOnce = fmt.Sprintf("%d (`max_concurrent_tasks`)", n)
		}
		kept := "not documented to expire"
		if r := p.Capabilities.ResultRetention; r > 0 {
			kept = fmt.Sprintf("%.0f h", r.Hours())
		}
		idem := "no: a lost answer is *uncertain*"
		if p.Capabilities.IdempotencyKey {
			idem = "yes"
			if p.Capabilities.IdempotencyAssumed {
				idem = "assumed, so not trusted: a lost answer is *uncertain* (`idempotency_key = true` trusts it)"
			}
		}
		var assumed []string
		for _, r := range p.Prices {
			if r.Assumed {
				key := r.Resolution
				if r.Model != "" {
					key = r.Model + "/" + r.Resolution
				}
				if r.Mode != "" {
					key += " (" + string(r.Mode) + ")"
				}
				assumed = append(assumed, key)
			}
		}
		note := "none"
		if len(assumed) > 0 {
			note = "prices of " + strings.Join(assumed, ", ") + " (`pricing`)"
		}
		if p.Limits.PromptMaxAssumed {
			note += fmt.Sprintf("; the %d-character prompt limit", p.Limits.PromptMax)
		}
		if p.Capabilities.GenerationTimeAssumed {
			note += "; the generation time behind the default `task_timeout`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p.Name, p.Description, key, p.Unit,
			strings.Join(p.Limits.Resolutions, ", "), durations, atOnce, kept, idem, note)
	}
	return b.String()
}

// durationRange is the shortest and longest duration any model of p takes.
func durationRange(p *ltx.Provider) (lo, hi int) {
	lo = 1 << 30
	for _, m := range p.Limits.Models {
		for _, res := range p.Limits.Resolutions {
			for _, fps := range append([]int{0}, p.Limits.FPS...) {
				for _, d := range p.Limits.Durations(m.Name, res, fps) {
					lo, hi = min(lo, d), max(hi, d)
				}
			}
		}
	}
	return lo, hi
}

// TestReadmeTablesMatchProviders keeps the README's providers table and its
// error tables the same as the providers that the planner and executor use.
func TestReadmeTablesMatchProviders(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ltx.Providers() {
		for _, c := range p.Codes {
			if classAction[c.Class] == "" {
				t.Fatalf("no README wording for class %s", c.Class)
			}
		}
	}
	if want := errorTables(); !strings.Contains(string(readme), want) {
		t.Errorf("README.md's error tables differ from the providers' vocabularies; they should read:\n\n%s", want)
	}
	if want := providersTable(); !strings.Contains(string(readme), want) {
		t.Errorf("README.md's providers table differs from the providers; it should read:\n\n%s", want)
	}
}

// flagAliases are flags a command takes under a second name; the README
// names the first.
var flagAliases = map[string]bool{"max-credits": true}

// readmeFlag is a flag written in the README's command table: [-json],
// [-lock=false], `-help`.
var readmeFlag = regexp.MustCompile("(?:^|[\\s\\[`])-([a-z][a-z0-9-]*)")

// TestReadmeCommandTable keeps the README's command table in step with the
// commands: a row for every command and subcommand, naming each of its
// flags (but the ones every command takes) and no flag it does not take.
// A flag may be named in either column: apply's -lock=false is named as
// refused.
func TestReadmeCommandTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := string(readme)
	start := strings.Index(table, "| command | what it does |")
	if start < 0 {
		t.Fatal("README.md has no command table")
	}
	table = table[start:]
	if end := strings.Index(table, "\n\n"); end >= 0 {
		table = table[:end]
	}
	rows := map[string]string{} // command path → its row in the table
	for _, line := range strings.Split(table, "\n") {
		if rest, ok := strings.CutPrefix(line, "| `ltxform "); ok {
			rows[commandPath(rest)] = rest
		}
	}

	common := map[string]bool{"help": true}
	for _, f := range command.CommonFlags {
		common[f] = true
	}
	for _, c := range command.Commands() {
		if len(c.Subs) > 0 && len(c.Flags) == 0 {
			continue // state: its subcommands have the rows
		}
		syn, ok := rows[c.Path]
		if !ok {
			t.Errorf("README.md's command table has no row for ltxform %s", c.Path)
			continue
		}
		delete(rows, c.Path)
		// -help, and ltxform's own flags, which a row may mention.
		takes := map[string]bool{"help": true, "chdir": true, "version": true}
		for _, f := range c.Flags {
			takes[f] = true
		}
		named := map[string]bool{}
		for _, m := range readmeFlag.FindAllStringSubmatch(syn, -1) {
			named[m[1]] = true
			if !takes[m[1]] {
				t.Errorf("README.md: ltxform %s names -%s, which it does not take", c.Path, m[1])
			}
		}
		if strings.Contains(syn, "[knobs]") {
			continue // sim: its -help lists the knobs
		}
		for _, f := range c.Flags {
			if !named[f] && !common[f] && !flagAliases[f] {
				t.Errorf("README.md: the row of ltxform %s does not name its flag -%s", c.Path, f)
			}
		}
	}
	for path := range rows {
		t.Errorf("README.md's command table has a row for ltxform %s, which is no command", path)
	}
}

// commandPath is the command a synopsis is about: "state list" for
// "state list [-json] [DIR]", "runs" for "runs [-json] [DIR]".
func commandPath(synopsis string) string {
	synopsis, _, _ = strings.Cut(synopsis, "`")
	words := strings.Fields(synopsis)
	path := words[0]
	for _, c := range command.Commands() {
		if len(words) > 1 && c.Path == words[0]+" "+words[1] {
			path = c.Path
		}
	}
	return path
}
