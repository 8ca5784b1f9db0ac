package sim

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// ltx2api helpers: the data object of an envelope answer.
func (r reply) data(name string) any {
	d, _ := r.Body["data"].(map[string]any)
	return d[name]
}

func (r reply) dataStr(name string) string { s, _ := r.data(name).(string); return s }

func (h *harness) generate(body string, headers ...string) reply {
	h.t.Helper()
	return h.do(http.MethodPost, "/api/generate", body, headers...)
}

func (h *harness) status(id string) reply {
	h.t.Helper()
	return h.do(http.MethodGet, "/api/status?task_id="+url.QueryEscape(id), "")
}

func TestLTX2APILifecycle(t *testing.T) {
	h := newHarness(t, Options{Provider: ProviderLTX2API, Latency: 10 * time.Second,
		Rules: []Rule{{PromptContains: "doomed", Fault: FaultGenerationFailed}}})
	c := h.generate(`{"prompt":"a fox"}`)
	if c.Status != http.StatusOK || c.num("code") != 200 || c.str("message") != "success" ||
		c.dataStr("status") != "IN_PROGRESS" || c.data("consumed_credits") != 18.0 {
		t.Fatalf("create (defaults 720p, 5 s: 18 credits): %d %s", c.Status, c.Raw)
	}
	id := c.dataStr("task_id")
	failing := h.generate(`{"prompt":"doomed"}`).dataStr("task_id")

	if p := h.status(id); p.Status != http.StatusOK || p.dataStr("status") != "IN_PROGRESS" {
		t.Errorf("running poll: %d %s", p.Status, p.Raw)
	}
	h.clock.Advance(10 * time.Second)
	p := h.status(id)
	urls, _ := p.data("response").([]any)
	if p.dataStr("status") != "SUCCESS" || len(urls) != 1 || urls[0] != h.srv.URL+"/videos/"+id+".mp4" {
		t.Fatalf("completed poll: %s", p.Raw)
	}
	if d := h.do(http.MethodGet, "/videos/"+id+".mp4", "", "Authorization:"); d.Status != http.StatusOK || d.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("download without a key: %d %s", d.Status, d.Header)
	}
	if f := h.status(failing); f.dataStr("status") != "FAILED" || f.dataStr("error_message") == "" {
		t.Errorf("failed poll: %s", f.Raw)
	}
	if c := h.counters(); c.Creates != 2 || c.Polls != 3 || c.Downloads != 1 {
		t.Errorf("counters %+v", c)
	}
}

func TestLTX2APIErrors(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		method     string
		path, body string
		headers    []string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{name: "no key", path: "/api/generate", body: `{"prompt":"a"}`, headers: []string{"Authorization:"}, wantStatus: 401, wantCode: "MISSING_API_KEY", wantField: "Authorization"},
		{name: "wrong key", path: "/api/generate", body: `{"prompt":"a"}`, headers: []string{"Authorization: Bearer nope"}, wantStatus: 401, wantCode: "INVALID_API_KEY", wantField: "Authorization"},
		{name: "no prompt", path: "/api/generate", body: `{"duration":5}`, wantStatus: 400, wantCode: "INVALID_PROMPT", wantField: "prompt"},
		{name: "long prompt", path: "/api/generate", body: `{"prompt":"` + long(2001) + `"}`, wantStatus: 400, wantCode: "INVALID_PROMPT", wantField: "prompt"},
		{name: "duration 4", path: "/api/generate", body: `{"prompt":"a","duration":4}`, wantStatus: 400, wantCode: "INVALID_DURATION", wantField: "duration"},
		{name: "duration 21", path: "/api/generate", body: `{"prompt":"a","duration":21}`, wantStatus: 400, wantCode: "INVALID_DURATION", wantField: "duration"},
		{name: "duration 7.5", path: "/api/generate", body: `{"prompt":"a","duration":7.5}`, wantStatus: 400, wantCode: "INVALID_DURATION", wantField: "duration"},
		{name: "resolution 4K", path: "/api/generate", body: `{"prompt":"a","resolution":"4K"}`, wantStatus: 400, wantCode: "INVALID_RESOLUTION", wantField: "resolution"},
		{name: "aspect ratio", path: "/api/generate", body: `{"prompt":"a","aspect_ratio":"4:3"}`, wantStatus: 400, wantCode: "INVALID_REQUEST", wantField: "aspect_ratio"},
		{name: "aspect ratio with image", path: "/api/generate", body: `{"prompt":"a","image":"https://img.example/a.png","aspect_ratio":"9:16"}`, wantStatus: 400, wantCode: "INVALID_REQUEST", wantField: "aspect_ratio"},
		{name: "image not a URL", path: "/api/generate", body: `{"prompt":"a","image":"a.png"}`, wantStatus: 400, wantCode: "INVALID_IMAGE_URL", wantField: "image"},
		{name: "image unreachable", opts: Options{UnreachableImageHosts: []string{"down.example"}}, path: "/api/generate", body: `{"prompt":"a","image":"https://down.example/a.png"}`, wantStatus: 400, wantCode: "INVALID_IMAGE_URL", wantField: "image"},
		{name: "no webhooks", path: "/api/generate", body: `{"prompt":"a","webhook_url":"https://hook.example"}`, wantStatus: 400, wantCode: "INVALID_REQUEST", wantField: "webhook_url"},
		{name: "seed not a number", path: "/api/generate", body: `{"prompt":"a","seed":"x"}`, wantStatus: 400, wantCode: "INVALID_REQUEST", wantField: "seed"},
		{name: "content policy", opts: Options{Rules: []Rule{{Fault: FaultContentPolicy}}}, path: "/api/generate", body: `{"prompt":"a"}`, wantStatus: 400, wantCode: "CONTENT_POLICY_VIOLATION", wantField: "prompt"},
		{name: "credits", opts: Options{Credits: 40}, path: "/api/generate", body: `{"prompt":"a","resolution":"1080p","duration":10}`, wantStatus: 402, wantCode: "INSUFFICIENT_CREDITS"},
		{name: "server error", opts: Options{Rules: []Rule{{Fault: FaultServerError}}}, path: "/api/generate", body: `{"prompt":"a"}`, wantStatus: 500},
		{name: "unavailable", opts: Options{Rules: []Rule{{Fault: FaultUnavailable}}}, path: "/api/generate", body: `{"prompt":"a"}`, wantStatus: 503},
		{name: "status without task_id", method: "GET", path: "/api/status", wantStatus: 400, wantCode: "INVALID_REQUEST", wantField: "task_id"},
		{name: "unknown task", method: "GET", path: "/api/status?task_id=task_nope", wantStatus: 404, wantCode: "TASK_NOT_FOUND", wantField: "task_id"},
		{name: "v1 route", path: "/v1/text-to-video", body: `{"prompt":"a"}`, wantStatus: 404, wantCode: "NOT_FOUND"},
		{name: "wrong method", method: "GET", path: "/api/generate", wantStatus: 405, wantCode: "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Provider = ProviderLTX2API
			h := newHarness(t, tt.opts)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			r := h.do(method, tt.path, tt.body, tt.headers...)
			if r.Status != tt.wantStatus || r.code() != tt.wantCode || r.field() != tt.wantField || r.str("error", "message") == "" {
				t.Fatalf("got %d %s, want %d %q field %q", r.Status, r.Raw, tt.wantStatus, tt.wantCode, tt.wantField)
			}
			if c := h.counters(); c.Creates != 0 {
				t.Errorf("a refused create was committed")
			}
		})
	}
}

func long(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

func TestLTX2APIPricesAndBalance(t *testing.T) {
	h := newHarness(t, Options{Provider: ProviderLTX2API, Credits: 100})
	for _, tt := range []struct {
		body string
		want float64
	}{
		{`{"prompt":"a","resolution":"1080p","duration":10}`, 44}, // the reference's own example
		{`{"prompt":"b","resolution":"720p","duration":10}`, 36},
		{`{"prompt":"c","resolution":"480p","duration":5}`, 18},
	} {
		if r := h.generate(tt.body); r.Status != http.StatusOK || r.data("consumed_credits") != tt.want {
			t.Errorf("%s: %d %s, want %g credits", tt.body, r.Status, r.Raw, tt.want)
		}
	}
	if left, limited := h.sim.Balance(); !limited || left != 2 {
		t.Errorf("balance %g (limited %v), want 2", left, limited)
	}
	if c := h.counters(); c.Spent != 98 {
		t.Errorf("Spent %g, want 98", c.Spent)
	}
	if r := h.generate(`{"prompt":"d"}`); r.Status != http.StatusPaymentRequired {
		t.Errorf("over the balance: %d %s", r.Status, r.Raw)
	}
}

func TestLTX2APIIgnoresIdempotencyKey(t *testing.T) {
	h := newHarness(t, Options{Provider: ProviderLTX2API})
	a := h.generate(`{"prompt":"a fox"}`, "Idempotency-Key: video.fox-1").dataStr("task_id")
	b := h.generate(`{"prompt":"a fox"}`, "Idempotency-Key: video.fox-1").dataStr("task_id")
	if a == "" || a == b {
		t.Fatalf("the same key gave tasks %q and %q; want two tasks", a, b)
	}
	c := h.counters()
	if c.Creates != 2 || c.Replays != 0 || c.RepeatedCreates != 1 || c.DuplicateCreates != 1 || c.Spent != 36 {
		t.Errorf("counters %+v", c)
	}
	if n := h.sim.CreatesFor("a fox"); n != 2 {
		t.Errorf("CreatesFor = %d, want 2", n)
	}
}
