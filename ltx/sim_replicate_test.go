package ltx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

// The replicate contract (providers.md §5) from the client's side, against
// the simulator speaking it: every prediction status and every problem the
// provider's table names.

func replicateRequest(prompt string) ltx.CreateRequest {
	return ltx.CreateRequest{Prompt: prompt, Duration: 8, Resolution: "1080p"}
}

func TestReplicateLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newProviderSim(t, "replicate", sim.Options{}, envOptions{key: simKey, taskTimeout: 30 * time.Minute})
	var cancelAfter, auth string
	e.wire.inspect = func(h http.Header) {
		if v := h.Get("Cancel-After"); v != "" {
			cancelAfter = v
		}
		auth = h.Get("Authorization")
	}
	task, err := e.client.Create(ctx, replicateRequest("a fox"), "")
	if err != nil {
		t.Fatal(err)
	}
	sub := e.wire.last(t)
	if sub.path != "/v1/models/lightricks/ltx-2.5-fast/predictions" || sub.status != 202 {
		t.Fatalf("create went to %s (%d)", sub.path, sub.status)
	}
	var body struct{ Input map[string]any }
	if err := json.Unmarshal(sub.body, &body); err != nil || body.Input["prompt"] != "a fox" || body.Input["resolution"] != "1080p" {
		t.Errorf("create body %s: want the inputs under input", sub.body)
	}
	if cancelAfter != "1800s" || auth != "Bearer "+simKey {
		t.Errorf("Cancel-After %q, Authorization %q", cancelAfter, auth)
	}
	if task.Status != ltx.StatusQueued || task.URLs.Status == "" || task.URLs.Cancel == "" {
		t.Fatalf("created %+v: want starting, with urls.get and urls.cancel", task)
	}
	ref := ltx.TaskRef{ID: task.ID, URLs: task.URLs}
	e.clock.Advance(10 * time.Second)
	if got, err := e.client.GetTask(ctx, ref); err != nil || got.Status != ltx.StatusProcessing {
		t.Fatalf("processing: %+v, %v", got, err)
	}
	e.clock.Advance(time.Minute)
	done, err := e.client.GetTask(ctx, ref)
	if err != nil || done.Status != ltx.StatusCompleted || done.VideoURL == "" {
		t.Fatalf("succeeded: %+v, %v", done, err)
	}
	var buf bytes.Buffer
	if _, err := e.client.Download(ctx, done.VideoURL, &buf); err != nil || buf.Len() == 0 {
		t.Fatalf("download: %v", err)
	}
}

func TestReplicateEveryStatusAndError(t *testing.T) {
	ctx := context.Background()
	p := ltx.MustProvider("replicate")
	create := func(t *testing.T, e *providerEnv) *ltx.Task {
		task, err := e.client.Create(ctx, replicateRequest("fox"), "")
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	createErr := func(r ltx.CreateRequest) func(t *testing.T, e *providerEnv) error {
		return func(t *testing.T, e *providerEnv) error {
			_, err := e.client.Create(ctx, r, "")
			return err
		}
	}
	pollAfter := func(t *testing.T, e *providerEnv, task *ltx.Task, d time.Duration) error {
		e.clock.Advance(d)
		got, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID, URLs: task.URLs})
		if err != nil {
			return err
		}
		if got.Error == nil {
			t.Fatalf("%+v: want a failed prediction", got)
		}
		return got.Error
	}
	long := replicateRequest("long")
	long.Duration = 7
	tests := []struct {
		code   string
		status int
		class  ltx.Class
		opts   sim.Options
		key    string
		eo     envOptions
		run    func(t *testing.T, e *providerEnv) error
	}{
		{code: "unauthenticated", status: 401, class: ltx.ClassRunFatal, key: "wrong", run: createErr(replicateRequest("fox"))},
		{code: "insufficient_credit", status: 402, class: ltx.ClassRunStop, opts: sim.Options{Credits: 0.1}, run: createErr(replicateRequest("fox"))},
		{code: "not_found", status: 404, class: ltx.ClassTaskLost, run: func(t *testing.T, e *providerEnv) error {
			_, err := e.client.GetTask(ctx, ltx.TaskRef{ID: "never"})
			return err
		}},
		{code: "invalid_input", status: 422, class: ltx.ClassTaskPermanent, run: createErr(long)},
		{code: "throttled", status: 429, class: ltx.ClassRetry, opts: sim.Options{RateLimit: 1.0 / 60, RateBurst: 1},
			run: func(t *testing.T, e *providerEnv) error {
				create(t, e)
				_, err := e.client.Create(ctx, replicateRequest("second"), "")
				return err
			}},
		{code: "server_error", status: 500, class: ltx.ClassRetry, opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultServerError}}},
			run: createErr(replicateRequest("fox"))},
		{code: "failed", status: 200, class: ltx.ClassTaskRetry, opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultGenerationFailed}}},
			run: func(t *testing.T, e *providerEnv) error { return pollAfter(t, e, create(t, e), time.Minute) }},
		{code: "canceled", status: 200, class: ltx.ClassTaskLost, opts: sim.Options{Latency: time.Hour}, eo: envOptions{taskTimeout: 30 * time.Minute},
			run: func(t *testing.T, e *providerEnv) error { return pollAfter(t, e, create(t, e), 31*time.Minute) }},
		{code: "aborted", status: 200, class: ltx.ClassTaskRetry, run: func(t *testing.T, e *providerEnv) error {
			task := create(t, e)
			if err := e.client.Cancel(ctx, ltx.TaskRef{ID: task.ID, URLs: task.URLs}); err != nil {
				t.Fatal(err)
			}
			if c := e.sim.Counters(); c.Spent != 0 || c.Cancelled != 1 {
				t.Errorf("spent %v after cancelling a prediction that had not started", c.Spent)
			}
			return pollAfter(t, e, task, 0)
		}},
		{code: "data_removed", status: 200, class: ltx.ClassTaskLost, opts: sim.Options{Retention: 5 * time.Second},
			run: func(t *testing.T, e *providerEnv) error { return pollAfter(t, e, create(t, e), time.Minute) }},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.code] = true
		t.Run(tt.code, func(t *testing.T) {
			eo := tt.eo
			eo.key = tt.key
			if eo.key == "" {
				eo.key = simKey
			}
			e := newProviderSim(t, "replicate", tt.opts, eo)
			err := tt.run(t, e)
			class, ok := ltx.ErrorClass(err)
			if !ok || class != tt.class {
				t.Errorf("class %s (%v), want %s: %v", class, ok, tt.class, err)
			}
			if info, ok := p.LookupCode(tt.code); !ok || info.Class != tt.class {
				t.Errorf("replicate's table has %+v for %s", info, tt.code)
			}
			answer := e.wire.last(t)
			if answer.status != tt.status {
				t.Errorf("the wire carried %d, want %d", answer.status, tt.status)
			}
			var apiErr *ltx.APIError
			if errors.As(err, &apiErr) {
				if apiErr.Code != tt.code || apiErr.RequestID != answer.requestID || apiErr.Message == "" {
					t.Errorf("code %q request id %q message %q; want %q and %q", apiErr.Code, apiErr.RequestID, apiErr.Message, tt.code, answer.requestID)
				}
				if tt.status == 429 && (apiErr.RetryAfter <= 0 || !strings.Contains(apiErr.Message, "throttled")) {
					t.Errorf("429: Retry-After %s, message %q", apiErr.RetryAfter, apiErr.Message)
				}
			} else if te, ok := err.(*ltx.TaskError); !ok || te.Code != tt.code {
				t.Errorf("error %v, want a task error %s", err, tt.code)
			}
		})
	}
	for _, c := range p.Codes {
		if !covered[c.Code] {
			t.Errorf("replicate code %s is never met", c.Code)
		}
	}
}
