package ltx_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

// These tests check the client against the simulator, which speaks the wire
// contract on its own: every error here is provoked for real.

const simKey = "sk-sim-good"

// clock is the simulator's time, moved only by the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type simEnv struct {
	sim    *sim.Server
	url    string
	clock  *clock
	client *ltx.Client
}

// startSim serves a simulator with opts, its clock fake, its key simKey
// and a 40 s latency unless opts say otherwise, until the test ends.
func startSim(t *testing.T, opts sim.Options) (*sim.Server, *httptest.Server, *clock) {
	clk := &clock{now: time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	if len(opts.Keys) == 0 {
		opts.Keys = []string{simKey}
	}
	if opts.Latency == 0 && !opts.RealisticLatency {
		opts.Latency = 40 * time.Second
	}
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv, clk
}

// newSim starts a simulator with opts (its clock and default key filled in)
// and a client holding key.
func newSim(t *testing.T, opts sim.Options, key string) *simEnv {
	t.Helper()
	s, srv, clk := startSim(t, opts)
	c := ltx.NewClient(ltx.Options{BaseURL: srv.URL, Key: ltx.NewKey(key), HTTPClient: srv.Client()})
	return &simEnv{sim: s, url: srv.URL, clock: clk, client: c}
}

func valid(prompt string) ltx.CreateRequest {
	return ltx.CreateRequest{Prompt: prompt, Duration: 8, Resolution: "1080p"}
}

// finish moves the clock past the task's latency and polls it once.
func (e *simEnv) finish(ctx context.Context, t *testing.T, taskID string) (*ltx.Task, error) {
	t.Helper()
	e.clock.Advance(time.Hour)
	return e.client.GetTask(ctx, ltx.TaskRef{ID: taskID})
}

// failure is what a provoked error came to: an HTTP error or a task's.
type failure struct {
	code, requestID string
	class           ltx.Class
	apiErr          *ltx.APIError
}

func TestEveryCatalogueCodeAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		code    string
		how     string
		opts    sim.Options
		key     string
		provoke func(t *testing.T, e *simEnv) (*ltx.Task, error)
		field   string
	}{
		{code: "MISSING_API_KEY", how: "no key at all", key: "",
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) { return e.client.Create(ctx, valid("fox"), "") }},
		{code: "INVALID_API_KEY", how: "a key the simulator does not know", key: "sk-typo",
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) { return e.client.Create(ctx, valid("fox"), "") }},
		{code: "API_KEY_EXPIRED", how: "an expired key", key: "sk-old", opts: sim.Options{ExpiredKeys: []string{"sk-old"}},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				return e.client.GetTask(ctx, ltx.TaskRef{ID: "task_x"})
			}},
		{code: "INVALID_PROMPT", how: "2001 characters", field: "prompt",
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				return e.client.Create(ctx, valid(strings.Repeat("é", 2001)), "")
			}},
		{code: "INVALID_DURATION", how: "25 seconds", field: "duration",
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				r := valid("fox")
				r.Duration = 25
				return e.client.Create(ctx, r, "")
			}},
		{code: "INVALID_RESOLUTION", how: "720p", field: "resolution",
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				r := valid("fox")
				r.Resolution = "720p"
				return e.client.Create(ctx, r, "")
			}},
		{code: "INVALID_IMAGE_URL", how: "an unreachable image host", field: "image_url",
			opts: sim.Options{UnreachableImageHosts: []string{"gone.example"}},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				r := valid("fox")
				r.ImageURL = "https://gone.example/fox.png"
				return e.client.Create(ctx, r, "")
			}},
		{code: "IMAGE_TOO_LARGE", how: "an image host serving huge files", field: "image_url",
			opts: sim.Options{LargeImageHosts: []string{"huge.example"}},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				r := valid("fox")
				r.ImageURL = "https://huge.example/fox.png"
				return e.client.Create(ctx, r, "")
			}},
		{code: "CONTENT_POLICY_VIOLATION", how: "a content-policy rule on the prompt",
			opts: sim.Options{Rules: []sim.Rule{{PromptContains: "forbidden", Fault: sim.FaultContentPolicy}}},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				return e.client.Create(ctx, valid("something forbidden"), "")
			}},
		{code: "INSUFFICIENT_CREDITS", how: "10 credits for a 32-credit video", opts: sim.Options{Credits: 10},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) { return e.client.Create(ctx, valid("fox"), "") }},
		{code: "PLAN_LIMIT_REACHED", how: "a second create on a quota of one", opts: sim.Options{PlanQuota: 1},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				if _, err := e.client.Create(ctx, valid("first"), ""); err != nil {
					t.Fatalf("first create: %v", err)
				}
				return e.client.Create(ctx, valid("second"), "")
			}},
		{code: "RATE_LIMIT_EXCEEDED", how: "a second request within a one-per-minute budget",
			opts: sim.Options{RateLimit: 1.0 / 60, RateBurst: 1},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				if _, err := e.client.Create(ctx, valid("first"), ""); err != nil {
					t.Fatalf("first create: %v", err)
				}
				return e.client.Create(ctx, valid("second"), "")
			}},
		{code: "TASK_NOT_FOUND", how: "polling a task that never existed", field: "task_id",
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				return e.client.GetTask(ctx, ltx.TaskRef{ID: "task_never"})
			}},
		{code: "GENERATION_FAILED", how: "a failing task, polled to its end",
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultGenerationFailed}}},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				task, err := e.client.Create(ctx, valid("fox"), "")
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				return e.finish(ctx, t, task.ID)
			}},
		{code: "TIMEOUT", how: "a task that times out, polled to its end",
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultTimeout}}},
			provoke: func(t *testing.T, e *simEnv) (*ltx.Task, error) {
				task, err := e.client.Create(ctx, valid("fox"), "")
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				return e.finish(ctx, t, task.ID)
			}},
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.code] = true
		t.Run(tt.code, func(t *testing.T) {
			key := tt.key
			if key == "" && tt.code != "MISSING_API_KEY" {
				key = simKey
			}
			e := newSim(t, tt.opts, key)
			task, err := tt.provoke(t, e)
			f := recognise(t, task, err)

			info, ok := ltx.LookupCode(tt.code)
			if !ok {
				t.Fatalf("%s is not in the catalogue", tt.code)
			}
			if f.code != tt.code {
				t.Errorf("provoked by %s: got code %q, want %s", tt.how, f.code, tt.code)
			}
			if f.class != info.Class {
				t.Errorf("class %s, want %s", f.class, info.Class)
			}
			if f.requestID == "" {
				t.Error("no request_id")
			}
			if f.apiErr != nil {
				if tt.field != "" && f.apiErr.Field != tt.field {
					t.Errorf("field %q, want %q", f.apiErr.Field, tt.field)
				}
				if f.apiErr.SuggestionOrCatalogue() == "" {
					t.Error("no suggestion")
				}
				if !strings.Contains(f.apiErr.Error(), f.requestID) || !strings.Contains(f.apiErr.Error(), tt.code) {
					t.Errorf("Error() %q lacks the code or request_id", f.apiErr.Error())
				}
			}
			if tt.code == "RATE_LIMIT_EXCEEDED" && f.apiErr.RetryAfter <= 0 {
				t.Errorf("no Retry-After read from the 429")
			}
		})
	}
	for _, c := range ltx.Catalogue() {
		if !covered[c.Code] {
			t.Errorf("catalogue code %s is never provoked", c.Code)
		}
	}
}

// recognise turns what a client call returned into the code, class and
// request_id a runner would act on.
func recognise(t *testing.T, task *ltx.Task, err error) failure {
	t.Helper()
	if err != nil {
		var apiErr *ltx.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("err = %v, want *ltx.APIError", err)
		}
		class, ok := ltx.ErrorClass(err)
		if !ok || class != apiErr.Class() {
			t.Errorf("ErrorClass = %s, %v; APIError.Class = %s", class, ok, apiErr.Class())
		}
		return failure{apiErr.Code, apiErr.RequestID, apiErr.Class(), apiErr}
	}
	if task == nil || task.Status != ltx.StatusFailed || task.Error == nil {
		t.Fatalf("no error and no failed task: %+v", task)
	}
	return failure{task.Error.Code, task.RequestID, task.Error.Class(), nil}
}

// The whole happy path: create, poll through queued and processing to
// completed, and download a real MP4; then the same Idempotency-Key is
// answered from the replay cache.
func TestLifecycleAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	e := newSim(t, sim.Options{}, simKey)
	req := valid(strings.Repeat("é", 2000)) // 2000 characters, 4000 bytes: allowed
	key := ltx.IdempotencyKey("lineage", "video.hero", req.Hash(), 0)

	task, err := e.client.Create(ctx, req, key)
	if err != nil {
		t.Fatal(err)
	}
	if task.ID == "" || task.Status != ltx.StatusQueued || task.RequestID == "" || task.ConsumedCost != 32 || task.Replayed {
		t.Fatalf("create answered %+v", task)
	}

	e.clock.Advance(20 * time.Second)
	mid, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
	if err != nil {
		t.Fatal(err)
	}
	if mid.Status != ltx.StatusProcessing || mid.Progress == nil || *mid.Progress <= 0 || *mid.Progress >= 100 {
		t.Errorf("halfway: %+v", mid)
	}

	done, err := e.finish(ctx, t, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != ltx.StatusCompleted || done.VideoURL == "" || done.Error != nil {
		t.Fatalf("finished: %+v", done)
	}

	var buf bytes.Buffer
	n, err := e.client.Download(ctx, done.VideoURL, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) || buf.Len() < 8 || string(buf.Bytes()[4:8]) != "ftyp" {
		t.Errorf("downloaded %d bytes, first box %q; want an MP4", n, buf.Bytes()[4:min(8, buf.Len())])
	}

	again, err := e.client.Create(ctx, req, key)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.ID != task.ID {
		t.Errorf("same Idempotency-Key: %+v, want a replay of %s", again, task.ID)
	}
	if c := e.sim.Counters(); c.Creates != 1 || c.Replays != 1 || c.Downloads != 1 {
		t.Errorf("counters %+v", c)
	}
}

// Faults with no error code, and transport failures.
func TestInfrastructureFaultsAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()

	for _, f := range []struct {
		fault  sim.Fault
		status int
	}{{sim.FaultServerError, 500}, {sim.FaultUnavailable, 503}} {
		t.Run(string(f.fault), func(t *testing.T) {
			e := newSim(t, sim.Options{Rules: []sim.Rule{{Fault: f.fault, Times: 1}}}, simKey)
			_, err := e.client.Create(ctx, valid("fox"), "")
			var apiErr *ltx.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != f.status || apiErr.Code != "" || apiErr.RequestID == "" {
				t.Fatalf("err = %v", err)
			}
			if apiErr.Class() != ltx.ClassRetry {
				t.Errorf("class %s, want retry", apiErr.Class())
			}
			if _, err := e.client.Create(ctx, valid("fox"), ""); err != nil {
				t.Errorf("after the one fault: %v", err)
			}
		})
	}

	t.Run("connection dropped after the create was committed", func(t *testing.T) {
		e := newSim(t, sim.Options{Rules: []sim.Rule{{Fault: sim.FaultDropAfterCreate, Times: 1}}}, simKey)
		req := valid("fox")
		key := ltx.IdempotencyKey("lineage", "video.fox", req.Hash(), 0)
		_, err := e.client.Create(ctx, req, key)
		var re *ltx.RequestError
		if !errors.As(err, &re) || !re.Sent {
			t.Fatalf("err = %v, want a sent *RequestError (outcome unknown)", err)
		}
		task, err := e.client.Create(ctx, req, key)
		if err != nil {
			t.Fatal(err)
		}
		if !task.Replayed {
			t.Errorf("resending with the same key created anew: %+v", task)
		}
		if c := e.sim.Counters(); c.Creates != 1 || c.DuplicateCreates != 0 {
			t.Errorf("counters %+v, want one create", c)
		}
	})

	t.Run("lost task", func(t *testing.T) {
		e := newSim(t, sim.Options{Rules: []sim.Rule{{Fault: sim.FaultLoseTask}}}, simKey)
		task, err := e.client.Create(ctx, valid("fox"), "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
		var apiErr *ltx.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != ltx.CodeTaskNotFound || apiErr.Class() != ltx.ClassTaskLost {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("truncated download, then a whole one", func(t *testing.T) {
		e := newSim(t, sim.Options{Rules: []sim.Rule{{Fault: sim.FaultTruncateDownload}}}, simKey)
		task, err := e.client.Create(ctx, valid("fox"), "")
		if err != nil {
			t.Fatal(err)
		}
		done, err := e.finish(ctx, t, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.client.Download(ctx, done.VideoURL, &bytes.Buffer{})
		if !errors.Is(err, ltx.ErrTruncated) {
			t.Fatalf("err = %v, want ErrTruncated", err)
		}
		var buf bytes.Buffer
		if _, err := e.client.Download(ctx, done.VideoURL, &buf); err != nil || string(buf.Bytes()[4:8]) != "ftyp" {
			t.Errorf("second download: %v", err)
		}
	})
}
