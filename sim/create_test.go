package sim

import (
	"net/http"
	"testing"
	"time"
)

func TestIdempotentReplay(t *testing.T) {
	h := newHarness(t, Options{Keys: []string{testKey, "other"}, Credits: 1000})
	first := h.create(`{"prompt":"a","duration":10}`, "Idempotency-Key: video.a")
	again := h.create(`{"prompt":"a","duration":10}`, "Idempotency-Key: video.a")
	if again.Status != http.StatusCreated || again.str("task_id") != first.str("task_id") {
		t.Fatalf("replay: %d %s, first %s", again.Status, again.Raw, first.Raw)
	}
	if first.Header.Get("Idempotent-Replayed") != "" || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotent-Replayed: first %q, replay %q", first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
	}
	if left, _ := h.sim.Balance(); left != 960 {
		t.Errorf("balance %v, want 960: a replay must not charge", left)
	}
	if c := h.counters(); c.Creates != 1 || c.Replays != 1 || c.DuplicateCreates != 0 {
		t.Errorf("counters %+v", c)
	}

	other := h.create(`{"prompt":"a","duration":10}`, "Idempotency-Key: video.a", "Authorization: Bearer other")
	if other.str("task_id") == first.str("task_id") || other.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("another key's Idempotency-Key replayed this key's task")
	}
}

func TestReplayShowsTheTaskAsItIsNow(t *testing.T) {
	h := newHarness(t, Options{Latency: time.Second})
	h.mustCreate(`{"prompt":"a"}`, "Idempotency-Key: k1")
	h.clock.Advance(time.Second)
	r := h.create(`{"prompt":"a"}`, "Idempotency-Key: k1")
	if r.str("status") != "completed" || r.str("video_url") == "" {
		t.Errorf("replay after completion: %s", r.Raw)
	}
}

func TestDuplicateCreates(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		second string
		wait   time.Duration // between the two creates
		want   int64
	}{
		{"same body while queued", Options{Latency: time.Minute}, `{"prompt":"a","duration":8}`, 0, 1},
		{"same body once completed", Options{Latency: time.Minute}, `{"prompt":"a","duration":8}`, time.Hour, 1},
		{"same content, other spelling", Options{}, `{ "duration": 8,  "prompt": "a", "resolution": "1080p" }`, 0, 1},
		{"other body", Options{}, `{"prompt":"b","duration":8}`, 0, 0},
		{"same body after the first failed", Options{Latency: time.Minute, Rules: []Rule{{Fault: FaultGenerationFailed, Times: 1}}},
			`{"prompt":"a","duration":8}`, time.Minute, 0},
		{"same body while the doomed first still runs", Options{Latency: time.Minute, Rules: []Rule{{Fault: FaultTimeout, Times: 1}}},
			`{"prompt":"a","duration":8}`, time.Second, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			h.mustCreate(`{"prompt":"a","duration":8}`)
			h.clock.Advance(tt.wait)
			h.mustCreate(tt.second)
			if c := h.counters(); c.DuplicateCreates != tt.want || c.Creates != 2 {
				t.Errorf("counters %+v, want DuplicateCreates %d, Creates 2", c, tt.want)
			}
		})
	}
}

func TestTextAndImageBodiesAreNotDuplicates(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustCreate(`{"prompt":"a"}`)
	if r := h.do(http.MethodPost, "/v1/image-to-video", `{"prompt":"a","image_url":"https://cdn.example/a.png"}`); r.Status != http.StatusCreated {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	if c := h.counters(); c.DuplicateCreates != 0 {
		t.Errorf("DuplicateCreates = %d", c.DuplicateCreates)
	}
}
