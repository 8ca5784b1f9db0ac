package ltx_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/sim"
)

// The lightricks contract (providers.md §3) from the client's side, against
// the simulator speaking it on its own: every documented error type is
// provoked for real, and its request id must be the x-request-id header's.

func lightricksRequest(prompt string) ltx.CreateRequest {
	return ltx.CreateRequest{Prompt: prompt, Duration: 8, Resolution: "1080p"}
}

func TestLightricksEveryErrorTypeAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	p := ltx.MustProvider("lightricks")
	create := func(prompt string) func(t *testing.T, e *providerEnv) error {
		return func(t *testing.T, e *providerEnv) error {
			_, err := e.client.Create(ctx, lightricksRequest(prompt), "")
			return err
		}
	}
	createTwice := func(t *testing.T, e *providerEnv) error {
		if _, err := e.client.Create(ctx, lightricksRequest("first"), ""); err != nil {
			t.Fatalf("first create: %v", err)
		}
		_, err := e.client.Create(ctx, lightricksRequest("second"), "")
		return err
	}
	tests := []struct {
		name     string
		typ      string
		status   int
		class    ltx.Class
		throttle ltx.Throttle
		opts     sim.Options
		key      string // default simKey
		provoke  func(t *testing.T, e *providerEnv) error
		message  string // a word the message must hold
	}{
		{name: "an 11 s duration", typ: "invalid_request_error", status: 400, class: ltx.ClassTaskPermanent,
			provoke: func(t *testing.T, e *providerEnv) error {
				r := lightricksRequest("fox")
				r.Duration = 11
				_, err := e.client.Create(ctx, r, "")
				return err
			}, message: "duration"},
		{name: "a key the service does not know", typ: "authentication_error", status: 401, class: ltx.ClassRunFatal,
			key: "sk-typo", provoke: create("fox")},
		{name: "8 s at $0.06 on a 10-cent balance", typ: "insufficient_funds_error", status: 402, class: ltx.ClassRunStop,
			opts: sim.Options{Credits: 0.10}, provoke: create("fox"), message: "48 cents"},
		{name: "polling a job that never existed", typ: "not_found_error", status: 404, class: ltx.ClassTaskLost,
			provoke: func(t *testing.T, e *providerEnv) error {
				_, err := e.client.GetTask(ctx, ltx.TaskRef{ID: "task_never"})
				return err
			}},
		{name: "polling a job 24 h after it ended", typ: "not_found_error", status: 404, class: ltx.ClassTaskLost,
			provoke: func(t *testing.T, e *providerEnv) error {
				task, err := e.client.Create(ctx, lightricksRequest("fox"), "")
				if err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(time.Minute) // the 40 s generation ends
				if done, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID}); err != nil || done.Status != ltx.StatusCompleted {
					t.Fatalf("within retention: %+v, %v", done, err)
				}
				e.clock.Advance(24 * time.Hour)
				_, err = e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
				return err
			}},
		{name: "a body larger than the infrastructure takes", typ: "request_too_large", status: 413, class: ltx.ClassTaskPermanent,
			provoke: func(t *testing.T, e *providerEnv) error {
				r := lightricksRequest("fox")
				r.ImageURL = "data:image/png;base64," + strings.Repeat("A", 17<<20)
				_, err := e.client.Create(ctx, r, "")
				return err
			}},
		{name: "a prompt the safety filters reject", typ: "content_filtered_error", status: 422, class: ltx.ClassTaskPermanent,
			opts:    sim.Options{Rules: []sim.Rule{{PromptContains: "forbidden", Fault: sim.FaultContentPolicy}}},
			provoke: create("something forbidden")},
		{name: "a second request within a one-per-minute budget", typ: "rate_limit_error", status: 429, class: ltx.ClassRetry,
			throttle: ltx.ThrottleRate, opts: sim.Options{RateLimit: 1.0 / 60, RateBurst: 1}, provoke: createTwice},
		{name: "a third generation while two run", typ: "concurrency_limit_error", status: 429, class: ltx.ClassRetry,
			throttle: ltx.ThrottleConcurrency,
			provoke: func(t *testing.T, e *providerEnv) error {
				for _, prompt := range []string{"one", "two"} {
					if _, err := e.client.Create(ctx, lightricksRequest(prompt), ""); err != nil {
						t.Fatalf("create %s: %v", prompt, err)
					}
				}
				_, err := e.client.Create(ctx, lightricksRequest("three"), "")
				return err
			}},
		{name: "a server error", typ: "api_error", status: 500, class: ltx.ClassRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultServerError}}}, provoke: create("fox")},
		{name: "the service down", typ: "service_unavailable", status: 503, class: ltx.ClassRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultUnavailable}}}, provoke: create("fox")},
		{name: "the service overloaded", typ: "overloaded_error", status: 529, class: ltx.ClassRetry,
			opts: sim.Options{Rules: []sim.Rule{{Fault: sim.FaultOverloaded}}}, provoke: create("fox")},
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.typ] = true
		t.Run(tt.typ+"/"+tt.name, func(t *testing.T) {
			key := tt.key
			if key == "" {
				key = simKey
			}
			e := newProviderSim(t, "lightricks", tt.opts, envOptions{key: key})
			apiErr := asAPIError(t, tt.provoke(t, e))
			answer := e.wire.last(t)

			if apiErr.Code != tt.typ || apiErr.StatusCode != tt.status {
				t.Errorf("got %s (%d), want %s (%d)", apiErr.Code, apiErr.StatusCode, tt.typ, tt.status)
			}
			if answer.status != tt.status {
				t.Errorf("the wire carried %d, want %d", answer.status, tt.status)
			}
			if apiErr.Class() != tt.class {
				t.Errorf("class %s, want %s", apiErr.Class(), tt.class)
			}
			if info, ok := p.LookupCode(tt.typ); !ok || info.Class != tt.class || info.Status != tt.status {
				t.Errorf("lightricks' table has %+v for %s", info, tt.typ)
			}
			if apiErr.Throttle() != tt.throttle {
				t.Errorf("throttle %q, want %q", apiErr.Throttle(), tt.throttle)
			}
			if apiErr.RequestID == "" || apiErr.RequestID != answer.requestID {
				t.Errorf("request id %q, want the x-request-id header %q", apiErr.RequestID, answer.requestID)
			}
			if !strings.Contains(apiErr.Error(), apiErr.RequestID) || !strings.Contains(apiErr.Error(), tt.typ) {
				t.Errorf("Error() %q lacks the type or the request id", apiErr.Error())
			}
			if tt.message != "" && !strings.Contains(apiErr.Message, tt.message) {
				t.Errorf("message %q lacks %q", apiErr.Message, tt.message)
			}
			if tt.status == 429 && apiErr.RetryAfter <= 0 {
				t.Error("no Retry-After read from the 429")
			}
			if apiErr.SuggestionOrCatalogue() == "" {
				t.Error("no suggestion")
			}
		})
	}
	for _, c := range p.Codes {
		if !covered[c.Code] {
			t.Errorf("lightricks error type %s is never provoked", c.Code)
		}
	}
}

// The request id of a lightricks answer is its x-request-id header, even
// when a body (the service's or a proxy's) carries a request_id of its own:
// the service puts none in bodies, so a body's is not the one support knows.
func TestLightricksRequestIDComesFromTheHeaderOnly(t *testing.T) {
	ctx := context.Background()
	answers := map[string]struct {
		status int
		body   string
	}{
		"/v2/text-to-video":       {400, `{"type":"error","error":{"type":"invalid_request_error","message":"bad"},"request_id":"req_body"}`},
		"/v2/text-to-video/task1": {200, `{"id":"task1","status":"processing","request_id":"req_body"}`},
		"/v2/text-to-video/task2": {502, `{"error":"bad gateway","request_id":"req_body"}`},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.URL.Path]
		w.Header().Set("x-request-id", "req_header")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		w.Write([]byte(a.body))
	}))
	defer srv.Close()
	c := ltx.NewClient(ltx.Options{Provider: ltx.MustProvider("lightricks"), BaseURL: srv.URL, Key: ltx.NewKey(simKey), HTTPClient: srv.Client()})

	_, err := c.Create(ctx, lightricksRequest("fox"), "")
	if apiErr := asAPIError(t, err); apiErr.RequestID != "req_header" {
		t.Errorf("error answer: request id %q, want the header's", apiErr.RequestID)
	}
	task, err := c.GetTask(ctx, ltx.TaskRef{ID: "task1"})
	if err != nil || task.RequestID != "req_header" {
		t.Errorf("poll answer: %+v, %v; want the header's request id", task, err)
	}
	_, err = c.GetTask(ctx, ltx.TaskRef{ID: "task2"})
	if apiErr := asAPIError(t, err); apiErr.RequestID != "req_header" || apiErr.Class() != ltx.ClassRetry {
		t.Errorf("a gateway's answer: request id %q, class %s; want the header's, retry", apiErr.RequestID, apiErr.Class())
	}
}

// sentBody decodes the JSON body of an exchange.
func sentBody(t *testing.T, e exchange) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.body, &m); err != nil {
		t.Fatalf("%s %s sent %q: %v", e.method, e.path, e.body, err)
	}
	return m
}

// create → pending → processing → completed → download, with the model
// default and the size the service takes on the wire, no idempotency key,
// and the price charged in dollars.
func TestLightricksLifecycleAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	e := newProviderSim(t, "lightricks", sim.Options{}, envOptions{key: simKey})

	task, err := e.client.Create(ctx, lightricksRequest("a fox at dawn"), ltx.IdempotencyKey("lineage", "video.fox", "h", 0))
	if err != nil {
		t.Fatal(err)
	}
	submit := e.wire.last(t)
	if submit.method != "POST" || submit.path != "/v2/text-to-video" || submit.status != http.StatusAccepted {
		t.Fatalf("submitted %s %s → %d", submit.method, submit.path, submit.status)
	}
	body := sentBody(t, submit)
	if body["model"] != "ltx-2-3-fast" || body["resolution"] != "1920x1080" || body["duration"] != 8.0 {
		t.Errorf("sent %s; want the default model ltx-2-3-fast and 1920x1080", submit.body)
	}
	for _, absent := range []string{"seed", "aspect_ratio", "webhook_url", "image_uri"} {
		if _, ok := body[absent]; ok {
			t.Errorf("sent %s, which lightricks does not take", absent)
		}
	}
	if submit.idemKey != "" {
		t.Errorf("sent Idempotency-Key %q to a service that has none", submit.idemKey)
	}
	if task.ID == "" || task.Status != ltx.StatusQueued || task.RequestID != submit.requestID {
		t.Fatalf("create answered %+v (x-request-id %s)", task, submit.requestID)
	}

	e.clock.Advance(20 * time.Second)
	mid, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
	if err != nil || mid.Status != ltx.StatusProcessing {
		t.Fatalf("halfway: %+v, %v", mid, err)
	}
	if poll := e.wire.last(t); poll.path != "/v2/text-to-video/"+task.ID || mid.RequestID != poll.requestID {
		t.Errorf("polled %s; request id %q, header %q", poll.path, mid.RequestID, poll.requestID)
	}

	e.clock.Advance(time.Minute)
	done, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
	if err != nil || done.Status != ltx.StatusCompleted || done.VideoURL == "" || done.Error != nil {
		t.Fatalf("finished: %+v, %v", done, err)
	}
	var buf bytes.Buffer
	if _, err := e.client.Download(ctx, done.VideoURL, &buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() < 8 || string(buf.Bytes()[4:8]) != "ftyp" {
		t.Errorf("downloaded %d bytes, not an MP4", buf.Len())
	}
	if c := e.sim.Counters(); c.Creates != 1 || c.Downloads != 1 || c.Spent < 0.48-1e-9 || c.Spent > 0.48+1e-9 {
		t.Errorf("counters %+v; want one create of $0.48 (8 s × $0.06) and one download", c)
	}

	// The video URL, too, lives 24 h after the job ended.
	e.clock.Advance(24 * time.Hour)
	_, err = e.client.Download(ctx, done.VideoURL, &bytes.Buffer{})
	if class, ok := ltx.ErrorClass(err); !ok || class != ltx.ClassTaskLost {
		t.Errorf("download after retention: %v (class %s), want task-lost", err, class)
	}
}

// "1080p" with "9:16" reaches the service as the portrait size; a literal
// size and a named model are sent as written.
func TestLightricksSizesAndModelsOnTheWire(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name             string
		req              ltx.CreateRequest
		resolution, mode string
		spent            float64
	}{
		{"portrait by aspect ratio", ltx.CreateRequest{Prompt: "a", Duration: 8, Resolution: "1080p", AspectRatio: "9:16"}, "1080x1920", "ltx-2-3-fast", 0.48},
		{"landscape by aspect ratio", ltx.CreateRequest{Prompt: "b", Duration: 8, Resolution: "720p", AspectRatio: "16:9"}, "1280x720", "ltx-2-3-fast", 0.24},
		{"a literal portrait size", ltx.CreateRequest{Prompt: "c", Duration: 5, Resolution: "1440x2560", Model: "ltx-2-3-pro"}, "1440x2560", "ltx-2-3-pro", 0.80},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newProviderSim(t, "lightricks", sim.Options{}, envOptions{key: simKey})
			if _, err := e.client.Create(ctx, tc.req, ""); err != nil {
				t.Fatalf("the simulator refused it: %v", err)
			}
			body := sentBody(t, e.wire.last(t))
			if body["resolution"] != tc.resolution || body["model"] != tc.mode {
				t.Errorf("sent %s; want resolution %s, model %s", e.wire.last(t).body, tc.resolution, tc.mode)
			}
			if spent := e.sim.Counters().Spent; spent < tc.spent-1e-9 || spent > tc.spent+1e-9 {
				t.Errorf("charged $%g, want $%g", spent, tc.spent)
			}
		})
	}
}

// A job that fails reports its error.type; the client classifies it as a
// task's failure: api_error means a new task may succeed.
func TestLightricksFailedJobAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	for _, fault := range []sim.Fault{sim.FaultGenerationFailed, sim.FaultTimeout} {
		t.Run(string(fault), func(t *testing.T) {
			e := newProviderSim(t, "lightricks", sim.Options{Rules: []sim.Rule{{Fault: fault}}}, envOptions{key: simKey})
			task, err := e.client.Create(ctx, lightricksRequest("fox"), "")
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute)
			done, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID})
			if err != nil {
				t.Fatal(err)
			}
			if done.Status != ltx.StatusFailed || done.Error == nil || done.Error.Code != "api_error" || done.Error.Message == "" {
				t.Fatalf("failed job read as %+v (error %+v)", done, done.Error)
			}
			if done.Error.Class() != ltx.ClassTaskRetry {
				t.Errorf("class %s, want task-retry", done.Error.Class())
			}
			if class, ok := ltx.ErrorClass(done.Error); !ok || class != ltx.ClassTaskRetry {
				t.Errorf("ErrorClass = %s, %v", class, ok)
			}
			if done.RequestID == "" || done.RequestID != e.wire.last(t).requestID {
				t.Errorf("request id %q, want the header's %q", done.RequestID, e.wire.last(t).requestID)
			}
		})
	}
}

func writeImage(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// image_file: POST /v1/upload, PUT the bytes with the required headers, then
// submit to /v2/image-to-video with the storage_uri; the job is polled at
// the endpoint that made it.
func TestLightricksImageFileUploadAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sum := writeImage(t, dir, "lamp.png", []byte("\x89PNG\r\n\x1a\n a lamp"))
	e := newProviderSim(t, "lightricks", sim.Options{}, envOptions{key: simKey, imageDir: dir})

	req := ltx.CreateRequest{Prompt: "the lamp turns on", Duration: 6, Resolution: "1080p", ImageFile: "lamp.png", ImageSHA256: sum}
	task, err := e.client.Create(ctx, req, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.wire.sent("POST", "/v1/upload")); n != 1 {
		t.Errorf("%d upload requests, want 1", n)
	}
	submits := e.wire.sent("POST", "/v2/image-to-video")
	if len(submits) != 1 {
		t.Fatalf("%d image-to-video submits, want 1", len(submits))
	}
	uri, _ := sentBody(t, submits[0])["image_uri"].(string)
	if !strings.HasPrefix(uri, "ltx://uploads/") {
		t.Errorf("image_uri %q, want the upload's storage_uri", uri)
	}
	if c := e.sim.Counters(); c.Uploads != 1 || c.Creates != 1 {
		t.Errorf("counters %+v, want one upload and one create", c)
	}

	e.clock.Advance(time.Minute)
	done, err := e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID, Mode: ltx.ImageToVideo})
	if err != nil || done.Status != ltx.StatusCompleted {
		t.Fatalf("polled at /v2/image-to-video: %+v, %v", done, err)
	}
	// The text-to-video endpoint does not know an image-to-video job.
	_, err = e.client.GetTask(ctx, ltx.TaskRef{ID: task.ID, Mode: ltx.TextToVideo})
	if apiErr := asAPIError(t, err); apiErr.Code != "not_found_error" {
		t.Errorf("polled at the wrong endpoint: %v", err)
	}
}

// A picture changed since the plan hashed it is refused before anything is
// sent: no upload, no submit, nothing bought.
func TestLightricksChangedImageFileIsRefusedBeforeAnyCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	planned := writeImage(t, dir, "lamp.png", []byte("the planned picture"))
	writeImage(t, dir, "lamp.png", []byte("another picture"))
	e := newProviderSim(t, "lightricks", sim.Options{}, envOptions{key: simKey, imageDir: dir})

	_, err := e.client.Create(ctx, ltx.CreateRequest{Prompt: "p", Duration: 6, Resolution: "1080p", ImageFile: "lamp.png", ImageSHA256: planned}, "")
	var upErr *ltx.UploadError
	if !errors.As(err, &upErr) || upErr.File != "lamp.png" || !strings.Contains(err.Error(), "changed since the plan") {
		t.Fatalf("err = %v, want an *UploadError saying the file changed", err)
	}
	if n := e.wire.count(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	if c := e.sim.Counters(); c.Requests != 0 || c.Uploads != 0 || c.Creates != 0 {
		t.Errorf("counters %+v, want nothing", c)
	}
}
