package executor

import (
	"context"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/sim"
	"github.com/ltxform/ltxform/state"
)

// TestPollGapStaysWithinAQuarterOfTheAgeAndTheCeiling: however long the
// backoff has grown, the next poll comes within a quarter of the task's age
// (a finished task is noticed at most 25% late) and within the ceiling.
func TestPollGapStaysWithinAQuarterOfTheAgeAndTheCeiling(t *testing.T) {
	ceiling := 5 * time.Second
	last := 100 * time.Millisecond
	for age := 200 * time.Millisecond; age < 10*time.Minute; age += last {
		gap := nextPollGap(last, age, ceiling)
		if gap > age/4 && gap > minPollInterval || gap > ceiling {
			t.Fatalf("at age %s the next poll waits %s (quarter %s, ceiling %s)", age, gap, age/4, ceiling)
		}
		last = gap
	}
	if last != ceiling {
		t.Errorf("a long task's polls settle %s apart, want the ceiling %s", last, ceiling)
	}
}

// TestProviderPollIntervalIsTheCeiling: Lightricks says "poll every 5 s";
// a longer PollCap does not stretch the gap past it.
func TestProviderPollIntervalIsTheCeiling(t *testing.T) {
	p, _ := ltx.LookupProvider("lightricks")
	r := &run{plan: &plan.Plan{Settings: plan.Settings{Provider: "lightricks"}}, opts: Options{PollCap: time.Minute}}
	if got := r.pollCeiling(); got != p.Capabilities.PollInterval || got != 5*time.Second {
		t.Errorf("ceiling %s, want lightricks' 5 s", got)
	}
	r.plan.Settings.Provider = "ltx2api-v1" // documents none: Lightricks' figure
	if got := r.pollCeiling(); got != defaultPollInterval {
		t.Errorf("ceiling %s, want %s", got, defaultPollInterval)
	}
}

// TestResumedTaskIsPolledAtOnce: a task an earlier run created a moment
// before it stopped, finished since, is polled as soon as apply starts, not
// when the prior (here an hour) says it should end.
func TestResumedTaskIsPolledAtOnce(t *testing.T) {
	f := newFixture(t, sim.Options{Latency: time.Millisecond}, "a finished shot")
	req := plan.RequestFor(f.videos[0], ltx.MustProvider(ltx.DefaultProvider))
	task, err := f.api.Create(context.Background(), req, ltx.IdempotencyKey("", "video.a", req.Hash(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Record(context.Background(), state.Entry{
		Address: "video.a", InputHash: req.Hash(), Mode: string(req.Mode()), Status: state.StatusCreated,
		TaskID: task.ID, Attempts: 1, Output: "out/a.mp4", Duration: req.Duration, Resolution: req.Resolution,
		CreatedAt: time.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	opts := fastOptions()
	opts.PollPrior = func(string, int) time.Duration { return time.Hour }
	opts.ScoutStart, opts.PollCap = time.Hour, time.Hour
	// Were the first poll scheduled by the prior, the run would still be
	// waiting when this context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := Apply(ctx, f.plan(), f.api, f.store, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Status != ResultCompleted {
		t.Fatalf("row %+v, want completed", rows[0])
	}
	if c := f.sim.Counters(); c.Polls != 1 {
		t.Errorf("%d polls, want one", c.Polls)
	}
}

// TestFirstPollComesByTheRecommendedInterval: before the run has learned
// how long a task takes, the scouts poll by the ceiling (the service's
// recommended interval), not when the prior (an hour) says, and what they
// learn wakes the task waiting for it.
func TestFirstPollComesByTheRecommendedInterval(t *testing.T) {
	f := newFixture(t, sim.Options{Latency: 20 * time.Millisecond}, "one", "two", "three")
	opts := fastOptions()
	opts.PollPrior = func(string, int) time.Duration { return time.Hour }
	opts.ScoutStart = time.Hour // the ceiling decides
	opts.PollCap = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
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
