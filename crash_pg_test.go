package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/pgstate"
	"github.com/ltxform/ltxform/state/pgstate/pgtest"
)

// pgCrashWorld is a manifest directory whose state is a fresh schema of the
// test's PostgreSQL, with a simulator, for the pg store's end-to-end tests.
type pgCrashWorld struct {
	t         *testing.T
	bin       string
	dir       string
	conn      string // what ltxform gets as PG_CONN_STR
	schema    string
	workspace string
	srv       *httptest.Server
	sim       *sim.Server
}

func newPGCrashWorld(t *testing.T, manifest string, opts sim.Options) *pgCrashWorld {
	t.Helper()
	conn := pgtest.ConnStr(t)
	bin, err := exec.LookPath("ltxform") // installed on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	// The workspace and application names tell this test's sessions from
	// every other's, so that the test can end exactly them.
	var b [6]byte
	_, _ = rand.Read(b[:])
	w := &pgCrashWorld{t: t, bin: bin, dir: t.TempDir(), schema: pgtest.Schema(t, conn), workspace: "crash-" + hex.EncodeToString(b[:])}
	w.conn = withPGParam(conn, "application_name", "ltxform-test-"+hex.EncodeToString(b[:]))
	opts.Keys = []string{simKey}
	w.sim = sim.New(opts)
	w.srv = httptest.NewServer(w.sim)
	t.Cleanup(func() { w.srv.Close() })
	backend := fmt.Sprintf("backend \"pg\" {\n  schema_name = %q\n  workspace   = %q\n}\n", w.schema, w.workspace)
	if err := os.WriteFile(filepath.Join(w.dir, "main.ltx.hcl"), []byte(backend+manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// withPGParam adds key=value to a connection string of either form.
func withPGParam(conn, key, value string) string {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return conn + " " + key + "=" + value
}

// apply is an `ltxform apply -json` of the world, waiting up to 30 s for the
// lock that a killed run's session may still hold until the server notices.
func (w *pgCrashWorld) apply() *exec.Cmd {
	cmd := exec.Command(w.bin, "apply", "-auto-approve", "-json", "-lock-timeout=30s", w.dir)
	cmd.Env = append(os.Environ(), "LTX_API_URL="+w.srv.URL, "LTX_API_KEY="+simKey, "NO_COLOR=1",
		"PG_CONN_STR="+w.conn, "LTXFORM_WORKSPACE=")
	return cmd
}

// load reads the workspace as the next run would: the database, with the
// pending journal of a run that lost it on top.
func (w *pgCrashWorld) load() (*state.State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := pgstate.NewPGStore(ctx, w.conn, w.schema, w.workspace)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	s.UsePendingJournal(w.dir)
	return s.Load(ctx)
}

// checkAllDownloaded fails unless every one of n clips is downloaded, with
// the file the state's sha256 names.
func checkAllDownloaded(t *testing.T, w killWorld, n int) {
	t.Helper()
	st, err := w.load()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		addr := fmt.Sprintf("video.clip[%d]", i)
		if ok, why := downloadedIntact(w.manifestDir(), st, addr); !ok {
			t.Errorf("%s: %s, want downloaded with the sha256 the state records", addr, why)
		}
	}
}

// TestApplySurvivesSIGKILLWithPGStore is TestApplySurvivesSIGKILL with the
// state in PostgreSQL: an apply killed at any moment and run again never
// buys a video twice, the state always loads, and the last run finishes.
func TestApplySurvivesSIGKILLWithPGStore(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "kills 20 applies")
	w := newPGCrashWorld(t, crashManifest, sim.Options{
		Latency:    300 * time.Millisecond,
		FaultRates: map[sim.Fault]float64{sim.FaultDropAfterCreate: 0.15, sim.FaultUnavailable: 0.05},
		Seed:       7,
	})
	killAndResume(t, w)
	if _, err := os.Stat(filepath.Join(w.dir, state.DirName, "state.json")); err == nil {
		t.Errorf("a local state.json was written beside a backend \"pg\"")
	}
}

// killWorld is a manifest directory of crashManifest's 40 clips on some
// state backend, with its simulator.
type killWorld interface {
	apply() *exec.Cmd
	load() (*state.State, error)
	simulator() *sim.Server
	manifestDir() string
}

func (w *pgCrashWorld) simulator() *sim.Server { return w.sim }
func (w *pgCrashWorld) manifestDir() string    { return w.dir }

// killAndResume kills applies of w with SIGKILL at random moments until 20
// (crashRuns) were killed, checking after each that the state loads and that nothing
// was bought twice, then lets one finish and checks every clip.
func killAndResume(t *testing.T, w killWorld) {
	rng := mrand.New(mrand.NewPCG(20261125, 41))
	killed, runs := 0, 0
	timeWindow, workDone := 1500*time.Millisecond, false
	kills := crashRuns(t, 20)
	for ; killed < kills; runs++ {
		if runs == 3*kills {
			t.Fatalf("only %d of %d applies were killed before they finished", killed, runs)
		}
		// As in the local store's test: one kill in four by a timer (start-up,
		// lock, checkpoint), the others a few event lines in (mid-create,
		// mid-poll, mid-download).
		killAfterLines, killAfter := 0, time.Duration(rng.Int64N(int64(timeWindow)))
		if rng.IntN(4) != 0 && !workDone {
			killAfterLines, killAfter = 1+rng.IntN(3), 5*time.Second
		}
		jitter := time.Duration(rng.IntN(20)) * time.Millisecond
		cmd := w.apply()
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
				continue
			}
			if lines++; lines == killAfterLines {
				killTimer.Reset(jitter)
			}
		}
		_ = cmd.Wait()
		killTimer.Stop()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		} else if cmd.ProcessState.Success() {
			timeWindow, workDone = time.Since(started), true
		} else {
			t.Fatalf("run %d failed on its own: %v\n%s", runs+1, cmd.ProcessState, errb.String())
		}
		st, err := w.load()
		if err != nil {
			t.Fatalf("run %d: the state does not load after a kill: %v", runs+1, err)
		}
		if c := w.simulator().Counters(); c.DuplicateCreates != 0 {
			t.Fatalf("run %d: %d duplicate creates; the state has %d entries", runs+1, c.DuplicateCreates, len(st.Entries))
		}
	}
	c := w.simulator().Counters()
	if c.Downloads == 0 {
		t.Errorf("no run got as far as a download before it was killed: the kills are too early to test much")
	}
	t.Logf("%d of %d runs killed; simulator: %d creates, %d idempotent replays, %d polls, %d downloads", killed, runs, c.Creates, c.Replays, c.Polls, c.Downloads)

	if out, err := w.apply().CombinedOutput(); err != nil {
		t.Fatalf("the final apply failed: %v\n%s", err, tail(out, 40))
	}
	if c := w.simulator().Counters(); c.DuplicateCreates != 0 {
		t.Errorf("the simulator counted %d duplicate creates", c.DuplicateCreates)
	}
	checkAllDownloaded(t, w, 40)
}

// TestApplySurvivesLosingItsDatabase ends, server side, every session of a
// running apply (its pool and its lock) while tasks are in flight: no new
// create is sent, the tasks in flight are followed and their results kept
// in the local pending journal, and the next apply writes them to the
// database and finishes without buying anything twice.
func TestApplySurvivesLosingItsDatabase(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "cuts a running apply off its database")
	const videos = 16
	manifest := fmt.Sprintf(`
api {
  requests_per_minute = 60000
  parallelism         = 4
}

video "clip" {
  count    = %d
  prompt   = "Connection-loss clip number ${count.index}, a harbour at night"
  duration = 6
}
`, videos)
	w := newPGCrashWorld(t, manifest, sim.Options{Latency: 1500 * time.Millisecond, Seed: 3})
	ctx := context.Background()

	cmd := w.apply()
	var errb strings.Builder
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var out strings.Builder
	created, terminated := 0, 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if strings.Contains(line, `"kind":"created"`) {
			if created++; created == 2 {
				terminated = w.terminateSessions(ctx)
			}
		}
	}
	err = cmd.Wait()
	if terminated < 2 {
		t.Fatalf("%d sessions of the apply were ended; want its pool's and its lock's", terminated)
	}
	if err == nil {
		t.Fatalf("the apply that lost its database exited 0; want 1\n%s", tail([]byte(out.String()), 20))
	}
	if !strings.Contains(out.String()+errb.String(), "was lost mid-run") {
		t.Errorf("the apply does not say its database was lost:\n%s\n%s", tail([]byte(out.String()), 20), errb.String())
	}
	pending := filepath.Join(w.dir, state.DirName, pgstate.PendingJournalName(w.workspace))
	if _, err := os.Stat(pending); err != nil {
		t.Fatalf("no pending journal after the loss: %v", err)
	}
	first := w.sim.Counters()
	t.Logf("the apply that lost its database: %d creates, %d downloads; it said:\n%s", first.Creates, first.Downloads, tail([]byte(out.String()+errb.String()), 4))
	if first.Creates >= videos {
		t.Errorf("the apply sent all %d creates although it lost its database after the second", first.Creates)
	}
	if first.RepeatedCreates != 0 || first.DuplicateCreates != 0 {
		t.Errorf("after the loss: %d repeated, %d duplicate creates; want 0", first.RepeatedCreates, first.DuplicateCreates)
	}
	// Every task that was bought is in the state the next run reads.
	st, err := w.load()
	if err != nil {
		t.Fatal(err)
	}
	withTask := int64(0)
	for _, e := range st.Entries {
		if e.TaskID != "" {
			withTask++
		}
	}
	if withTask != first.Creates {
		t.Errorf("the state knows %d tasks; the simulator made %d", withTask, first.Creates)
	}

	if out, err := w.apply().CombinedOutput(); err != nil {
		t.Fatalf("the apply after the loss failed: %v\n%s", err, tail(out, 40))
	}
	if _, err := os.Stat(pending); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the pending journal is still there after the next run: %v", err)
	}
	// The run that lost its database is listed as such, with its exit
	// code: not as killed, and not as still running.
	s, err := pgstate.NewPGStore(ctx, w.conn, w.schema, w.workspace)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, err := pgstate.NewBackend(s).ListRuns(ctx)
	if err != nil || len(runs) != 2 {
		t.Fatalf("%d runs (%v); want the one that lost its database and the next", len(runs), err)
	}
	if lost := runs[1]; lost.Status != state.RunStateLost || lost.ExitCode != 1 || !strings.Contains(lost.Message, "lost mid-run") {
		t.Errorf("the run that lost its database is recorded %q, exit %d, %q; want %q, exit 1, saying so", lost.Status, lost.ExitCode, lost.Message, state.RunStateLost)
	}
	c := w.sim.Counters()
	if c.Creates != videos || c.RepeatedCreates != 0 || c.DuplicateCreates != 0 {
		t.Errorf("simulator: %d creates (%d repeated, %d duplicate) for %d videos; want each bought once", c.Creates, c.RepeatedCreates, c.DuplicateCreates, videos)
	}
	checkAllDownloaded(t, w, videos)
}

// terminateSessions ends every session of ltxform in the world's database
// (the pool's, by their application name, and the lock's) and returns how
// many there were.
func (w *pgCrashWorld) terminateSessions(ctx context.Context) int {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(w.conn)
	if err != nil {
		w.t.Fatal(err)
	}
	app := cfg.RuntimeParams["application_name"]
	delete(cfg.RuntimeParams, "application_name")
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	err = c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
WHERE pid <> pg_backend_pid() AND (application_name = $1 OR application_name = 'ltxform lock ' || $2)`, app, w.workspace).Scan(&n)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}
