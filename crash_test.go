package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// crashManifest is 40 videos, so that kills land in every phase: intent
// written, create sent, polling, downloading, checkpointing. It trusts the
// simulator's Idempotency-Key (not the default: the key is only assumed),
// so that a create whose answer a kill lost is re-sent with its key and the
// last apply finishes every video.
const crashManifest = `
api {
  requests_per_minute = 60000
  parallelism         = 3
  idempotency_key     = true
}

video "clip" {
  count    = 40
  prompt   = "Crash-test clip number ${count.index}, a lighthouse at dusk"
  duration = 6
}
`

// TestApplySurvivesSIGKILL is the promise of ARCHITECTURE.md's "State and crash
// safety": an apply killed at any moment and run again never buys a video
// twice, and once it finishes every file is there with the sha256 the state
// records.
func TestApplySurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "kills 20 applies")
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

	env := append(os.Environ(), "LTX_API_URL="+srv.URL, "LTX_API_KEY="+simKey, "NO_COLOR=1")
	rng := rand.New(rand.NewPCG(20261125, 40))
	killer := newRandomKiller(rng, 1500*time.Millisecond)
	kills := crashRuns(t, 20)
	killed, runs := 0, 0
	for ; killed < kills; runs++ {
		if runs == 3*kills {
			t.Fatalf("only %d of %d applies were killed before they finished", killed, runs)
		}
		res := runProc(t, bin, killer.next(env, syscall.SIGKILL, "apply", "-auto-approve", "-json", dir))
		killer.observe(res)
		if res.signaled {
			killed++
		} else if res.exitCode != 0 {
			t.Fatalf("run %d failed on its own: exit %d\n%s", runs+1, res.exitCode, res.stderr)
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

	cmd := exec.Command(bin, "apply", "-auto-approve", "-json", dir)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
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
		if ok, why := downloadedIntact(dir, st, addr); !ok {
			t.Errorf("%s: %s, want downloaded with the sha256 the state records", addr, why)
		}
	}
	if c := s.Counters(); c.Creates < 40 {
		t.Errorf("the simulator saw %d creates for 40 videos", c.Creates)
	}
}

// skipInShortMode skips a crash or chaos test under -short, the quick
// subset a contributor runs while working; the full suite (go test -race
// ./..., as CI runs it) always runs them.
func skipInShortMode(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test %s; run without -short (CI does)", what)
	}
}

// crashRuns is how many applies a crash or chaos test stops: full, the
// count CI runs (fullSuite), else a quarter of it but at least 5, so that a
// contributor's go test -race ./... stays short on two cores. Each stop
// lands at a random moment; more of them explore more moments, they check
// nothing else.
func crashRuns(t *testing.T, full int) int {
	t.Helper()
	if fullSuite() {
		return full
	}
	n := min(full, max(full/4, 5))
	t.Logf("%d of the %d runs CI makes (%s=1 or CI=true for all)", n, full, fullSuiteEnv)
	return n
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

// procRun is one subprocess of a crash or chaos test and the signal to send
// it: after afterLines progress lines plus jitter, or after `after` (also the
// fallback when the lines never come).
type procRun struct {
	args       []string
	env        []string
	signal     os.Signal // nil: let it finish
	afterLines int
	after      time.Duration
	jitter     time.Duration
	limit      time.Duration // it must end by itself within this; default 2 min
}

// procResult is how a procRun ended.
type procResult struct {
	signalSent bool
	signaled   bool // ended by a signal it did not handle (SIGKILL)
	exitCode   int  // -1 when signaled
	stdout     string
	stderr     string
	elapsed    time.Duration
}

// runProc runs r to its end and fails the test if it has not ended by
// itself within r.limit: apply must always end, also after a SIGINT or
// SIGTERM.
func runProc(t *testing.T, bin string, r procRun) procResult {
	t.Helper()
	if r.limit == 0 {
		r.limit = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, r.args...)
	cmd.Env = r.env
	cmd.WaitDelay = 5 * time.Second
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
	var sent atomic.Bool
	var timer *time.Timer
	if r.signal != nil {
		timer = time.AfterFunc(r.after, func() {
			sent.Store(true)
			_ = cmd.Process.Signal(r.signal)
		})
	}
	var out strings.Builder
	lines := 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	for sc.Scan() {
		out.WriteString(sc.Text())
		out.WriteByte('\n')
		if timer == nil || !progressLine.MatchString(sc.Text()) {
			continue // the plan, "start" and "unchanged" lines come before any work
		}
		if lines++; lines == r.afterLines {
			timer.Reset(r.jitter)
		}
	}
	if sc.Err() != nil {
		rest, _ := io.ReadAll(stdout)
		out.Write(rest)
	}
	_ = cmd.Wait()
	if timer != nil {
		timer.Stop()
	}
	res := procResult{signalSent: sent.Load(), exitCode: cmd.ProcessState.ExitCode(),
		stdout: out.String(), stderr: errb.String(), elapsed: time.Since(started)}
	if ctx.Err() != nil {
		t.Fatalf("ltxform %s did not end within %s (signal %v sent: %v); it was killed\nstderr:\n%s",
			strings.Join(r.args, " "), r.limit, r.signal, res.signalSent, tail([]byte(res.stderr), 20))
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.signaled = true
	}
	return res
}

// randomKiller picks the moment of each kill. One run in four is signalled
// by a timer within the length of a whole run, which lands in start-up, the
// journal fold or the final checkpoint; the others a few event lines in,
// plus a little, which lands mid-create, mid-poll or mid-download. Once a
// run has finished on its own there is no work left, and every later kill
// is timed.
type randomKiller struct {
	rng        *rand.Rand
	timeWindow time.Duration
	maxLines   int
	workDone   bool
}

func newRandomKiller(rng *rand.Rand, window time.Duration) *randomKiller {
	return &randomKiller{rng: rng, timeWindow: window, maxLines: 3}
}

func (k *randomKiller) next(env []string, sig os.Signal, args ...string) procRun {
	r := procRun{args: args, env: env, signal: sig,
		after:  time.Duration(k.rng.Int64N(int64(k.timeWindow))),
		jitter: time.Duration(k.rng.IntN(20)) * time.Millisecond,
	}
	if k.rng.IntN(4) != 0 && !k.workDone {
		r.afterLines, r.after = 1+k.rng.IntN(k.maxLines), 5*time.Second
	}
	return r
}

// observe learns from a run that ended by itself how long a whole run is.
func (k *randomKiller) observe(res procResult) {
	if !res.signalSent {
		k.timeWindow, k.workDone = res.elapsed, true
	}
}

// resultCounts reads the counts of apply -json's "results" line.
//
// An apply with nothing to send has no results line (issue 20: it exits 4
// while videos wait on a decision); its counts are then those of its
// planned_change lines by action, such as {"uncertain": 2}.
func resultCounts(stdout string) map[string]int {
	var waiting map[string]int
	for _, line := range strings.Split(stdout, "\n") {
		var doc struct {
			Type   string         `json:"type"`
			Counts map[string]int `json:"counts"`
			Change struct {
				Action string `json:"action"`
			} `json:"change"`
		}
		if json.Unmarshal([]byte(line), &doc) != nil {
			continue
		}
		switch doc.Type {
		case "results":
			return doc.Counts
		case "no_changes":
			waiting = map[string]int{}
		case "planned_change":
			if waiting != nil {
				waiting[doc.Change.Action]++
			}
		}
	}
	return waiting
}

// planActions runs plan -json and returns each address's action.
func planActions(t *testing.T, bin, dir string, env []string) map[string]string {
	t.Helper()
	cmd := exec.Command(bin, "plan", "-json", dir)
	cmd.Env = env
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if ee := (*exec.ExitError)(nil); err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 2) {
		t.Fatalf("plan -json: %v\n%s", err, errb.String())
	}
	var doc struct {
		Changes []struct {
			Address string `json:"address"`
			Action  string `json:"action"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, tail(out, 20))
	}
	actions := map[string]string{}
	for _, c := range doc.Changes {
		actions[c.Address] = c.Action
	}
	return actions
}

// downloadedIntact says whether addr is downloaded in st with its file
// present and of the sha256 the state records, and if not, why.
func downloadedIntact(dir string, st *state.State, addr string) (bool, string) {
	e := st.Get(addr)
	switch {
	case e == nil:
		return false, "not in the state"
	case e.Status != state.StatusDownloaded:
		return false, "is " + string(e.Status)
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Output)))
	if err != nil {
		return false, err.Error()
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != e.SHA256 {
		return false, fmt.Sprintf("%s has sha256 %s, the state records %s", e.Output, got, e.SHA256)
	}
	return true, ""
}

// noKeyCrashManifest is 30 videos for a provider with no idempotency key.
// "#N/" makes each prompt a substring no other prompt contains, for the
// simulator's rules. The request rate is not what is tested.
const noKeyCrashManifest = `
api {
  provider            = %q
  requests_per_minute = 60000
}

video "clip" {
  count    = 30
  prompt   = "Crash-test clip #${count.index}/ a lighthouse at dusk"
  duration = 6
}
`

// TestLightricksApplySurvivesSIGKILL is issue 9's crash test for a provider
// without idempotency: applies of 30 lightricks videos killed at random
// moments never submit a video twice. After the kills a plain apply leaves
// every video downloaded or uncertain (a submit whose answer never arrived
// is not sent again on its own), and apply -retry-uncertain buys the rest
// knowingly.
func TestLightricksApplySurvivesSIGKILL(t *testing.T) {
	applySurvivesSIGKILLWithoutKey(t, "lightricks")
}

// TestFalApplySurvivesSIGKILL is the same for fal, whose tasks are found
// again only by the queue URLs its submit returned (kept in the state).
func TestFalApplySurvivesSIGKILL(t *testing.T) { applySurvivesSIGKILLWithoutKey(t, "fal") }

// TestReplicateApplySurvivesSIGKILL is the same for Replicate.
func TestReplicateApplySurvivesSIGKILL(t *testing.T) { applySurvivesSIGKILLWithoutKey(t, "replicate") }

func applySurvivesSIGKILLWithoutKey(t *testing.T, provider string) {
	t.Parallel()
	const videos = 30
	skipInShortMode(t, "kills 10 applies")
	kills := crashRuns(t, 10)
	bin, err := exec.LookPath("ltxform") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(20261130, 9))
	// A third of the videos have their first submit committed and its
	// connection reset, so that "was it created?" is open at many kills
	// and not only at the rare one that lands on a submit. Rules, not
	// rates, so that -retry-uncertain's own submits go through.
	var rules []sim.Rule
	for _, n := range rng.Perm(videos)[:videos/3] {
		rules = append(rules, sim.Rule{PromptContains: fmt.Sprintf("#%d/", n), Fault: sim.FaultResetAfterCommit, Times: 1})
	}
	s := sim.New(sim.Options{
		Provider: provider,
		Keys:     []string{simKey},
		Latency:  100 * time.Millisecond,
		Rules:    rules,
		Seed:     9,
	})
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(fmt.Sprintf(noKeyCrashManifest, provider)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "LTX_API_URL="+srv.URL, "LTX_API_KEY="+simKey, "NO_COLOR=1")
	prompt := func(n int) string { return fmt.Sprintf("Crash-test clip #%d/ a lighthouse at dusk", n) }
	addr := func(n int) string { return fmt.Sprintf("video.clip[%d]", n) }
	noRepeats := func(when string) {
		t.Helper()
		if c := s.Counters(); c.RepeatedCreates != 0 {
			t.Fatalf("%s: the simulator received the same video %d times more", when, c.RepeatedCreates)
		}
		for n := range videos {
			if got := s.CreatesFor(prompt(n)); got > 1 {
				t.Fatalf("%s: %s was submitted %d times", when, addr(n), got)
			}
		}
	}

	// Up to 6 event lines in: with 2 generations at once, a slot is freed
	// (downloaded) and the next submit sent a few lines apart.
	killer := newRandomKiller(rng, 3*time.Second)
	killer.maxLines = 6
	killed, runs := 0, 0
	for ; killed < kills; runs++ {
		if runs == 3*kills {
			t.Fatalf("only %d of %d applies were killed before they finished", killed, runs)
		}
		res := runProc(t, bin, killer.next(env, syscall.SIGKILL, "apply", "-auto-approve", "-json", dir))
		killer.observe(res)
		if res.signaled {
			killed++
		} else if c := resultCounts(res.stdout); res.exitCode != 0 && (c == nil || c["failed"]+c["skipped"] > 0) {
			// Uncertain rows alone make the exit status 1.
			t.Fatalf("run %d failed on its own: exit %d, %v\n%s", runs+1, res.exitCode, c, tail([]byte(res.stderr), 20))
		}
		if _, err := state.NewLocalStore(dir).Load(context.Background()); err != nil {
			t.Fatalf("run %d: the state does not load after a kill: %v", runs+1, err)
		}
		noRepeats(fmt.Sprintf("run %d", runs+1))
	}
	c := s.Counters()
	t.Logf("%d of %d runs killed; simulator: %d submits, %d polls, %d downloads", killed, runs, c.Creates, c.Polls, c.Downloads)

	// A plain apply finishes what it can and leaves the uncertain alone.
	res := runProc(t, bin, procRun{args: []string{"apply", "-auto-approve", "-json", dir}, env: env})
	if c := resultCounts(res.stdout); res.exitCode != 0 && (c == nil || c["failed"]+c["skipped"] > 0) {
		t.Fatalf("the plain apply after the kills failed: exit %d, %v\n%s", res.exitCode, c, tail([]byte(res.stderr), 20))
	}
	noRepeats("after the plain apply")
	st, err := state.NewLocalStore(dir).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	actions := planActions(t, bin, dir, env)
	var uncertain []int
	for n := range videos {
		ok, why := downloadedIntact(dir, st, addr(n))
		switch {
		case ok && actions[addr(n)] != "no-op":
			t.Errorf("%s is downloaded, but plan says %q", addr(n), actions[addr(n)])
		case !ok && actions[addr(n)] == "uncertain":
			uncertain = append(uncertain, n)
		case !ok:
			t.Errorf("%s is neither downloaded (%s) nor uncertain (plan: %q)", addr(n), why, actions[addr(n)])
		}
	}
	if len(uncertain) == 0 {
		t.Errorf("no video was uncertain after the kills and %d reset submits: the test proves little", len(rules))
	}
	t.Logf("the plain apply took %.1f s; after it %d uncertain", res.elapsed.Seconds(), len(uncertain))

	// -retry-uncertain buys each uncertain video once more, knowingly. A
	// video whose reset rule has not fired yet (every submit of it so far
	// was cut before it reached the service) meets it now and is uncertain
	// again; one more -retry-uncertain finishes it.
	resetPending := map[string]bool{}
	for _, r := range rules {
		for n := range videos {
			if strings.Contains(prompt(n), r.PromptContains) && s.CreatesFor(prompt(n)) == 0 {
				resetPending[addr(n)] = true
			}
		}
	}
	for retry := 1; ; retry++ {
		res = runProc(t, bin, procRun{args: []string{"apply", "-retry-uncertain", "-auto-approve", "-json", dir}, env: env})
		t.Logf("apply -retry-uncertain (%d) took %.1f s: %v", retry, res.elapsed.Seconds(), resultCounts(res.stdout))
		if res.exitCode == 0 {
			break
		}
		if c := resultCounts(res.stdout); retry == 2 || c == nil || c["failed"]+c["skipped"] > 0 {
			t.Fatalf("apply -retry-uncertain (%d): exit %d, %v\n%s", retry, res.exitCode, c, tail([]byte(res.stderr), 20))
		}
		for a, action := range planActions(t, bin, dir, env) {
			if action == "uncertain" && !resetPending[a] {
				t.Errorf("%s is uncertain again after apply -retry-uncertain, though no fault was left for it", a)
			}
		}
	}
	if st, err = state.NewLocalStore(dir).Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	for n := range videos {
		if ok, why := downloadedIntact(dir, st, addr(n)); !ok {
			t.Errorf("after apply -retry-uncertain, %s %s", addr(n), why)
		}
		want := 1
		if slices.Contains(uncertain, n) {
			want = 2 // at most: a submit cut before it reached the service bought nothing
		}
		if resetPending[addr(n)] {
			want = 2 // the reset one and the one of the second -retry-uncertain
		}
		if got := s.CreatesFor(prompt(n)); got > want || got == 0 {
			t.Errorf("%s was submitted %d times, want 1..%d", addr(n), got, want)
		}
	}
}
