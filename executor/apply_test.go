package executor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

func TestAllCompletedThenRerunDoesNothing(t *testing.T) {
	f := newFixture(t, sim.Options{}, "a lighthouse at dawn", "a fox in snow", "rain on a window", "a city at night", "waves on rocks")
	rows, err, _ := f.apply(context.Background(), f.plan(), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != ResultCompleted || r.TaskID == "" || r.RequestID == "" || r.Attempts != 1 || r.CostConsumed <= 0 {
			t.Errorf("row %+v, want completed with task, request id, 1 attempt and credits", r)
		}
		f.assertDownloaded(r.Address)
	}
	c := f.sim.Counters()
	if c.Creates != 5 || c.DuplicateCreates != 0 || c.Downloads != 5 {
		t.Errorf("counters %+v, want 5 creates, 5 downloads, no duplicates", c)
	}

	// The same manifest on the same state: nothing to send, nothing to fetch.
	again := f.plan()
	rows, err, _ = f.apply(context.Background(), again, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != ResultUnchanged {
			t.Errorf("second run: %s is %s, want unchanged", r.Address, r.Status)
		}
	}
	if c2 := f.sim.Counters(); c2.Requests != c.Requests || c2.Downloads != c.Downloads {
		t.Errorf("second run sent requests: before %+v, after %+v", c, c2)
	}
}

func TestRateLimitStormHonoursRetryAfterForEveryWorker(t *testing.T) {
	synctest.Test(t, testRateLimitStorm)
}

// testRateLimitStorm runs in virtual time: "sent before the Retry-After
// had passed" is then a fact of the code, not of how busy the machine was.
func testRateLimitStorm(t *testing.T) {
	// 20 req/s with a burst of 1 while 6 workers each want a create and polls.
	f := newVirtualFixture(t, sim.Options{RateLimit: 20, RateBurst: 1}, "one", "two", "three", "four", "five", "six")
	opts := fastOptions()
	opts.Parallelism = 6
	opts.RequestsPerMinute = 60 * 30 // above the server's limit: the 429s must teach it
	rows, err, _ := f.apply(context.Background(), f.plan(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != ResultCompleted {
			t.Errorf("%s: %s %s", r.Address, r.Status, r.ErrorMessage)
		}
	}
	c := f.sim.Counters()
	if c.RateLimited == 0 {
		t.Fatalf("the storm did not happen: %+v", c)
	}
	t.Logf("counters %+v", c)
	if c.EarlyRequests != 0 {
		t.Errorf("%d requests were sent before an announced Retry-After had passed", c.EarlyRequests)
	}
	if c.Creates != 6 || c.DuplicateCreates != 0 {
		t.Errorf("counters %+v, want 6 creates and no duplicate", c)
	}
}

func TestServerErrorBurstsAreRetried(t *testing.T) {
	f := newFixture(t, sim.Options{Rules: []sim.Rule{
		{PromptContains: "flaky", Fault: sim.FaultUnavailable, Times: 2},
		{PromptContains: "broken", Fault: sim.FaultServerError, Times: 2},
	}}, "a flaky shot", "a broken shot", "a calm shot")
	f.keyTrusted = true // a 5xx to a create is re-sent only with a trusted key
	rows, err, rec := f.apply(context.Background(), f.plan(), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != ResultCompleted || r.Attempts != 1 {
			t.Errorf("%s: %s after %d attempts: %s", r.Address, r.Status, r.Attempts, r.ErrorMessage)
		}
		f.assertDownloaded(r.Address)
	}
	if n := rec.count(EventRetry); n < 4 {
		t.Errorf("%d retry events, want at least 4", n)
	}
	if c := f.sim.Counters(); c.Creates != 3 || c.DuplicateCreates != 0 {
		t.Errorf("counters %+v, want 3 creates, no duplicate", c)
	}
}

func TestGenerationFailedOnceThenSucceeds(t *testing.T) {
	f := newFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "shaky", Fault: sim.FaultGenerationFailed, Times: 1}}},
		"a shaky shot", "a steady shot")
	p := f.plan()
	rows, err, _ := f.apply(context.Background(), p, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	r := row(t, rows, "video.a")
	if r.Status != ResultCompleted || r.Attempts != 2 {
		t.Fatalf("row %+v, want completed after 2 attempts", r)
	}
	// The simulator charges each task its price at create, and keeps it
	// when the task fails: both tasks were paid for.
	if r.CostConsumed != 2*r.CostEstimated {
		t.Errorf("credits consumed %v for two tasks of %v each", r.CostConsumed, r.CostEstimated)
	}
	e := f.entry("video.a")
	if want := ltx.IdempotencyKey(p.StateLineage, "video.a", e.InputHash, 1); e.IdempotencyKey != want || e.TaskID != r.TaskID {
		t.Errorf("state key %q task %q, want the second generation's key %q and task %q", e.IdempotencyKey, e.TaskID, want, r.TaskID)
	}
	f.assertDownloaded("video.a")
	if c := f.sim.Counters(); c.Creates != 3 || c.Replays != 0 {
		t.Errorf("counters %+v, want 3 creates (2 for the shaky video) and no replay", c)
	}
}

func TestContentPolicyFailsOneVideoOnly(t *testing.T) {
	f := newFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "forbidden", Fault: sim.FaultContentPolicy}}},
		"a forbidden scene", "a meadow", "a river")
	rows, err, _ := f.apply(context.Background(), f.plan(), fastOptions())
	if err != nil {
		t.Fatalf("a video's own failure stopped the run: %v", err)
	}
	bad := row(t, rows, "video.a")
	if bad.Status != ResultFailed || bad.ErrorCode != "CONTENT_POLICY_VIOLATION" || bad.RequestID == "" || bad.Suggestion == "" || bad.Attempts != 1 {
		t.Errorf("row %+v, want failed with the code, request id and suggestion after 1 attempt", bad)
	}
	if e := f.entry("video.a"); e.Status != state.StatusFailed || e.ErrorCode != "CONTENT_POLICY_VIOLATION" || e.RequestID != bad.RequestID {
		t.Errorf("state %+v, want failed with the code and request id", e)
	}
	for _, addr := range []string{"video.b", "video.c"} {
		if r := row(t, rows, addr); r.Status != ResultCompleted {
			t.Errorf("%s: %s", addr, r.Status)
		}
	}
	if c := f.sim.Counters(); c.Creates != 2 {
		t.Errorf("creates %d, want 2: the refused one is never tried again", c.Creates)
	}
}

func TestInvalidAPIKeyStopsTheRunAtOnce(t *testing.T) {
	f := newFixture(t, sim.Options{Keys: []string{"sk-some-other-key"}}, "a", "b", "c", "d", "e", "f", "g", "h")
	opts := fastOptions()
	rows, err, _ := f.apply(context.Background(), f.plan(), opts)
	var runErr *RunError
	var apiErr *ltx.APIError
	if !errors.As(err, &runErr) || runErr.Kind != "run-fatal" || !errors.As(err, &apiErr) || apiErr.Code != "INVALID_API_KEY" {
		t.Fatalf("err = %v, want a run-fatal INVALID_API_KEY", err)
	}
	if apiErr.SuggestionOrCatalogue() == "" || !strings.Contains(err.Error(), "INVALID_API_KEY") {
		t.Errorf("the error %q has no suggestion or code", err)
	}
	failed, skipped := 0, 0
	for _, r := range rows {
		switch r.Status {
		case ResultFailed:
			failed++
			if r.ErrorCode != "INVALID_API_KEY" {
				t.Errorf("row %+v", r)
			}
		case ResultSkipped:
			skipped++
			if r.Attempts != 0 {
				t.Errorf("%s was never sent but its row counts %d attempts", r.Address, r.Attempts)
			}
		default:
			t.Errorf("row %s is %s", r.Address, r.Status)
		}
	}
	if failed == 0 || failed > opts.Parallelism || failed+skipped != 8 {
		t.Errorf("%d failed, %d skipped; want at most one failed create per worker and the rest skipped", failed, skipped)
	}
	if c := f.sim.Counters(); c.Requests > int64(opts.Parallelism) {
		t.Errorf("%d requests sent with a dead key, want at most %d", c.Requests, opts.Parallelism)
	}
}

func TestInsufficientCreditsMidRun(t *testing.T) {
	// Each 6 s 1080p video costs 24 credits: the balance buys two.
	f := newFixture(t, sim.Options{Credits: 50}, "a", "b", "c", "d", "e", "f")
	opts := fastOptions()
	opts.Parallelism = 1 // one at a time, so that "after" is well defined
	rows, err, rec := f.apply(context.Background(), f.plan(), opts)
	var runErr *RunError
	var apiErr *ltx.APIError
	if !errors.As(err, &runErr) || runErr.Kind != "run-stop" || !errors.As(err, &apiErr) || apiErr.Code != "INSUFFICIENT_CREDITS" {
		t.Fatalf("err = %v, want a run-stop INSUFFICIENT_CREDITS", err)
	}
	got := statuses(rows)
	want := map[string]ResultStatus{"video.a": ResultCompleted, "video.b": ResultCompleted, "video.c": ResultFailed,
		"video.d": ResultSkipped, "video.e": ResultSkipped, "video.f": ResultSkipped}
	for _, a := range sortedKeys(want) {
		if got[a] != want[a] {
			t.Errorf("%s: %s, want %s", a, got[a], want[a])
		}
	}
	if c := f.sim.Counters(); c.Creates != 2 {
		t.Errorf("creates %d, want 2", c.Creates)
	}
	if n := rec.count(EventRunStop); n != 1 {
		t.Errorf("%d run_stop events, want 1", n)
	}
	for _, a := range []string{"video.d", "video.e", "video.f"} {
		if e := f.entry(a); e != nil {
			t.Errorf("%s was never started but the state has %+v", a, e)
		}
	}
}

func TestInsufficientCreditsLetsTasksInFlightFinish(t *testing.T) {
	f := newFixture(t, sim.Options{Credits: 50}, "a", "b", "c", "d")
	opts := fastOptions()
	opts.Parallelism = 4
	rows, err, _ := f.apply(context.Background(), f.plan(), opts)
	var apiErr *ltx.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "INSUFFICIENT_CREDITS" {
		t.Fatalf("err = %v", err)
	}
	completed := 0
	for _, r := range rows {
		switch r.Status {
		case ResultCompleted:
			completed++
			f.assertDownloaded(r.Address)
		case ResultSkipped:
			// Stopped while waiting for its turn: its intent is taken back.
			if e := f.entry(r.Address); e != nil {
				t.Errorf("%s was skipped but the state has %+v", r.Address, e)
			}
		case ResultFailed:
			if r.ErrorCode != "INSUFFICIENT_CREDITS" {
				t.Errorf("row %+v", r)
			}
		default:
			t.Errorf("row %+v", r)
		}
	}
	if c := f.sim.Counters(); completed != 2 || c.Creates != 2 {
		t.Errorf("%d completed, %d created; the two paid tasks must finish", completed, c.Creates)
	}
}

func TestTaskNotFoundWhilePolling(t *testing.T) {
	f := newFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "ghost", Fault: sim.FaultLoseTask, Times: 1}}},
		"a ghost ship", "a real ship")
	rows, err, _ := f.apply(context.Background(), f.plan(), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	r := row(t, rows, "video.a")
	if r.Status != ResultFailed || r.ErrorCode != "TASK_NOT_FOUND" || r.TaskID == "" || r.RequestID == "" {
		t.Errorf("row %+v, want failed TASK_NOT_FOUND with the task and request ids", r)
	}
	if e := f.entry("video.a"); e.Status != state.StatusFailed || e.ErrorCode != "TASK_NOT_FOUND" {
		t.Errorf("state %+v", e)
	}
	if row(t, rows, "video.b").Status != ResultCompleted {
		t.Error("the other video did not complete")
	}
	if c := f.sim.Counters(); c.Creates != 2 {
		t.Errorf("creates %d, want 2: a lost task is not re-created in the same run", c.Creates)
	}
	// The next plan offers it again, and a new task (new key) makes it.
	p := f.plan()
	for _, ch := range p.Changes {
		if ch.Address == "video.a" && ch.Action != plan.ActionRetry {
			t.Errorf("next plan: %s, want retry", ch.Action)
		}
	}
	rows, err, _ = f.apply(context.Background(), p, fastOptions())
	if err != nil || row(t, rows, "video.a").Status != ResultCompleted {
		t.Errorf("retry run: %v %+v", err, rows)
	}
}

func TestTruncatedDownloadIsRetriedNotRecreated(t *testing.T) {
	f := newFixture(t, sim.Options{Rules: []sim.Rule{{PromptContains: "cut", Fault: sim.FaultTruncateDownload}}}, "a cut take")
	rows, err, _ := f.apply(context.Background(), f.plan(), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultCompleted || r.Attempts != 1 {
		t.Fatalf("row %+v", r)
	}
	f.assertDownloaded("video.a")
	if c := f.sim.Counters(); c.Creates != 1 || c.Downloads < 2 {
		t.Errorf("counters %+v, want 1 create and a second download", c)
	}
	leftovers, _ := filepath.Glob(filepath.Join(f.dir, "out", ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left beside the output: %v", leftovers)
	}
}

func TestResumeOfCreatedEntryPollsWithoutCreating(t *testing.T) {
	f := newFixture(t, sim.Options{}, "a resumed shot")
	// A first run that creates the task and is killed before polling it:
	// the state says created, nothing else.
	req := plan.RequestFor(f.videos[0], ltx.MustProvider(ltx.DefaultProvider))
	task, err := f.api.Create(context.Background(), req, ltx.IdempotencyKey("", "video.a", req.Hash(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Record(context.Background(), state.Entry{
		Address: "video.a", InputHash: req.Hash(), Mode: string(req.Mode()), Status: state.StatusCreated,
		TaskID: task.ID, RequestID: task.RequestID, Attempts: 1, Output: "out/a.mp4",
		Duration: req.Duration, Resolution: req.Resolution,
	}); err != nil {
		t.Fatal(err)
	}
	before := f.sim.Counters()
	p := f.plan()
	if p.Changes[0].Action != plan.ActionResume {
		t.Fatalf("plan says %s, want resume", p.Changes[0].Action)
	}
	rows, err, _ := f.apply(context.Background(), p, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r.Status != ResultCompleted || r.TaskID != task.ID {
		t.Errorf("row %+v, want completed with the task %s", r, task.ID)
	}
	f.assertDownloaded("video.a")
	after := f.sim.Counters()
	if after.Creates != before.Creates || after.Replays != before.Replays || after.Polls == before.Polls {
		t.Errorf("counters before %+v after %+v: want polls and no create", before, after)
	}
}

func TestInterruptKeepsCreatedTasksForTheNextRun(t *testing.T) {
	f := newFixture(t, sim.Options{Latency: 10 * 1e9}, "slow one", "slow two", "slow three") // 10 s: never done in this test
	ctx, cancel := context.WithCancel(context.Background())
	opts := fastOptions()
	opts.RequestsPerMinute = 60 // one request a second: the others wait for their turn
	opts.Sink = sinkFunc(func(e Event) {
		if e.Kind == EventCreated {
			cancel() // Ctrl-C while one task is in flight and the others wait
		}
	})
	rows, err := Apply(ctx, f.plan(), f.api, f.store, opts)
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want interrupted", err)
	}
	created := 0
	for _, r := range rows {
		// A paid task still running is "in flight", never "skipped".
		if wantStatus := map[bool]ResultStatus{true: ResultInFlight, false: ResultSkipped}[r.TaskID != ""]; r.Status != wantStatus {
			t.Errorf("row %+v, want %s", r, wantStatus)
		}
		e := f.entry(r.Address)
		switch {
		case r.TaskID != "":
			created++
			if e == nil || e.Status != state.StatusCreated || e.TaskID != r.TaskID {
				t.Errorf("%s: state %+v, want created with the task id %s", r.Address, e, r.TaskID)
			}
			// Charged at create: the table must not say it cost nothing.
			if r.CostConsumed != r.CostEstimated || e == nil || e.CostConsumed != r.CostConsumed {
				t.Errorf("%s: in flight with %v credits consumed (state %+v), want the %v charged at create", r.Address, r.CostConsumed, e, r.CostEstimated)
			}
		case e != nil:
			t.Errorf("%s never sent its create but the state has %+v", r.Address, e)
		}
	}
	if created != 1 {
		t.Errorf("%d tasks created, want the one in flight", created)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "out")); err == nil {
		t.Error("an output was written for an unfinished task")
	}
	// The next plan resumes the created one and creates the others.
	for _, ch := range f.plan().Changes {
		want := plan.ActionCreate
		if row(t, rows, ch.Address).TaskID != "" {
			want = plan.ActionResume
		}
		if ch.Action != want {
			t.Errorf("%s: next plan %s, want %s", ch.Address, ch.Action, want)
		}
	}
}

type sinkFunc func(Event)

func (s sinkFunc) Event(e Event) { s(e) }
