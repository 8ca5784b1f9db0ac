package command

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// TestImportTaskAdoptsATaskMadeElsewhere makes a task straight at the
// simulator, as another tool or a colleague would, then imports it: the
// task is polled until done, downloaded and recorded, and no create is
// sent; the next plan has nothing to do.
func TestImportTaskAdoptsATaskMadeElsewhere(t *testing.T) {
	const key = "sk-import-test"
	s := sim.New(sim.Options{Keys: []string{key}, Latency: 300 * time.Millisecond})
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })

	provider, _ := ltx.LookupProvider(ltx.DefaultProvider)
	client := ltx.NewClient(ltx.Options{Provider: provider, BaseURL: srv.URL, Key: ltx.NewKey(key)})
	task, err := client.Create(context.Background(),
		ltx.CreateRequest{Prompt: "A fox crossing a frozen river", Duration: 6, Resolution: "1080p"}, "made-by-hand")
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	manifest := `
api {
  requests_per_minute = 6000
}
video "fox" {
  prompt   = "A fox crossing a frozen river"
  duration = 6
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"LTX_API_URL": srv.URL, "LTX_API_KEY": key}
	run := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
			Getenv: func(k string) string { return vars[k] }, Environ: func() []string { return nil }}
		err := Run(context.Background(), env, args)
		return stdout.String() + stderr.String(), err
	}

	out, err := run("import", "video.fox", task.ID, dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Imported video.fox from task "+task.ID+": out/fox.mp4 downloaded") || !strings.Contains(out, "No create was sent") {
		t.Errorf("import said:\n%s", out)
	}
	st, err := state.NewLocalStore(dir).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := st.Get("video.fox")
	if e == nil || e.Status != state.StatusDownloaded || e.TaskID != task.ID || e.SHA256 == "" || e.Endpoint != srv.URL {
		t.Fatalf("entry %+v, want task %s downloaded from %s", e, task.ID, srv.URL)
	}
	if e.CostConsumed != task.ConsumedCost || e.CostConsumed == 0 {
		t.Errorf("consumed %v, want %v as the service reported", e.CostConsumed, task.ConsumedCost)
	}
	if e.Request == nil || e.Request.Prompt != "A fox crossing a frozen river" {
		t.Errorf("the record does not keep the manifest's request: %+v", e.Request)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "fox.mp4")); err != nil {
		t.Errorf("no file: %v", err)
	}
	if c := s.Counters(); c.Creates != 1 || c.Replays != 0 || c.Downloads != 1 {
		t.Errorf("counters %+v, want the one create made by hand, one download", c)
	}
	// The task was paid for outside any run: the ledger counts it once,
	// credited to the import, and runs and plan agree on the spend.
	ledger, err := state.NewLocalStore(dir).Charges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 1 || ledger[0].TaskID != task.ID || ledger[0].RunID != state.ImportRunID || ledger[0].Cost != task.ConsumedCost {
		t.Errorf("ledger %+v, want the task's %v credits credited to the import", ledger, task.ConsumedCost)
	}
	spent := strings.TrimSuffix(plan.FormatCost(task.ConsumedCost, ltx.UnitCredits), " credits")
	if out, err := run("runs", dir); err != nil || !regexp.MustCompile(`\| \(imported\) .*1 task adopted .*\| `+spent+` credits`).MatchString(out) ||
		!regexp.MustCompile(`\| total .*\| `+spent+` credits`).MatchString(out) {
		t.Errorf("runs: %v, want an (imported) row and a total of %s credits\n%s", err, spent, out)
	}
	if out, err := run("plan", "-detailed-exitcode", dir); err != nil {
		t.Errorf("plan after import: %v, want no changes\n%s", err, out)
	}
	// Importing it again is refused: the state knows it now.
	if out, err := run("import", "video.fox", task.ID, dir); err == nil || !strings.Contains(out+err.Error(), "already in the state") {
		t.Errorf("second import: %v\n%s", err, out)
	}
}
