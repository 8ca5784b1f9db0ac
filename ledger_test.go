package main

import (
	"bufio"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ltxform/ltxform/sim"
)

// ledgerManifest is six 6-second 1080p videos (24 credits each), two at a
// time, so that a kill after the first creates leaves tasks in flight and
// videos not yet begun.
const ledgerManifest = `
api {
  requests_per_minute = 60000
  parallelism         = 2
}

video "clip" {
  count    = 6
  prompt   = "Ledger clip number ${count.index}, a harbour at dawn"
  duration = 6
}
`

// TestKilledRunLeavesARecordAndIsNotChargedAgain is issue 10's promise for
// spend: an apply killed with SIGKILL after some creates is listed by runs
// as killed with what it bought; the next apply says it resumes it and is
// not charged again for those tasks; and runs' total, plan's spend to date
// and the simulator's count of credits spent are one figure.
func TestKilledRunLeavesARecordAndIsNotChargedAgain(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("ltxform") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	// Tasks take long enough that the kill finds the first ones in flight.
	s := sim.New(sim.Options{Keys: []string{simKey}, Latency: 2 * time.Second})
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(ledgerManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	ltxform := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "LTX_API_URL="+srv.URL, "LTX_API_KEY="+simKey, "NO_COLOR=1")
		return cmd
	}

	// Kill the first apply once two tasks are created (their ledger lines
	// and created records written) and in flight.
	cmd := ltxform("apply", "-auto-approve", "-json", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	created := 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for created < 2 && sc.Scan() {
		if strings.Contains(sc.Text(), `"kind":"created"`) {
			created++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	go func() { // drain, so that the child never blocks on a full pipe
		for sc.Scan() {
		}
	}()
	_ = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the first apply finished before it could be killed (%d created): make the simulator slower", created)
	}
	if created < 2 {
		t.Fatalf("the first apply was killed after only %d creates", created)
	}
	spentByKilled := s.Counters().Spent
	if spentByKilled < 48 {
		t.Fatalf("the simulator counted %v credits before the kill, want at least two tasks' 48", spentByKilled)
	}

	// runs lists the killed run with what it bought, before anyone resumes it.
	list := runsJSON(t, ltxform("runs", "-json", dir))
	if len(list.Runs) != 1 || list.Runs[0].Status != "killed" {
		t.Fatalf("runs after the kill: %+v, want one killed run", list.Runs)
	}
	killedID := list.Runs[0].ID
	if got := list.Runs[0].CostConsumed; got < 48 || got > spentByKilled {
		t.Errorf("the killed run is listed with %v credits; it bought at least 48 and the simulator counted %v", got, spentByKilled)
	}

	// The next apply says it resumes the killed run, and finishes the work.
	out, err := ltxform("apply", "-auto-approve", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("the resuming apply failed: %v\n%s", err, tail(out, 40))
	}
	if !strings.Contains(string(out), "Resuming run "+killedID+", killed at ") || !strings.Contains(string(out), "in flight") {
		t.Errorf("the resuming apply did not say it resumes %s:\n%s", killedID, tail(out, 40))
	}
	if strings.Contains(string(out), "check the pricing block") {
		t.Errorf("the resumed tasks were blamed on the pricing block:\n%s", tail(out, 40))
	}

	c := s.Counters()
	if c.DuplicateCreates != 0 || c.Creates != 6 {
		t.Errorf("simulator: %d creates, %d duplicates; want 6 and 0", c.Creates, c.DuplicateCreates)
	}
	list = runsJSON(t, ltxform("runs", "-json", dir))
	if len(list.Runs) != 2 {
		t.Fatalf("runs after the resume: %+v", list.Runs)
	}
	resumed, killed := list.Runs[0], list.Runs[1]
	if killed.ID != killedID || killed.Status != "killed" || resumed.Status != "completed" {
		t.Errorf("runs: %+v", list.Runs)
	}
	// Each task is credited once, to the run whose create made it.
	if !near(killed.CostConsumed+resumed.CostConsumed, c.Spent) {
		t.Errorf("killed run %v + resumed run %v credits, the simulator counted %v", killed.CostConsumed, resumed.CostConsumed, c.Spent)
	}
	if !near(resumed.CostConsumed, c.Spent-spentByKilled) {
		t.Errorf("the resumed run is charged %v credits; it bought %v (the simulator counted %v before the kill, %v in all)",
			resumed.CostConsumed, c.Spent-spentByKilled, spentByKilled, c.Spent)
	}
	if !near(list.Total.ByUnit["credits"], c.Spent) {
		t.Errorf("runs' total is %v credits, the simulator counted %v", list.Total.ByUnit["credits"], c.Spent)
	}

	// plan's spend to date is the same figure.
	pout, err := ltxform("plan", "-json", dir).Output()
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, pout)
	}
	var p struct {
		Totals struct {
			Consumed float64 `json:"consumed"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(pout, &p); err != nil {
		t.Fatal(err)
	}
	if !near(p.Totals.Consumed, c.Spent) {
		t.Errorf("plan's spend to date is %v credits, the simulator counted %v", p.Totals.Consumed, c.Spent)
	}

	// runs show lists the tasks the killed run paid for.
	sout, err := ltxform("runs", "show", "-json", killedID, dir).Output()
	if err != nil {
		t.Fatalf("runs show: %v", err)
	}
	var show struct {
		Paid []struct {
			TaskID string  `json:"task_id"`
			Cost   float64 `json:"cost"`
		} `json:"paid"`
	}
	if err := json.Unmarshal(sout, &show); err != nil {
		t.Fatal(err)
	}
	if len(show.Paid) < 2 {
		t.Errorf("runs show of the killed run lists %d paid tasks, want at least 2:\n%s", len(show.Paid), sout)
	}
}

type runsListing struct {
	Runs []struct {
		ID           string  `json:"id"`
		Status       string  `json:"status"`
		CostConsumed float64 `json:"cost_consumed"` // credits_consumed in runs -json 1.0
	} `json:"runs"`
	Total struct {
		ByUnit map[string]float64 `json:"by_unit"`
	} `json:"total"`
}

func runsJSON(t *testing.T, cmd *exec.Cmd) runsListing {
	t.Helper()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("runs -json: %v\n%s", err, out)
	}
	var l runsListing
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatalf("runs -json: %v\n%s", err, out)
	}
	return l
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
