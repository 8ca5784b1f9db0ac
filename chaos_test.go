package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// chaosManifest is 30 videos on the default provider, whose Idempotency-Key
// the manifest does not trust: the simulator ignores it, as the real API
// may. "#N/" makes each prompt a substring no other prompt contains.
const chaosManifest = `
api {
  requests_per_minute = 60000
  idempotency_key     = false
}

video "clip" {
  count    = 30
  prompt   = "Chaos clip #${count.index}/ a harbour in fog"
  duration = 6
}
`

// chaosSeedEnv replays a chaos run: the seed of a failure is in its log.
const chaosSeedEnv = "LTXFORM_CHAOS_SEED"

// chaosCase is one provider's chaos: its manifest of count videos, the
// simulator's faults, and a path whose 404 echoes the key.
type chaosCase struct {
	manifest  string
	videos    int
	seedSalt  uint64
	probePath string
	// sim configures the simulator: the video whose first task fails, and
	// the seed.
	sim func(failsOnce int, seed int64) sim.Options
}

// TestChaos is issue 14's chaos test: applies of 30 videos against a server
// that ignores Idempotency-Key, answers some creates unreadably or resets
// them after it committed them, and echoes the API key wherever it can,
// stopped by SIGINT, SIGTERM or SIGKILL at random moments over 20 runs.
// Every run ends by itself, the state always loads, no video is bought twice
// until -retry-uncertain says so, and the key reaches no output and no file.
func TestChaos(t *testing.T) {
	runChaos(t, chaosCase{manifest: chaosManifest, videos: 30, seedSalt: 14, probePath: "/v1/tasks/no-such-task",
		sim: func(failsOnce int, seed int64) sim.Options {
			return sim.Options{
				Keys:                 []string{simKey},
				Latency:              200 * time.Millisecond,
				IgnoreIdempotencyKey: true,
				EchoKey:              true,
				FaultRates: map[sim.Fault]float64{
					sim.FaultUnreadableAnswer: 0.08,
					sim.FaultResetAfterCommit: 0.08,
				},
				Rules: []sim.Rule{{PromptContains: fmt.Sprintf("#%d/", failsOnce), Fault: sim.FaultGenerationFailed, Times: 1}},
				Seed:  seed,
			}
		}})
}

// chaosLightricksManifest is 16 videos on lightricks, which takes no
// idempotency key: every lost answer is uncertain.
const chaosLightricksManifest = `
api {
  provider            = "lightricks"
  requests_per_minute = 60000
}

video "clip" {
  count    = 16
  prompt   = "Chaos clip #${count.index}/ a harbour in fog"
  duration = 6
}
`

// TestChaosLightricks is issue 18's chaos: the same runs against the
// lightricks simulator, whose gateway answers some creates it made with a
// 504 page or a 307, and never answers two of them at all. No video is
// bought twice before -retry-uncertain. The hung creates run in the full
// suite only (hungCreates).
func TestChaosLightricks(t *testing.T) {
	runChaos(t, chaosCase{manifest: chaosLightricksManifest, videos: 16, seedSalt: 18, probePath: "/v2/text-to-video/no-such-task",
		sim: func(failsOnce int, seed int64) sim.Options {
			return sim.Options{
				Provider: sim.ProviderLightricks,
				Keys:     []string{simKey},
				Latency:  200 * time.Millisecond,
				EchoKey:  true,
				FaultRates: map[sim.Fault]float64{
					sim.FaultGatewayTimeout: 0.15,
					sim.FaultRedirectCreate: 0.15,
				},
				Rules: append([]sim.Rule{
					{PromptContains: fmt.Sprintf("#%d/", failsOnce), Fault: sim.FaultGenerationFailed, Times: 1},
				}, hungCreates(t)...),
				Seed: seed,
			}
		}})
}

// hungCreates are two creates the simulator commits and never answers,
// among the first ones. Each costs real time: a signalled apply holds it
// for the 20 s create grace, an unsignalled one for the 2-minute request
// timeout. So they run in the full suite (CI) only; the executor's
// TestFinding1CreateAnsweredByAGatewayIsUncertain and
// TestFinding2AssumedKeyIsNotTrustedByDefault cover a hung create in
// virtual time in every run.
func hungCreates(t *testing.T) []sim.Rule {
	if !fullSuite() {
		t.Logf("no hung creates (%s=1 or CI=true adds two)", fullSuiteEnv)
		return nil
	}
	return []sim.Rule{
		{PromptContains: "#0/", Fault: sim.FaultHangAfterCommit, Times: 1},
		{PromptContains: "#1/", Fault: sim.FaultHangAfterCommit, Times: 1},
	}
}

func runChaos(t *testing.T, cc chaosCase) {
	t.Parallel()
	skipInShortMode(t, "stops 20 applies with signals")
	videos := cc.videos
	runs := crashRuns(t, 20)
	// A new seed on every developer run explores new schedules; CI runs a
	// fixed one, so that a red CI is a regression rather than a new draw
	// (process timing still varies; the invariants hold for every seed).
	seed := uint64(time.Now().UnixNano())
	if os.Getenv("CI") != "" {
		seed = 20261130
	}
	if s := os.Getenv(chaosSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", chaosSeedEnv, err)
		}
	}
	t.Logf("seed %d (replay: %s=%d go test -run '^%s$' .)", seed, chaosSeedEnv, seed, t.Name())
	rng := rand.New(rand.NewPCG(seed, cc.seedSalt))

	bin, err := exec.LookPath("ltxform") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	prompt := func(n int) string { return fmt.Sprintf("Chaos clip #%d/ a harbour in fog", n) }
	addr := func(n int) string { return fmt.Sprintf("video.clip[%d]", n) }
	// One video's first task fails, so that the echoed key is also in a
	// failed task's message; its automatic retry is a second create by
	// design (a failed generation is not a purchase of the video).
	failsOnce := rng.IntN(videos)
	s := sim.New(cc.sim(failsOnce, int64(seed)))
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close() })
	// The server really echoes the key, else the key checks prove nothing.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+cc.probePath, nil)
	req.Header.Set("Authorization", "Bearer "+simKey)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("X-Request-Id")+string(body), simKey) {
		t.Fatalf("the simulator does not echo the key (X-Request-Id %q, body %s)", resp.Header.Get("X-Request-Id"), body)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(cc.manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "LTX_API_URL="+srv.URL, "LTX_API_KEY="+simKey, "NO_COLOR=1")

	noKey := func(what, out string) {
		t.Helper()
		if strings.Contains(out, simKey) {
			i := strings.Index(out, simKey)
			t.Fatalf("the API key is in %s: …%s…", what, out[max(0, i-120):min(len(out), i+len(simKey)+40)])
		}
	}
	bought := func(n int) int {
		if n == failsOnce {
			return s.CreatesFor(prompt(n)) - 1
		}
		return s.CreatesFor(prompt(n))
	}
	loads := func(when string) *state.State {
		t.Helper()
		st, err := state.NewLocalStore(dir).Load(context.Background())
		if err != nil {
			t.Fatalf("%s: the state does not load: %v", when, err)
		}
		return st
	}

	signals := []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL}
	killer := newRandomKiller(rng, 3*time.Second)
	tally := map[string]int{}
	for run := 1; run <= runs; run++ {
		sig := signals[rng.IntN(len(signals))]
		r := killer.next(env, sig, "apply", "-auto-approve", "-json", dir)
		// Generous: a SIGINT or SIGTERM lets creates on the wire answer
		// for up to 20 s; they answer in milliseconds here.
		r.limit = 45 * time.Second
		res := runProc(t, bin, r)
		killer.observe(res)
		when := fmt.Sprintf("run %d (%v at %s)", run, sig, r.describeMoment())
		switch {
		case !res.signalSent:
			tally["finished"]++
			if c := resultCounts(res.stdout); res.exitCode != 0 && (c == nil || c["failed"]+c["skipped"] > 0) {
				t.Fatalf("%s ended on its own with exit %d, %v\n%s", when, res.exitCode, c, tail([]byte(res.stderr), 20))
			}
		case res.signaled:
			tally["killed"]++
		default:
			tally[sig.String()+", ended by itself"]++ // within runProc's limit
		}
		noKey(when+"'s stdout", res.stdout)
		noKey(when+"'s stderr", res.stderr)
		loads(when)
		for n := range videos {
			if got := bought(n); got > 1 {
				t.Fatalf("%s: %s was bought %d times without -retry-uncertain", when, addr(n), got)
			}
		}
	}
	c := s.Counters()
	t.Logf("%d runs: %v; simulator: %d creates, %d polls, %d downloads", runs, tally, c.Creates, c.Polls, c.Downloads)

	// What a user would look at next, with the key still echoed.
	for _, args := range [][]string{{"plan", dir}, {"plan", "-json", dir}, {"state", "list", dir}, {"state", "show", addr(failsOnce), dir}, {"runs", dir}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		noKey("the output of ltxform "+strings.Join(args[:len(args)-1], " "), string(out))
	}
	uncertainBefore := map[string]bool{}
	for a, action := range planActions(t, bin, dir, env) {
		uncertainBefore[a] = action == "uncertain"
		tally["uncertain before -retry-uncertain"] += map[bool]int{true: 1}[action == "uncertain"]
	}

	// -retry-uncertain buys the uncertain ones again, knowingly; the server
	// is as hostile as before, so some may end uncertain again.
	// A hung create that no earlier run met is cut by the request timeout (2 min).
	res := runProc(t, bin, procRun{args: []string{"apply", "-retry-uncertain", "-auto-approve", "-json", dir}, env: env, limit: 3 * time.Minute})
	noKey("apply -retry-uncertain's stdout", res.stdout)
	noKey("apply -retry-uncertain's stderr", res.stderr)
	if c := resultCounts(res.stdout); res.exitCode != 0 && (c == nil || c["failed"]+c["skipped"] > 0) {
		t.Fatalf("apply -retry-uncertain: exit %d, %v\n%s", res.exitCode, c, tail([]byte(res.stderr), 20))
	}
	st := loads("after apply -retry-uncertain")
	actions := planActions(t, bin, dir, env)
	downloaded := 0
	for n := range videos {
		ok, why := downloadedIntact(dir, st, addr(n))
		if ok {
			downloaded++
		} else if actions[addr(n)] != "uncertain" {
			t.Errorf("%s is neither downloaded (%s) nor uncertain (plan: %q)", addr(n), why, actions[addr(n)])
		}
		want := 1
		if uncertainBefore[addr(n)] {
			want = 2
		}
		if got := bought(n); got > want {
			t.Errorf("%s was bought %d times, want at most %d", addr(n), got, want)
		}
	}
	t.Logf("%d uncertain before apply -retry-uncertain; after it %d of %d downloaded, the rest uncertain",
		tally["uncertain before -retry-uncertain"], downloaded, videos)

	// No file under the manifest directory holds the key: not the state,
	// its journal and backup, the run records, nor a video.
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		noKey("a file name", path)
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(simKey)) {
			rel, _ := filepath.Rel(dir, path)
			t.Errorf("the API key is in %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// describeMoment says when r's signal is sent, for failure messages.
func (r procRun) describeMoment() string {
	if r.afterLines > 0 {
		return fmt.Sprintf("%d event lines + %s", r.afterLines, r.jitter)
	}
	return r.after.Round(time.Millisecond).String()
}
