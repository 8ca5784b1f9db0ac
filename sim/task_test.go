package sim

import (
	"net/http"
	"testing"
	"time"
)

func TestLifecycleWithFixedLatency(t *testing.T) {
	h := newHarness(t, Options{Latency: 10 * time.Second})
	r := h.create(`{"prompt":"a cat","duration":8}`)
	if r.Status != http.StatusCreated || r.str("status") != "queued" || r.str("task_id") == "" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	id := r.str("task_id")
	steps := []struct {
		at           time.Duration // since create
		wantStatus   string
		wantProgress float64
	}{
		{time.Second, "queued", 0},
		{2 * time.Second, "processing", 0}, // a fifth of the latency is queueing
		{6 * time.Second, "processing", 50},
		{9999 * time.Millisecond, "processing", 99},
		{10 * time.Second, "completed", 100},
		{time.Hour, "completed", 100},
	}
	var elapsed time.Duration
	for _, st := range steps {
		h.clock.Advance(st.at - elapsed)
		elapsed = st.at
		p := h.poll(id)
		if p.Status != http.StatusOK || p.str("status") != st.wantStatus || p.num("progress") != st.wantProgress {
			t.Fatalf("at +%v: %d %s, want %s at %v%%", st.at, p.Status, p.Raw, st.wantStatus, st.wantProgress)
		}
		if st.wantStatus != "completed" {
			if p.str("video_url") != "" {
				t.Errorf("at +%v: video_url before completion", st.at)
			}
			if d := h.do(http.MethodGet, "/v1/videos/"+id+".mp4", ""); d.Status != http.StatusNotFound {
				t.Errorf("at +%v: download of an unfinished video answered %d", st.at, d.Status)
			}
			continue
		}
		if want := h.srv.URL + "/v1/videos/" + id + ".mp4"; p.str("video_url") != want {
			t.Errorf("video_url %q, want %q", p.str("video_url"), want)
		}
	}
	if c := h.counters(); c.Polls != int64(len(steps)) {
		t.Errorf("Polls = %d, want %d", c.Polls, len(steps))
	}
}

func TestZeroLatencyCompletesAtOnce(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.mustCreate(`{"prompt":"a"}`)
	if p := h.poll(id); p.str("status") != "completed" {
		t.Fatalf("%s", p.Raw)
	}
}

// completionTime steps the clock until the task completes.
func completionTime(t *testing.T, h *harness, body string, step time.Duration) time.Duration {
	t.Helper()
	id := h.mustCreate(body)
	for elapsed := time.Duration(0); elapsed < 10*time.Minute; elapsed += step {
		if h.poll(id).str("status") == "completed" {
			return elapsed
		}
		h.clock.Advance(step)
	}
	t.Fatalf("%s never completed", body)
	return 0
}

func TestRealisticLatency(t *testing.T) {
	tests := []struct {
		body     string
		nominal  time.Duration // at TimeScale 1, before jitter
		timeStep time.Duration
	}{
		{`{"prompt":"a","duration":6,"resolution":"1080p"}`, 42 * time.Second, 5 * time.Millisecond},
		{`{"prompt":"a","duration":10,"resolution":"1440p"}`, 75 * time.Second, 5 * time.Millisecond},
		{`{"prompt":"a","duration":20,"resolution":"4K"}`, 175 * time.Second, 10 * time.Millisecond},
	}
	const scale = 0.01
	for _, tt := range tests {
		for seed := int64(1); seed <= 3; seed++ {
			h := newHarness(t, Options{RealisticLatency: true, TimeScale: scale, Seed: seed})
			got := completionTime(t, h, tt.body, tt.timeStep)
			nominal := time.Duration(float64(tt.nominal) * scale)
			lo, hi := nominal*8/10, nominal*12/10+tt.timeStep
			if got < lo || got > hi {
				t.Errorf("%s seed %d: completed after %v, want %v–%v", tt.body, seed, got, lo, hi)
			}
		}
	}
}

func TestRealisticLatencyJitterFollowsTheSeed(t *testing.T) {
	body := `{"prompt":"a","duration":6,"resolution":"1080p"}`
	run := func(seed int64) []time.Duration {
		h := newHarness(t, Options{RealisticLatency: true, TimeScale: 0.01, Seed: seed})
		var out []time.Duration
		for range 3 {
			out = append(out, completionTime(t, h, body, 5*time.Millisecond))
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if a[0] != b[0] || a[1] != b[1] || a[2] != b[2] {
		t.Errorf("same seed, different latencies: %v vs %v", a, b)
	}
	if a[0] == a[1] && a[1] == a[2] {
		t.Errorf("no jitter between tasks: %v", a)
	}
	if a[0] == c[0] && a[1] == c[1] && a[2] == c[2] {
		t.Errorf("different seeds, same latencies: %v", a)
	}
}
