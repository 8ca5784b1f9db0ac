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

// The fal contract (providers.md §4) from the client's side, against the
// simulator speaking it: the stored queue URLs, the status vocabulary, the
// result step, cancel, and every error type in the provider's table.

func falRequest(prompt string) ltx.CreateRequest {
	return ltx.CreateRequest{Prompt: prompt, Duration: 8, Resolution: "1080p"}
}

func TestFalLifecycleUsesTheSubmitsURLs(t *testing.T) {
	ctx := context.Background()
	e := newProviderSim(t, "fal", sim.Options{}, envOptions{key: simKey})
	task, err := e.client.Create(ctx, falRequest("a fox"), "")
	if err != nil {
		t.Fatal(err)
	}
	sub := e.wire.last(t)
	if sub.path != "/fal-ai/ltx-2.3/text-to-video/fast" || sub.status != 200 {
		t.Fatalf("submit went to %s (%d), want the default model's endpoint", sub.path, sub.status)
	}
	var body map[string]any
	if err := json.Unmarshal(sub.body, &body); err != nil || body["resolution"] != "1080p" || body["duration"] != 8.0 {
		t.Errorf("submit body %s", sub.body)
	}
	if task.URLs.Status == "" || task.URLs.Result == "" || task.URLs.Cancel == "" || task.Status != ltx.StatusQueued {
		t.Fatalf("task %+v: want the three URLs and queued", task)
	}
	if !strings.Contains(task.URLs.Status, "/fal-ai/ltx-2.3/requests/"+task.ID+"/status") {
		t.Errorf("status URL %s does not drop the endpoint's sub-path", task.URLs.Status)
	}
	ref := ltx.TaskRef{ID: task.ID, URLs: task.URLs}

	for _, step := range []struct {
		advance time.Duration
		want    ltx.Status
		status  int
	}{{0, ltx.StatusQueued, 202}, {10 * time.Second, ltx.StatusProcessing, 202}} {
		e.clock.Advance(step.advance)
		got, err := e.client.GetTask(ctx, ref)
		if err != nil || got.Status != step.want || e.wire.last(t).status != step.status {
			t.Fatalf("after %s: %+v, %v (wire %d), want %s", step.advance, got, err, e.wire.last(t).status, step.want)
		}
	}
	e.clock.Advance(time.Minute)
	done, err := e.client.GetTask(ctx, ref)
	if err != nil || done.Status != ltx.StatusCompleted || done.VideoURL == "" {
		t.Fatalf("completed: %+v, %v", done, err)
	}
	if n := len(e.wire.sent("GET", "/fal-ai/ltx-2.3/requests/"+task.ID)); n != 1 {
		t.Errorf("%d result GETs, want 1: the video comes only from the result URL", n)
	}
	var buf bytes.Buffer
	if _, err := e.client.Download(ctx, done.VideoURL, &buf); err != nil || buf.Len() == 0 {
		t.Fatalf("download: %v (%d bytes)", err, buf.Len())
	}
	if spent := e.sim.Counters().Spent; spent < 0.319 || spent > 0.321 {
		t.Errorf("spent $%.3f, want 8 s × $0.04", spent)
	}
}

func TestFalSendsKeySchemeAndRequestTimeout(t *testing.T) {
	e := newProviderSim(t, "fal", sim.Options{}, envOptions{key: simKey, taskTimeout: 30 * time.Minute})
	var seen []string
	e.wire.inspect = func(h http.Header) {
		seen = append(seen, strings.Join(h["Authorization"], ""), strings.Join(h["X-Fal-Request-Timeout"], ""))
	}
	if _, err := e.client.Create(context.Background(), falRequest("fox"), "idem"); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "Key "+simKey || seen[1] != "1800" {
		t.Errorf("headers %q, want Key scheme and a 1800 s request timeout", seen)
	}
	if k := e.wire.last(t).idemKey; k != "" {
		t.Errorf("sent Idempotency-Key %q to a service that documents none", k)
	}
}

func TestFalFailedRequestIsCompletedWithAnError(t *testing.T) {
	ctx := context.Background()
	e := newProviderSim(t, "fal", sim.Options{Rules: []sim.Rule{{Fault: sim.FaultGenerationFailed}}}, envOptions{key: simKey})
	task, err := e.client.Create(ctx, falRequest("fox"), "")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	got, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID, URLs: task.URLs})
	if err != nil || got.Status != ltx.StatusFailed || got.Error == nil || got.Error.Code != "runner_disconnected" {
		t.Fatalf("got %+v, %v: COMPLETED with an error is a failure", got, err)
	}
	if c, _ := ltx.ErrorClass(got.Error); c != ltx.ClassTaskRetry {
		t.Errorf("class %s, want task-retry (a 5xx failure is not billed)", c)
	}
	if wire := e.wire.last(t); wire.status != 200 || !strings.HasSuffix(wire.path, "/status") {
		t.Errorf("last exchange %s %d: the failure is in the status, no result fetch needed", wire.path, wire.status)
	}
}

func TestFalCancelWhileQueuedBuysNothing(t *testing.T) {
	ctx := context.Background()
	e := newProviderSim(t, "fal", sim.Options{}, envOptions{key: simKey})
	queued, err := e.client.Create(ctx, falRequest("queued"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.Cancel(ctx, ltx.TaskRef{ID: queued.ID, URLs: queued.URLs}); err != nil {
		t.Fatal(err)
	}
	if got := e.wire.last(t); got.method != "PUT" || got.status != 202 {
		t.Errorf("cancel went %s with %d, want PUT 202", got.method, got.status)
	}
	if c := e.sim.Counters(); c.Spent != 0 || c.Cancelled != 1 {
		t.Errorf("spent %v, cancelled %d: a request cancelled in the queue is never billed", c.Spent, c.Cancelled)
	}
	running, err := e.client.Create(ctx, falRequest("running"), "")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	err = e.client.Cancel(ctx, ltx.TaskRef{ID: running.ID, URLs: running.URLs})
	if apiErr := asAPIError(t, err); apiErr.StatusCode != 400 {
		t.Errorf("cancelling a finished request: %v, want 400 ALREADY_COMPLETED", err)
	}
}

func TestFalEveryErrorTypeAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	p := ltx.MustProvider("fal")
	tests := []struct {
		name   string
		code   string
		status int
		class  ltx.Class
		opts   sim.Options
		key    string
		eo     envOptions
		// provoke returns the error (an *APIError or a failed task's).
		provoke func(t *testing.T, e *providerEnv) error
	}{
		{name: "a prompt the content checker refuses", code: "content_policy_violation", status: 422, class: ltx.ClassTaskPermanent,
			opts: sim.Options{Rules: []sim.Rule{{PromptContains: "forbidden", Fault: sim.FaultContentPolicy}}},
			provoke: func(t *testing.T, e *providerEnv) error {
				_, err := e.client.Create(ctx, falRequest("forbidden"), "")
				return err
			}},
		{name: "an unknown key", code: "http_401", status: 401, class: ltx.ClassRunFatal, key: "wrong",
			provoke: func(t *testing.T, e *providerEnv) error {
				_, err := e.client.Create(ctx, falRequest("fox"), "")
				return err
			}},
		{name: "a duration fal does not take", code: "http_422", status: 422, class: ltx.ClassTaskPermanent,
			provoke: func(t *testing.T, e *providerEnv) error {
				r := falRequest("fox")
				r.Duration = 7
				_, err := e.client.Create(ctx, r, "")
				return err
			}},
		{name: "a request that does not start within the task timeout", code: "request_timeout", status: 200, class: ltx.ClassTaskLost,
			opts: sim.Options{Latency: time.Hour}, eo: envOptions{taskTimeout: time.Minute},
			provoke: func(t *testing.T, e *providerEnv) error {
				task, err := e.client.Create(ctx, falRequest("slow"), "")
				if err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(2 * time.Minute)
				got, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID, URLs: task.URLs})
				if err != nil || got.Error == nil {
					t.Fatalf("%+v, %v", got, err)
				}
				if spent := e.sim.Counters().Spent; spent != 0 {
					t.Errorf("spent %v on a request that never started", spent)
				}
				return got.Error
			}},
		{name: "the runner goes away", code: "runner_disconnected", status: 200, class: ltx.ClassTaskRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultGenerationFailed}}},
			provoke: func(t *testing.T, e *providerEnv) error {
				task, err := e.client.Create(ctx, falRequest("fox"), "")
				if err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(time.Minute)
				got, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID, URLs: task.URLs})
				if err != nil || got.Error == nil {
					t.Fatalf("%+v, %v", got, err)
				}
				return got.Error
			}},
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
			e := newProviderSim(t, "fal", tt.opts, eo)
			err := tt.provoke(t, e)
			class, ok := ltx.ErrorClass(err)
			if !ok || class != tt.class {
				t.Errorf("class %s (%v), want %s: %v", class, ok, tt.class, err)
			}
			if info, ok := p.LookupCode(tt.code); !ok || info.Class != tt.class {
				t.Errorf("fal's table has %+v for %s", info, tt.code)
			}
			answer := e.wire.last(t)
			if answer.status != tt.status {
				t.Errorf("the wire carried %d, want %d", answer.status, tt.status)
			}
			var apiErr *ltx.APIError
			if asAPI := errors.As(err, &apiErr); asAPI {
				if apiErr.Code != tt.code || apiErr.RequestID == "" || apiErr.RequestID != answer.requestID {
					t.Errorf("code %q request id %q; want %q and the x-fal-request-id %q", apiErr.Code, apiErr.RequestID, tt.code, answer.requestID)
				}
			} else if te, ok := err.(*ltx.TaskError); !ok || te.Code != tt.code {
				t.Errorf("error %v, want a task error %s", err, tt.code)
			}
		})
	}
	for _, c := range p.Codes {
		if !covered[c.Code] {
			t.Errorf("fal error type %s is never provoked", c.Code)
		}
	}
}

// A status URL the service returns on another origin is not followed: the
// key goes only to the API's own scheme and host.
func TestTaskURLOnAnotherOriginIsNotSentTheKey(t *testing.T) {
	e := newProviderSim(t, "fal", sim.Options{}, envOptions{key: simKey})
	ref := ltx.TaskRef{ID: "x", URLs: ltx.TaskURLs{Status: "https://elsewhere.example/requests/x/status"}}
	_, err := e.client.GetTask(context.Background(), ref)
	if err == nil || !strings.Contains(err.Error(), "not on the API's origin") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if n := e.wire.count(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
