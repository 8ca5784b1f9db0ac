package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// crashManifest is 40 videos, so that kills land in every phase: intent
// written, create sent, polling, downloading, checkpointing.
const crashManifest = `
api {
  requests_per_minute = 60000
  parallelism         = 3
}

video "clip" {
  count    = 40
  prompt   = "Crash-test clip number ${count.index}, a lighthouse at dusk"
  duration = 6
}
`

// TestApplySurvivesSIGKILL is the promise of DESIGN.md's "State and crash
// safety": an apply killed at any moment and run again never buys a video
// twice, and once it finishes every file is there with the sha256 the state
// records.
func TestApplySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 20 subprocesses")
	}
	bin, err := exec.LookPath("ltxform") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	// Some creates are committed and then their connection dropped, so that
	// "was it created?" is an open question at many kills, not only at the
	// rare one that lands between a create and its record.
	s := sim.New(sim.Options{
		Keys:       []string{simKey},
		Latency:    300 * time.Millisecond,
		FaultRates: map[sim.Fault]float64{sim.FaultDropAfterCreate: 0.15, sim.FaultUnavailable: 0.05},
		Seed:       7,
	})
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(crashManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	apply := func() *exec.Cmd {
		cmd := exec.Command(bin, "apply", "-auto-approve", "-json", dir)
		cmd.Env = append(os.Environ(), "LTX_API_URL="+srv.URL, "LTX_API_KEY="+simKey, "NO_COLOR=1")
		return cmd
	}

	rng := rand.New(rand.NewPCG(20261125, 40))
	killed, runs := 0, 0
	// Once a run finishes on its own there is no work left: later kills are
	// timed within the length of that run, so they land in its start-up,
	// journal fold or checkpoint.
	timeWindow, workDone := 1500*time.Millisecond, false
	for ; killed < 20; runs++ {
		if runs == 60 {
			t.Fatalf("only %d of %d applies were killed before they finished", killed, runs)
		}
		// One run in four is killed by a timer, which lands in start-up,
		// the journal fold or the final checkpoint; the others a few event
		// lines in, plus a little, which lands mid-create, mid-poll or
		// mid-download. Each run gets a little further than the last.
		killAfterLines, killAfter := 0, time.Duration(rng.Int64N(int64(timeWindow)))
		if rng.IntN(4) != 0 && !workDone {
			killAfterLines, killAfter = 1+rng.IntN(3), 5*time.Second
		}
		jitter := time.Duration(rng.IntN(20)) * time.Millisecond
		cmd := apply()
		var errb strings.Builder
		cmd.Stderr = &errb
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killTimer := time.AfterFunc(killAfter, func() { _ = cmd.Process.Kill() })
		lines := 0
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if !progressLine.MatchString(sc.Text()) {
				continue // the plan, "start" and "unchanged" lines come before any work
			}
			if lines++; lines == killAfterLines {
				killTimer.Reset(jitter)
			}
		}
		_ = cmd.Wait() // killed, or finished first: both are fine here
		killTimer.Stop()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		} else if cmd.ProcessState.Success() {
			timeWindow, workDone = time.Since(started), true
		} else {
			t.Fatalf("run %d failed on its own: %v\n%s", runs+1, cmd.ProcessState, errb.String())
		}

		st, err := state.NewLocalStore(dir).Load(context.Background())
		if err != nil {
			t.Fatalf("run %d: the state does not load after a kill: %v", runs+1, err)
		}
		if c := s.Counters(); c.DuplicateCreates != 0 {
			t.Fatalf("run %d: %d duplicate creates; the state has %d entries", runs+1, c.DuplicateCreates, len(st.Entries))
		}
	}

	c := s.Counters()
	if c.Downloads == 0 {
		t.Errorf("no run got as far as a download before it was killed: the kills are too early to test much")
	}
	t.Logf("%d of %d runs killed; simulator: %d creates, %d idempotent replays, %d polls, %d downloads", killed, runs, c.Creates, c.Replays, c.Polls, c.Downloads)

	out, err := apply().CombinedOutput()
	if err != nil {
		t.Fatalf("the final apply failed: %v\n%s", err, tail(out, 40))
	}

	if c := s.Counters(); c.DuplicateCreates != 0 {
		t.Errorf("the simulator counted %d duplicate creates", c.DuplicateCreates)
	}
	st, err := state.NewLocalStore(dir).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for n := range 40 {
		addr := fmt.Sprintf("video.clip[%d]", n)
		e := st.Get(addr)
		if e == nil {
			t.Errorf("%s is not in the state", addr)
			continue
		}
		if e.Status != state.StatusDownloaded {
			t.Errorf("%s is %s, want downloaded", addr, e.Status)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Output)))
		if err != nil {
			t.Errorf("%s: %v", addr, err)
			continue
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != e.SHA256 {
			t.Errorf("%s: %s has sha256 %s, the state records %s", addr, e.Output, got, e.SHA256)
		}
	}
	if c := s.Counters(); c.Creates < 40 {
		t.Errorf("the simulator saw %d creates for 40 videos", c.Creates)
	}
}

// progressLine matches the JSON event lines of apply that record a step of
// a video's life.
var progressLine = regexp.MustCompile(`"kind":"(created|progress|completed|downloaded|retry|failed)"`)

// tail returns the last n lines of b, for failure messages.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
