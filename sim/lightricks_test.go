package sim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const lightricksBody = `{"prompt":"a fox","model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080"}`

func lightricksHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	opts.Provider = ProviderLightricks
	return newHarness(t, opts)
}

func (r reply) errType() string { return r.str("error", "type") }

// submit posts a text-to-video job and returns its id.
func (h *harness) submit(body string) string {
	h.t.Helper()
	r := h.do(http.MethodPost, "/v2/text-to-video", body)
	if r.Status != http.StatusAccepted {
		h.t.Fatalf("submit %s: %d %s", body, r.Status, r.Raw)
	}
	return r.str("id")
}

func TestLightricksLifecycle(t *testing.T) {
	h := lightricksHarness(t, Options{Latency: 10 * time.Second,
		Rules: []Rule{{PromptContains: "doomed", Fault: FaultGenerationFailed}}})
	r := h.do(http.MethodPost, "/v2/text-to-video", lightricksBody)
	id := r.str("id")
	if r.Status != http.StatusAccepted || id == "" || r.str("created_at") != "2026-01-02T03:04:05Z" || len(r.Body) != 2 {
		t.Fatalf("submit: %d %s, want 202 {id, created_at}", r.Status, r.Raw)
	}
	failing := h.submit(`{"prompt":"doomed","model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080"}`)

	poll := func(id string) reply { return h.do(http.MethodGet, "/v2/text-to-video/"+id, "") }
	if p := poll(id); p.Status != http.StatusOK || p.str("status") != "pending" || p.Body["result"] != nil {
		t.Errorf("first poll: %d %s", p.Status, p.Raw)
	}
	h.clock.Advance(5 * time.Second)
	if p := poll(id); p.str("status") != "processing" {
		t.Errorf("mid poll: %s", p.Raw)
	}
	h.clock.Advance(5 * time.Second)
	p := poll(id)
	video := p.str("result", "video_url")
	if p.str("status") != "completed" || p.str("completed_at") != "2026-01-02T03:04:15Z" || !strings.HasPrefix(video, h.srv.URL+"/") {
		t.Fatalf("completed poll: %s", p.Raw)
	}
	if d := h.do(http.MethodGet, strings.TrimPrefix(video, h.srv.URL), "", "Authorization:"); d.Status != http.StatusOK || d.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("download without a key: %d %s", d.Status, d.Raw)
	}
	f := poll(failing)
	if f.str("status") != "failed" || f.errType() != "api_error" || f.str("error", "message") == "" || f.Body["result"] != nil {
		t.Errorf("failed poll: %s", f.Raw)
	}
	if other := h.do(http.MethodGet, "/v2/image-to-video/"+id, ""); other.Status != http.StatusNotFound || other.errType() != "not_found_error" {
		t.Errorf("poll on the other endpoint: %d %s", other.Status, other.Raw)
	}
}

// TestLightricksErrors covers every error type of the reference's table:
// its status, the {"type":"error","error":{type,message}} body, and the
// request id in x-request-id only (checked by harness.do).
func TestLightricksErrors(t *testing.T) {
	slow := 10 * time.Second
	tests := []struct {
		name       string
		opts       Options
		method     string
		path, body string
		headers    []string
		before     int // identical successful submits first
		wantStatus int
		wantType   string
		wantRetry  string
		wantInMsg  string
	}{
		{name: "invalid request", body: `{"prompt":"a"}`, wantStatus: 400, wantType: "invalid_request_error", wantInMsg: "model"},
		{name: "no key", body: lightricksBody, headers: []string{"Authorization:"}, wantStatus: 401, wantType: "authentication_error"},
		{name: "wrong key", body: lightricksBody, headers: []string{"Authorization: Bearer nope"}, wantStatus: 401, wantType: "authentication_error"},
		{name: "insufficient funds", opts: Options{Credits: 0.30}, body: lightricksBody, wantStatus: 402, wantType: "insufficient_funds_error", wantInMsg: "Insufficient funds. Required: 36 cents"},
		{name: "unknown job", method: "GET", path: "/v2/text-to-video/task_nope", wantStatus: 404, wantType: "not_found_error"},
		{name: "unknown endpoint", path: "/v1/text-to-video", body: lightricksBody, wantStatus: 404, wantType: "not_found_error"},
		{name: "content filtered", opts: Options{Rules: []Rule{{Fault: FaultContentPolicy}}}, body: lightricksBody, wantStatus: 422, wantType: "content_filtered_error"},
		{name: "rate limit", opts: Options{RateLimit: 1.0 / 60, RateBurst: 1}, body: lightricksBody, before: 1, wantStatus: 429, wantType: "rate_limit_error", wantRetry: "60"},
		{name: "concurrency limit", opts: Options{Latency: slow}, body: lightricksBody, before: 2, wantStatus: 429, wantType: "concurrency_limit_error", wantRetry: "1"},
		{name: "api error", opts: Options{Rules: []Rule{{Fault: FaultServerError}}}, body: lightricksBody, wantStatus: 500, wantType: "api_error"},
		{name: "unavailable", opts: Options{Rules: []Rule{{Fault: FaultUnavailable}}}, body: lightricksBody, wantStatus: 503, wantType: "service_unavailable"},
		{name: "overloaded", opts: Options{Rules: []Rule{{Fault: FaultOverloaded}}}, body: lightricksBody, wantStatus: 529, wantType: "overloaded_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := lightricksHarness(t, tt.opts)
			for range tt.before {
				h.submit(tt.body)
			}
			method, path := tt.method, tt.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/v2/text-to-video"
			}
			r := h.do(method, path, tt.body, tt.headers...)
			if r.Status != tt.wantStatus || r.str("type") != "error" || r.errType() != tt.wantType || len(r.Body) != 2 {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Raw, tt.wantStatus, tt.wantType)
			}
			if msg := r.str("error", "message"); msg == "" || !strings.Contains(msg, tt.wantInMsg) {
				t.Errorf("message %q, want it to hold %q", msg, tt.wantInMsg)
			}
			if got := r.Header.Get("Retry-After"); got != tt.wantRetry {
				t.Errorf("Retry-After %q, want %q", got, tt.wantRetry)
			}
			if c := h.counters(); c.Creates != int64(tt.before) {
				t.Errorf("Creates %d, want only the %d submits before", c.Creates, tt.before)
			}
		})
	}
}

func TestLightricksValidation(t *testing.T) {
	const img = `,"image_uri":"https://img.example/a.png"`
	tests := []struct {
		mode, body string
		wantField  string // "" = accepted
	}{
		{"text-to-video", `"model":"ltx-2-3-pro","duration":10,"resolution":"3840x2160","fps":50,"generate_audio":false,"camera_motion":"jib_up"`, ""},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":20,"resolution":"1080x1920","fps":25`, ""},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":2,"resolution":"1280x720"`, ""},
		{"image-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080"` + img + `,"last_frame_uri":"data:image/png;base64,iVBO"`, ""},
		{"image-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","image_uri":"data:image/png;base64,iVBO"`, ""},
		{"text-to-video", `"duration":6,"resolution":"1920x1080"`, "model"},
		{"text-to-video", `"model":"ltx-2-fast","duration":6,"resolution":"1920x1080"`, "model"},
		{"text-to-video", `"model":"ltx-2-pro","duration":6,"resolution":"1920x1080"`, "model"},
		{"text-to-video", `"model":"ltx-2-3-fast","resolution":"1920x1080"`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":7,"resolution":"1920x1080"`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6.5,"resolution":"1920x1080"`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-pro","duration":12,"resolution":"1920x1080"`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":12,"resolution":"2560x1440"`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":12,"resolution":"1920x1080","fps":48`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":22,"resolution":"1920x1080"`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6`, "resolution"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1080p"`, "resolution"},
		{"text-to-video", `"model":"ltx-2-3-pro","duration":12,"resolution":"1280x720"`, "duration"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","fps":30`, "fps"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","generate_audio":"yes"`, "generate_audio"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","camera_motion":"zoom"`, "camera_motion"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","seed":1`, "seed"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","aspect_ratio":"9:16"`, "aspect_ratio"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","webhook_url":"https://h.example"`, "webhook_url"},
		{"text-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080"` + img, "image_uri"},
		{"image-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080"`, "image_uri"},
		{"image-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","image_uri":"http://img.example/a.png"`, "image_uri"},
		{"image-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","image_uri":"https://10.0.0.1/a.png"`, "image_uri"},
		{"image-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","image_uri":"ltx://uploads/up_never"`, "image_uri"},
		{"image-to-video", `"model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","image_uri":"data:image/png;base64,` + long(7<<20) + `"`, "image_uri"},
	}
	for _, tt := range tests {
		h := lightricksHarness(t, Options{MaxConcurrentGenerations: -1})
		body := `{"prompt":"a fox",` + tt.body + `}`
		r := h.do(http.MethodPost, "/v2/"+tt.mode, body)
		short := body[:min(len(body), 200)]
		switch {
		case tt.wantField == "" && r.Status != http.StatusAccepted:
			t.Errorf("%s %s: %d %s, want accepted", tt.mode, short, r.Status, r.Raw)
		case tt.wantField != "" && (r.Status != http.StatusBadRequest || r.errType() != "invalid_request_error" ||
			!strings.Contains(r.str("error", "message"), tt.wantField)):
			t.Errorf("%s %s: %d %s, want 400 invalid_request_error naming %s", tt.mode, short, r.Status, r.Raw, tt.wantField)
		}
	}
}

func TestLightricksUpload(t *testing.T) {
	h := lightricksHarness(t, Options{})
	start := h.do(http.MethodPost, "/v1/upload", "")
	uploadURL, storageURI := start.str("upload_url"), start.str("storage_uri")
	token := start.str("required_headers", "x-ltx-upload-token")
	if start.Status != http.StatusOK || !strings.HasPrefix(uploadURL, h.srv.URL+"/") || !strings.HasPrefix(storageURI, "ltx://uploads/") ||
		start.str("required_headers", "Content-Type") != "application/octet-stream" || token == "" ||
		start.str("expires_at") != "2026-01-02T04:04:05Z" {
		t.Fatalf("upload start: %d %s", start.Status, start.Raw)
	}
	i2v := `{"prompt":"a fox","model":"ltx-2-3-fast","duration":6,"resolution":"1920x1080","image_uri":"` + storageURI + `"}`
	if r := h.do(http.MethodPost, "/v2/image-to-video", i2v); r.Status != http.StatusBadRequest {
		t.Errorf("storage_uri used before the PUT: %d %s", r.Status, r.Raw)
	}

	path := strings.TrimPrefix(uploadURL, h.srv.URL)
	for _, tt := range []struct {
		name    string
		headers []string
		want    int
	}{
		{"no token", []string{"Authorization:", "Content-Type: application/octet-stream"}, 403},
		{"wrong token", []string{"Authorization:", "Content-Type: application/octet-stream", "x-ltx-upload-token: nope"}, 403},
		{"wrong type", []string{"Authorization:", "Content-Type: image/png", "x-ltx-upload-token: " + token}, 400},
	} {
		if r := h.do(http.MethodPut, path, "PNG…", tt.headers...); r.Status != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, r.Status, r.Raw, tt.want)
		}
	}
	old := maxUploadBytes
	maxUploadBytes = 8
	big := h.do(http.MethodPut, path, "more than eight bytes", "Authorization:", "Content-Type: application/octet-stream", "x-ltx-upload-token: "+token)
	maxUploadBytes = old
	if big.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", big.Status)
	}
	if c := h.counters(); c.Uploads != 0 {
		t.Errorf("refused PUTs counted as uploads: %+v", c)
	}

	if r := h.do(http.MethodPut, path, "PNG…", "Authorization:", "Content-Type: application/octet-stream", "x-ltx-upload-token: "+token); r.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	if c := h.counters(); c.Uploads != 1 || c.Requests != 2 {
		t.Errorf("counters %+v, want Uploads 1 and the PUTs outside Requests", c)
	}
	if r := h.do(http.MethodPost, "/v2/image-to-video", i2v); r.Status != http.StatusAccepted {
		t.Errorf("image-to-video with the storage_uri: %d %s", r.Status, r.Raw)
	}

	h.clock.Advance(24 * time.Hour)
	if r := h.do(http.MethodPost, "/v2/image-to-video", i2v); r.Status != http.StatusBadRequest || !strings.Contains(r.str("error", "message"), "expired") {
		t.Errorf("storage_uri after 24 h: %d %s", r.Status, r.Raw)
	}
	late := h.do(http.MethodPost, "/v1/upload", "")
	h.clock.Advance(time.Hour)
	if r := h.do(http.MethodPut, strings.TrimPrefix(late.str("upload_url"), h.srv.URL), "x", "Authorization:",
		"Content-Type: application/octet-stream", "x-ltx-upload-token: "+late.str("required_headers", "x-ltx-upload-token")); r.Status != http.StatusForbidden {
		t.Errorf("PUT after 1 h: %d", r.Status)
	}
}

func TestLightricksConcurrencyLimit(t *testing.T) {
	h := lightricksHarness(t, Options{Latency: 10 * time.Second})
	h.submit(lightricksBody)
	h.clock.Advance(5 * time.Second)
	h.submit(lightricksBody)
	if r := h.do(http.MethodPost, "/v2/text-to-video", lightricksBody); r.errType() != "concurrency_limit_error" {
		t.Fatalf("third at once: %d %s", r.Status, r.Raw)
	}
	// The first ends at 10 s whether or not anyone polls it: a slot frees up.
	h.clock.Advance(5 * time.Second)
	h.submit(lightricksBody)
	if r := h.do(http.MethodPost, "/v2/text-to-video", lightricksBody); r.Status != http.StatusTooManyRequests {
		t.Fatalf("over the limit again: %d %s", r.Status, r.Raw)
	}
	c := h.counters()
	if c.Creates != 3 || c.MaxGenerating != 2 || c.ConcurrencyLimited != 2 || c.RateLimited != 0 || c.RepeatedCreates != 2 {
		t.Errorf("counters %+v, want Creates 3, MaxGenerating 2, ConcurrencyLimited 2, RateLimited 0, RepeatedCreates 2", c)
	}

	unlimited := lightricksHarness(t, Options{Latency: 10 * time.Second, MaxConcurrentGenerations: -1})
	for range 5 {
		unlimited.submit(lightricksBody)
	}
	if c := unlimited.counters(); c.MaxGenerating != 5 {
		t.Errorf("MaxGenerating %d, want 5", c.MaxGenerating)
	}
}

func TestLightricksRetention(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
		keep time.Duration
	}{
		{"default 24 h", Options{}, 24 * time.Hour},
		{"scaled", Options{TimeScale: 0.01}, 24 * time.Hour / 100},
		{"explicit", Options{Retention: time.Hour}, time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Latency = 10 * time.Second // ends at 10 s × TimeScale
			h := lightricksHarness(t, tt.opts)
			id := h.submit(lightricksBody)
			o := tt.opts.withDefaults()
			ends := o.scaled(10 * time.Second)
			h.clock.Advance(ends + tt.keep - time.Nanosecond)
			p := h.do(http.MethodGet, "/v2/text-to-video/"+id, "")
			video := strings.TrimPrefix(p.str("result", "video_url"), h.srv.URL)
			if p.str("status") != "completed" || video == "" {
				t.Fatalf("just before expiry: %d %s", p.Status, p.Raw)
			}
			h.clock.Advance(time.Nanosecond)
			if p := h.do(http.MethodGet, "/v2/text-to-video/"+id, ""); p.Status != http.StatusNotFound || p.errType() != "not_found_error" {
				t.Errorf("poll after retention: %d %s", p.Status, p.Raw)
			}
			if d := h.do(http.MethodGet, video, ""); d.Status != http.StatusNotFound {
				t.Errorf("download after retention: %d", d.Status)
			}
		})
	}
	v1 := newHarness(t, Options{})
	id := v1.mustCreate(`{"prompt":"a"}`)
	v1.clock.Advance(1000 * time.Hour)
	if p := v1.poll(id); p.Status != http.StatusOK {
		t.Errorf("v1 keeps tasks forever by default: %d", p.Status)
	}
}

func TestLightricksPricesAndBalance(t *testing.T) {
	h := lightricksHarness(t, Options{Credits: 1, MaxConcurrentGenerations: -1})
	for _, body := range []string{
		`{"prompt":"a","model":"ltx-2-3-fast","duration":10,"resolution":"1280x720"}`, // 0.30
		`{"prompt":"b","model":"ltx-2-3-pro","duration":4,"resolution":"2560x1440"}`,  // 0.64
		`{"prompt":"c","model":"ltx-2-3-fast","duration":2,"resolution":"1080x1920"}`, // 0.12: over by 6 cents
	} {
		h.do(http.MethodPost, "/v2/text-to-video", body)
	}
	c := h.counters()
	left, _ := h.sim.Balance()
	if c.Creates != 2 || !near(c.Spent, 0.94) || !near(left, 0.06) {
		t.Errorf("Creates %d, Spent %g, balance %g; want 2, 0.94, 0.06", c.Creates, c.Spent, left)
	}
	r := h.do(http.MethodPost, "/v2/text-to-video", `{"prompt":"c","model":"ltx-2-3-fast","duration":2,"resolution":"1080x1920"}`)
	if r.Status != http.StatusPaymentRequired || r.str("error", "message") != "Insufficient funds. Required: 12 cents" {
		t.Errorf("402: %d %s", r.Status, r.Raw)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
