package ltx_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

// The ltx2api contract (providers.md §2) from the client's side, against
// the simulator speaking it on its own. Its error body is not documented:
// the simulator answers the v1 body and codes, and a body without a code
// falls back on the HTTP status; both are provoked here.

func ltx2apiRequest(prompt string) ltx.CreateRequest {
	return ltx.CreateRequest{Prompt: prompt, Duration: 10, Resolution: "1080p"}
}

func TestLTX2APIEveryErrorAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	p := ltx.MustProvider("ltx2api")
	create := func(r ltx.CreateRequest) func(t *testing.T, e *providerEnv) (*ltx.Task, error) {
		return func(t *testing.T, e *providerEnv) (*ltx.Task, error) { return e.client.Create(ctx, r, "") }
	}
	with := func(edit func(r *ltx.CreateRequest)) ltx.CreateRequest {
		r := ltx2apiRequest("fox")
		edit(&r)
		return r
	}
	createTwice := func(t *testing.T, e *providerEnv) (*ltx.Task, error) {
		if _, err := e.client.Create(ctx, ltx2apiRequest("first"), ""); err != nil {
			t.Fatalf("first create: %v", err)
		}
		return e.client.Create(ctx, ltx2apiRequest("second"), "")
	}
	failedTask := func(t *testing.T, e *providerEnv) (*ltx.Task, error) {
		task, err := e.client.Create(ctx, ltx2apiRequest("fox"), "")
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		e.clock.Advance(time.Minute)
		return e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
	}
	tests := []struct {
		name     string
		code     string // "" for a body without a code
		status   int
		class    ltx.Class
		throttle ltx.Throttle
		opts     sim.Options
		key      string // default simKey; "-" sends none
		baseURL  func(string) string
		provoke  func(t *testing.T, e *providerEnv) (*ltx.Task, error)
	}{
		{name: "no key", code: "MISSING_API_KEY", status: 401, class: ltx.ClassRunFatal, key: "-", provoke: create(ltx2apiRequest("fox"))},
		{name: "an unknown key", code: "INVALID_API_KEY", status: 401, class: ltx.ClassRunFatal, key: "sk-typo", provoke: create(ltx2apiRequest("fox"))},
		{name: "an expired key", code: "API_KEY_EXPIRED", status: 401, class: ltx.ClassRunFatal, key: "sk-old",
			opts: sim.Options{ExpiredKeys: []string{"sk-old"}}, provoke: create(ltx2apiRequest("fox"))},
		{name: "2001 characters", code: "INVALID_PROMPT", status: 400, class: ltx.ClassTaskPermanent,
			provoke: create(with(func(r *ltx.CreateRequest) { r.Prompt = strings.Repeat("é", 2001) }))},
		{name: "4 seconds", code: "INVALID_DURATION", status: 400, class: ltx.ClassTaskPermanent,
			provoke: create(with(func(r *ltx.CreateRequest) { r.Duration = 4 }))},
		{name: "21 seconds", code: "INVALID_DURATION", status: 400, class: ltx.ClassTaskPermanent,
			provoke: create(with(func(r *ltx.CreateRequest) { r.Duration = 21 }))},
		{name: "4K", code: "INVALID_RESOLUTION", status: 400, class: ltx.ClassTaskPermanent,
			provoke: create(with(func(r *ltx.CreateRequest) { r.Resolution = "4K" }))},
		{name: "an image host that cannot be reached", code: "INVALID_IMAGE_URL", status: 400, class: ltx.ClassTaskPermanent,
			opts:    sim.Options{UnreachableImageHosts: []string{"gone.example"}},
			provoke: create(with(func(r *ltx.CreateRequest) { r.ImageURL = "https://gone.example/a.png" }))},
		{name: "an image host serving huge files", code: "IMAGE_TOO_LARGE", status: 400, class: ltx.ClassTaskPermanent,
			opts:    sim.Options{LargeImageHosts: []string{"huge.example"}},
			provoke: create(with(func(r *ltx.CreateRequest) { r.ImageURL = "https://huge.example/a.png" }))},
		{name: "a prompt the content policy refuses", code: "CONTENT_POLICY_VIOLATION", status: 400, class: ltx.ClassTaskPermanent,
			opts:    sim.Options{Rules: []sim.Rule{{PromptContains: "forbidden", Fault: sim.FaultContentPolicy}}},
			provoke: create(ltx2apiRequest("something forbidden"))},
		{name: "10 credits for a 44-credit video", code: "INSUFFICIENT_CREDITS", status: 402, class: ltx.ClassRunStop,
			opts: sim.Options{Credits: 10}, provoke: create(ltx2apiRequest("fox"))},
		{name: "a second create on a quota of one", code: "PLAN_LIMIT_REACHED", status: 403, class: ltx.ClassRunStop,
			opts: sim.Options{PlanQuota: 1}, provoke: createTwice},
		{name: "a second request within a one-per-minute budget", code: "RATE_LIMIT_EXCEEDED", status: 429, class: ltx.ClassRetry,
			throttle: ltx.ThrottleRate, opts: sim.Options{RateLimit: 1.0 / 60, RateBurst: 1}, provoke: createTwice},
		// ltx2api publishes no concurrency code: a generation too many is
		// its rate limit's answer, and the client can only take it as one.
		{name: "a second generation on a limit of one", code: "RATE_LIMIT_EXCEEDED", status: 429, class: ltx.ClassRetry,
			throttle: ltx.ThrottleRate, opts: sim.Options{MaxConcurrentGenerations: 1}, provoke: createTwice},
		{name: "polling a task that never existed", code: "TASK_NOT_FOUND", status: 404, class: ltx.ClassTaskLost,
			provoke: func(t *testing.T, e *providerEnv) (*ltx.Task, error) {
				return e.client.GetTask(ctx, ltx.TaskRef{ID: "task_never"})
			}},
		{name: "a task that failed", code: "GENERATION_FAILED", class: ltx.ClassTaskRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultGenerationFailed}}}, provoke: failedTask},
		// FAILED carries only data.error_message (providers.md §2): a
		// timed-out task cannot be told from another failure, and both are
		// worth a new task.
		{name: "a task that timed out", code: "GENERATION_FAILED", class: ltx.ClassTaskRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultTimeout}}}, provoke: failedTask},
		{name: "a 500 without a code", status: 500, class: ltx.ClassRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultServerError}}}, provoke: create(ltx2apiRequest("fox"))},
		{name: "a 503 without a code", status: 503, class: ltx.ClassRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultUnavailable}}}, provoke: create(ltx2apiRequest("fox"))},
		{name: "a 529 without a code", status: 529, class: ltx.ClassRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultOverloaded}}}, provoke: create(ltx2apiRequest("fox"))},
		{name: "a base URL where the endpoint is not", code: "NOT_FOUND", status: 404, class: ltx.ClassRunFatal,
			baseURL: func(u string) string { return u + "/v9" }, provoke: create(ltx2apiRequest("fox"))},
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.code] = true
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			switch key {
			case "":
				key = simKey
			case "-":
				key = ""
			}
			e := newProviderSim(t, "ltx2api", tt.opts, envOptions{key: key, baseURL: tt.baseURL})
			task, err := tt.provoke(t, e)
			answer := e.wire.last(t)

			var code, requestID string
			var class ltx.Class
			if err != nil {
				apiErr := asAPIError(t, err)
				code, requestID, class = apiErr.Code, apiErr.RequestID, apiErr.Class()
				if apiErr.StatusCode != tt.status || answer.status != tt.status {
					t.Errorf("status %d (wire %d), want %d", apiErr.StatusCode, answer.status, tt.status)
				}
				if apiErr.Throttle() != tt.throttle {
					t.Errorf("throttle %q, want %q", apiErr.Throttle(), tt.throttle)
				}
				if tt.status == 429 && apiErr.RetryAfter <= 0 {
					t.Error("no Retry-After read from the 429")
				}
				if !strings.Contains(apiErr.Error(), requestID) {
					t.Errorf("Error() %q lacks the request id", apiErr.Error())
				}
				if tt.class == ltx.ClassRunFatal && tt.baseURL != nil && !strings.Contains(apiErr.Message, "provider ltx2api") {
					t.Errorf("message %q does not ask whether the base URL is right for ltx2api", apiErr.Message)
				}
			} else {
				if task == nil || task.Status != ltx.StatusFailed || task.Error == nil || task.Error.Message == "" {
					t.Fatalf("no error and no failed task with a message: %+v", task)
				}
				code, requestID, class = task.Error.Code, task.RequestID, task.Error.Class()
			}
			if code != tt.code {
				t.Errorf("code %q, want %q", code, tt.code)
			}
			if class != tt.class {
				t.Errorf("class %s, want %s", class, tt.class)
			}
			if info, ok := p.LookupCode(tt.code); ok && info.Class != tt.class && tt.baseURL == nil {
				t.Errorf("ltx2api's table classes %s as %s", tt.code, info.Class)
			}
			if requestID == "" || requestID != answer.requestID {
				t.Errorf("request id %q, want the answer's %q", requestID, answer.requestID)
			}
		})
	}
	for _, c := range p.Codes {
		if c.Code == ltx.CodeTimeout {
			continue // not expressible in ltx2api's FAILED answer (see above)
		}
		if !covered[c.Code] {
			t.Errorf("ltx2api code %s is never provoked", c.Code)
		}
	}
}

// create → IN_PROGRESS → SUCCESS → download, the body in ltx2api's fields
// and the documented 44 credits for 10 s at 1080p.
func TestLTX2APILifecycleAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	e := newProviderSim(t, "ltx2api", sim.Options{}, envOptions{key: simKey})

	task, err := e.client.Create(ctx, ltx2apiRequest("a fox at dawn"), ltx.IdempotencyKey("lineage", "video.fox", "h", 0))
	if err != nil {
		t.Fatal(err)
	}
	submit := e.wire.last(t)
	if submit.method != "POST" || submit.path != "/api/generate" || submit.status != http.StatusOK {
		t.Fatalf("submitted %s %s → %d", submit.method, submit.path, submit.status)
	}
	body := sentBody(t, submit)
	if body["resolution"] != "1080p" || body["duration"] != 10.0 || body["prompt"] != "a fox at dawn" {
		t.Errorf("sent %s", submit.body)
	}
	for _, absent := range []string{"model", "fps", "webhook_url", "image", "generate_audio"} {
		if _, ok := body[absent]; ok {
			t.Errorf("sent %s, which ltx2api does not take", absent)
		}
	}
	if submit.idemKey != "" {
		t.Errorf("sent Idempotency-Key %q to a service that documents none", submit.idemKey)
	}
	if task.ID == "" || task.ConsumedCost != 44 || task.RequestID != submit.requestID {
		t.Fatalf("create answered %+v; want 44 credits and request id %s", task, submit.requestID)
	}
	if task.Status != ltx.StatusQueued && task.Status != ltx.StatusProcessing {
		t.Errorf("a new task is %s", task.Status)
	}

	e.clock.Advance(20 * time.Second)
	mid, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
	if err != nil || mid.Status != ltx.StatusProcessing {
		t.Fatalf("halfway: %+v, %v", mid, err)
	}
	if poll := e.wire.last(t); poll.path != "/api/status" || mid.RequestID != poll.requestID {
		t.Errorf("polled %s; request id %q, header %q", poll.path, mid.RequestID, poll.requestID)
	}

	e.clock.Advance(time.Minute)
	done, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
	if err != nil || done.Status != ltx.StatusCompleted || done.VideoURL == "" {
		t.Fatalf("finished: %+v, %v", done, err)
	}
	var buf bytes.Buffer
	if _, err := e.client.Download(ctx, done.VideoURL, &buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() < 8 || string(buf.Bytes()[4:8]) != "ftyp" {
		t.Errorf("downloaded %d bytes, not an MP4", buf.Len())
	}
	if c := e.sim.Counters(); c.Creates != 1 || c.Downloads != 1 || c.Spent != 44 {
		t.Errorf("counters %+v; want one 44-credit create and one download", c)
	}
}

// Portrait is ltx2api's aspect_ratio; an image sets its own shape, so
// aspect_ratio is left out of an image-to-video (the service refuses it).
func TestLTX2APIShapesOnTheWire(t *testing.T) {
	ctx := context.Background()
	e := newProviderSim(t, "ltx2api", sim.Options{}, envOptions{key: simKey})

	if _, err := e.client.Create(ctx, ltx.CreateRequest{Prompt: "tall", Duration: 5, Resolution: "720p", AspectRatio: "9:16"}, ""); err != nil {
		t.Fatal(err)
	}
	if body := sentBody(t, e.wire.last(t)); body["aspect_ratio"] != "9:16" || body["resolution"] != "720p" {
		t.Errorf("sent %s", e.wire.last(t).body)
	}
	seed := int64(7)
	if _, err := e.client.Create(ctx, ltx.CreateRequest{Prompt: "from a picture", Duration: 5, Resolution: "480p",
		AspectRatio: "9:16", ImageURL: "https://cdn.example/a.png", Seed: &seed}, ""); err != nil {
		t.Fatalf("the simulator refused an image-to-video: %v", err)
	}
	body := sentBody(t, e.wire.last(t))
	if _, ok := body["aspect_ratio"]; ok || body["image"] != "https://cdn.example/a.png" || body["seed"] != 7.0 {
		t.Errorf("sent %s", e.wire.last(t).body)
	}
	if spent := e.sim.Counters().Spent; spent < 36-1e-9 || spent > 36+1e-9 {
		t.Errorf("spent %g credits, want 2 × 5 s × 3.6", spent)
	}
}
