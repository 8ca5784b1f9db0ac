package executor

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

func TestCreateWithUnknownOutcomeIsResentWithTheSameKey(t *testing.T) {
	// The server commits the task, then the connection drops: the client
	// cannot know; only the same Idempotency-Key may be sent again.
	f := newFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "dropped", Fault: sim.FaultDropAfterCreate, Times: 1}}},
		"a dropped answer")
	f.keyTrusted = true
	rows, err, _ := f.apply(context.Background(), f.plan(), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultCompleted || r.Attempts != 1 {
		t.Fatalf("row %+v, want completed in one attempt", r)
	}
	f.assertDownloaded("video.a")
	if c := f.sim.Counters(); c.Creates != 1 || c.Replays != 1 || c.DuplicateCreates != 0 {
		t.Errorf("counters %+v, want one task, confirmed by a replay of the same key", c)
	}
}

func TestCreateNeverConfirmedIsUncertainAndKeepsItsKey(t *testing.T) {
	f := newFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "dropped", Fault: sim.FaultDropAfterCreate, Times: 1}}},
		"always dropped")
	f.keyTrusted = true
	opts := fastOptions()
	var once sync.Once
	opts.Sink = sinkFunc(func(e Event) {
		if e.Kind == EventRetry {
			// After the dropped answer the API is down for good: the
			// create is never confirmed either way.
			once.Do(func() { f.sim.AddRule(sim.Rule{PromptContains: "dropped", Fault: sim.FaultUnavailable}) })
		}
	})
	rows, err := Apply(context.Background(), f.plan(), f.api, f.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultUncertain {
		t.Fatalf("row %+v, want uncertain", r)
	}
	e := f.entry("video.a")
	if e.Status != state.StatusPending || e.IdempotencyKey == "" {
		t.Fatalf("state %+v, want pending with its key", e)
	}
	if c := f.sim.Counters(); c.Creates != 1 || c.DuplicateCreates != 0 {
		t.Errorf("counters %+v: every retry must reuse the key", c)
	}
	// The next plan resumes it with that same key.
	p := f.plan()
	if p.Changes[0].Action != plan.ActionResume || p.Changes[0].Prior.IdempotencyKey != e.IdempotencyKey {
		t.Errorf("next plan %+v, want resume with key %s", p.Changes[0], e.IdempotencyKey)
	}
}

func TestResumeOfPendingEntryResendsItsKey(t *testing.T) {
	f := newFixture(t, sim.Options{}, "a pending shot")
	f.keyTrusted = true
	req := plan.RequestFor(f.videos[0], ltx.MustProvider(ltx.DefaultProvider))
	// The key of a build from before lineages were part of it: a pending
	// entry resends the key it recorded, not one made now.
	key := ltx.IdempotencyKey("", "video.a", req.Hash(), 0)
	// A crash after the intent was written: the create may or may not have left.
	task, err := f.api.Create(context.Background(), req, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Record(context.Background(), state.Entry{
		Address: "video.a", InputHash: req.Hash(), Mode: string(req.Mode()), Status: state.StatusPending,
		IdempotencyKey: key, Attempts: 1, Output: "out/a.mp4", Duration: req.Duration, Resolution: req.Resolution,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.EnsureLineage(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := f.plan()
	if p.StateLineage == "" || ltx.IdempotencyKey(p.StateLineage, "video.a", req.Hash(), 0) == key {
		t.Fatalf("the state's lineage %q does not change the key", p.StateLineage)
	}
	rows, err, _ := f.apply(context.Background(), p, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultCompleted || r.TaskID != task.ID {
		t.Errorf("row %+v, want completed with the task %s the lost create made", r, task.ID)
	}
	if c := f.sim.Counters(); c.Creates != 1 || c.Replays != 1 {
		t.Errorf("counters %+v, want the first task replayed, not a second one", c)
	}
}

func TestFailFastStopsNewCreatesAfterTheFirstFailure(t *testing.T) {
	f := newFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "forbidden", Fault: sim.FaultContentPolicy}}},
		"a forbidden scene", "b", "c", "d")
	opts := fastOptions()
	opts.Parallelism = 1
	opts.FailFast = true
	rows, err, _ := f.apply(context.Background(), f.plan(), opts)
	if err != nil {
		t.Fatalf("-fail-fast is not a run error: %v", err)
	}
	got := statuses(rows)
	if got["video.a"] != ResultFailed || got["video.b"] != ResultSkipped || got["video.c"] != ResultSkipped || got["video.d"] != ResultSkipped {
		t.Errorf("rows %v, want a failed and the rest skipped", got)
	}
	if r := row(t, rows, "video.b"); r.ErrorMessage == "" {
		t.Error("a skipped row does not say why")
	}
	if c := f.sim.Counters(); c.Creates != 0 {
		t.Errorf("%d creates after the failure", c.Creates)
	}
}

func TestDownloadOfAGoneURLFailsTheVideoForRecreation(t *testing.T) {
	f := newFixture(t, sim.Options{}, "an old shot")
	req := plan.RequestFor(f.videos[0], ltx.MustProvider(ltx.DefaultProvider))
	// An earlier run got the task done but never downloaded it, and the
	// URL has since expired.
	if err := f.store.Record(context.Background(), state.Entry{
		Address: "video.a", InputHash: req.Hash(), Mode: string(req.Mode()), Status: state.StatusCompleted,
		TaskID: "task_gone", Attempts: 1, Output: "out/a.mp4", Duration: req.Duration, Resolution: req.Resolution,
		VideoURL: "/v1/videos/task_gone.mp4",
	}); err != nil {
		t.Fatal(err)
	}
	rows, err, _ := f.apply(context.Background(), f.plan(), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultFailed || r.TaskID != "task_gone" {
		t.Fatalf("row %+v, want failed", r)
	}
	if e := f.entry("video.a"); e.Status != state.StatusFailed {
		t.Errorf("state %+v, want failed so that the next plan creates it again", e)
	}
	if c := f.sim.Counters(); c.Creates != 0 || c.Downloads != 1 {
		t.Errorf("counters %+v: one download, never retried, nothing created in this run", c)
	}
	if p := f.plan(); p.Changes[0].Action != plan.ActionRetry {
		t.Errorf("next plan: %s, want retry", p.Changes[0].Action)
	}
}

func TestKeyRevokedWhilePollingKeepsTheTaskForTheNextRun(t *testing.T) {
	f := newFixture(t, sim.Options{Latency: 200 * time.Millisecond}, "a shot")
	opts := fastOptions()
	opts.Sink = sinkFunc(func(e Event) {
		if e.Kind == EventCreated {
			f.sim.RevokeKey(testKey)
		}
	})
	rows, err := Apply(context.Background(), f.plan(), f.api, f.store, opts)
	var apiErr *ltx.APIError
	if !errors.As(err, &apiErr) || apiErr.Class() != ltx.ClassRunFatal {
		t.Fatalf("err = %v, want the run-fatal error", err)
	}
	r := rows[0]
	if r.Status != ResultFailed || r.TaskID == "" || r.ErrorCode == "" {
		t.Errorf("row %+v, want failed with the task id and the code", r)
	}
	if e := f.entry("video.a"); e.Status != state.StatusCreated || e.TaskID != r.TaskID {
		t.Errorf("state %+v, want still created: the task was paid for and may finish", e)
	}
}

// Issue 20: an API that no request reached is one run-level error, not a
// failure of each video (which made a cron night "4 failed", exit 4).
func TestUnreachableAPIStopsTheRunAndLeavesTheStateAlone(t *testing.T) {
	f := newFixture(t, sim.Options{}, "a", "b")
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // nothing listens there any more
	api := ltx.NewClient(ltx.Options{BaseURL: dead.URL, Key: ltx.NewKey(testKey)})
	rows, err := Apply(context.Background(), f.plan(), api, f.store, fastOptions())
	var re *RunError
	if !errors.As(err, &re) || re.Kind != StopUnreachable || !strings.Contains(err.Error(), "before the request was sent") {
		t.Fatalf("err = %v, want one run error saying no request reached the API", err)
	}
	for _, r := range rows {
		if r.Status != ResultSkipped {
			t.Errorf("row %+v, want skipped: nothing was sent", r)
		}
		if e := f.entry(r.Address); e != nil {
			t.Errorf("%s: nothing was sent but the state has %+v", r.Address, e)
		}
	}
}

func TestResumedTaskDoesNotTeachTheEstimator(t *testing.T) {
	// A task created an hour ago (by the clock of the state) and still
	// running: its age says nothing about how long tasks take.
	f := newFixture(t, sim.Options{Latency: 400 * time.Millisecond}, "an old shot", "a new shot")
	req := plan.RequestFor(f.videos[0], ltx.MustProvider(ltx.DefaultProvider))
	task, err := f.api.Create(context.Background(), req, ltx.IdempotencyKey("", "video.a", req.Hash(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Record(context.Background(), state.Entry{
		Address: "video.a", InputHash: req.Hash(), Mode: string(req.Mode()), Status: state.StatusCreated,
		TaskID: task.ID, Attempts: 1, Output: "out/a.mp4", Duration: req.Duration, Resolution: req.Resolution,
		CreatedAt: time.Now().Add(-time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	// Were the hour learned, video.b's first poll would wait for it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := fastOptions()
	opts.Parallelism = 1 // video.a first
	rows, err := Apply(ctx, f.plan(), f.api, f.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != ResultCompleted {
			t.Errorf("row %+v, want completed", r)
		}
	}
}
