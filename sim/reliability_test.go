package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// wire is how a test creates and polls on one provider.
type wire struct {
	provider   string
	createPath string
	body       string // prompt "a fox"
	created    int    // the create's success status
	id         func(reply) string
	pollPath   func(id string) string
	video      func(reply) string // the video URL of a completed poll
}

var wires = []wire{
	{ProviderLTX2APIv1, "/v1/text-to-video", `{"prompt":"a fox"}`, http.StatusCreated,
		func(r reply) string { return r.str("task_id") },
		func(id string) string { return "/v1/tasks/" + id },
		func(r reply) string { return r.str("video_url") }},
	{ProviderLTX2API, "/api/generate", `{"prompt":"a fox"}`, http.StatusOK,
		func(r reply) string { return r.dataStr("task_id") },
		func(id string) string { return "/api/status?task_id=" + id },
		func(r reply) string { u, _ := r.data("response").([]any); s, _ := u[0].(string); return s }},
	{ProviderLightricks, "/v2/text-to-video", lightricksBody, http.StatusAccepted,
		func(r reply) string { return r.str("id") },
		func(id string) string { return "/v2/text-to-video/" + id },
		func(r reply) string { return r.str("result", "video_url") }},
}

func forEachWire(t *testing.T, test func(t *testing.T, w wire)) {
	for _, w := range wires {
		t.Run(w.provider, func(t *testing.T) { test(t, w) })
	}
}

func (w wire) harness(t *testing.T, opts Options) *harness {
	opts.Provider = w.provider
	return newHarness(t, opts)
}

func (w wire) mustCreate(h *harness) string {
	h.t.Helper()
	r := h.do(http.MethodPost, w.createPath, w.body)
	if r.Status != w.created || w.id(r) == "" {
		h.t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	return w.id(r)
}

// rawPost sends a create and returns the response or the transport error.
func rawPost(ctx context.Context, srvURL string, w wire, key string) (*http.Response, []byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srvURL+w.createPath, strings.NewReader(w.body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestHangEndsWithTheClient(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		s := New(Options{Provider: w.provider, Keys: []string{testKey}, Rules: []Rule{{Fault: FaultHang, Times: 1}}})
		returned := make(chan struct{}, 2)
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			defer func() { returned <- struct{}{} }()
			s.ServeHTTP(rw, r)
		}))
		defer srv.Close()

		// The client gives up after a while; the hung handler must end then.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, _, err := rawPost(ctx, srv.URL, w, testKey); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("create answered: %v", err)
		}
		<-returned
		if c := s.Counters(); c.Creates != 0 || c.Spent != 0 {
			t.Errorf("a hung create was committed: %+v", c)
		}

		// Polls hang too.
		resp, body, err := rawPost(context.Background(), srv.URL, w, testKey)
		if err != nil || resp.StatusCode != w.created {
			t.Fatalf("create after the hang: %v %s", err, body)
		}
		<-returned
		s.AddRule(Rule{Fault: FaultHang, Times: 1})
		var created map[string]any
		_ = json.Unmarshal(body, &created)
		id := w.id(reply{Body: created})
		ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel2()
		req, _ := http.NewRequestWithContext(ctx2, http.MethodGet, srv.URL+w.pollPath(id), nil)
		req.Header.Set("Authorization", "Bearer "+testKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("the poll was answered %d", resp.StatusCode)
		}
		<-returned
	})
}

func TestUnreadableAnswerIsCommittedAndBilled(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		h := w.harness(t, Options{Credits: 1000, Rules: []Rule{{Fault: FaultUnreadableAnswer, Times: 4}}})
		for i, form := range UnreadableAnswers { // the rotation's order
			resp, body, err := rawPost(context.Background(), h.srv.URL, w, testKey)
			if err != nil {
				t.Fatalf("%s: %v", form, err)
			}
			if resp.StatusCode != w.created {
				t.Errorf("%s: status %d, want the create's %d", form, resp.StatusCode, w.created)
			}
			var v map[string]any
			jsonErr := json.Unmarshal(body, &v)
			switch form {
			case UnreadableHTML:
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("<html")) {
					t.Errorf("html: %s %q", resp.Header.Get("Content-Type"), body)
				}
			case UnreadableEmpty:
				if len(body) != 0 {
					t.Errorf("empty: %q", body)
				}
			case UnreadableTruncated:
				if jsonErr == nil || len(body) == 0 || body[0] != '{' {
					t.Errorf("truncated: %q parses or is not JSON's start", body)
				}
			case UnreadableHuge:
				if jsonErr != nil || len(body) <= 1<<20 {
					t.Errorf("huge: %d bytes, %v", len(body), jsonErr)
				}
			}
			if c := h.counters(); c.Creates != int64(i+1) || c.Spent == 0 {
				t.Errorf("%s: counters %+v, want the task committed and billed", form, c)
			}
		}
		if c := h.counters(); c.RepeatedCreates != 3 || h.sim.CreatesFor("a fox") != 4 {
			t.Errorf("RepeatedCreates %d, CreatesFor %d; want 3, 4", c.RepeatedCreates, h.sim.CreatesFor("a fox"))
		}
	})
	fixed := newHarness(t, Options{UnreadableAnswer: UnreadableEmpty, Rules: []Rule{{Fault: FaultUnreadableAnswer}}})
	for range 2 {
		if _, body, err := rawPost(context.Background(), fixed.srv.URL, wires[0], testKey); err != nil || len(body) != 0 {
			t.Errorf("UnreadableAnswer empty answered %q, %v", body, err)
		}
	}
}

func TestResetAfterCommitOnEveryProvider(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		for _, f := range []Fault{FaultResetAfterCommit, FaultDropAfterCreate} {
			h := w.harness(t, Options{Rules: []Rule{{Fault: f, Times: 1}}})
			if resp, _, err := rawPost(context.Background(), h.srv.URL, w, testKey); err == nil {
				t.Fatalf("%s: answered %d, want the connection dropped", f, resp.StatusCode)
			}
			w.mustCreate(h) // the retry: no idempotency here, so a second purchase
			c := h.counters()
			if c.Creates != 2 || c.RepeatedCreates != 1 || h.sim.CreatesFor("a fox") != 2 {
				t.Errorf("%s: counters %+v, want both creates committed and the repeat counted", f, c)
			}
		}
	})
}

func TestHTMLDownload(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		h := w.harness(t, Options{Rules: []Rule{{Fault: FaultHTMLDownload, Times: 1}}})
		id := w.mustCreate(h)
		video := strings.TrimPrefix(w.video(h.do(http.MethodGet, w.pollPath(id), "")), h.srv.URL)
		first := h.do(http.MethodGet, video, "")
		if first.Status != http.StatusOK || !strings.HasPrefix(first.Header.Get("Content-Type"), "text/html") || !bytes.Contains(first.Raw, []byte("<html")) {
			t.Errorf("first download: %d %s %q", first.Status, first.Header.Get("Content-Type"), first.Raw)
		}
		if again := h.do(http.MethodGet, video, ""); again.Header.Get("Content-Type") != "video/mp4" || !bytes.Contains(again.Raw[:12], []byte("ftyp")) {
			t.Errorf("second download: %s", again.Header.Get("Content-Type"))
		}
	})
}

func TestEchoKey(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		h := w.harness(t, Options{EchoKey: true, Rules: []Rule{{Fault: FaultGenerationFailed}}})
		r := h.do(http.MethodPost, w.createPath, w.body)
		if !strings.Contains(r.Header.Get("X-Request-Id"), testKey) {
			t.Errorf("X-Request-Id %q does not echo the key", r.Header.Get("X-Request-Id"))
		}
		if w.provider != ProviderLightricks && !strings.Contains(r.str("request_id"), testKey) {
			t.Errorf("request_id does not echo the key: %s", r.Raw)
		}
		p := h.do(http.MethodGet, w.pollPath(w.id(r)), "")
		if !bytes.Contains(p.Raw, []byte("key "+testKey)) {
			t.Errorf("failed task's message does not echo the key: %s", p.Raw)
		}
		quiet := w.harness(t, Options{Rules: []Rule{{Fault: FaultGenerationFailed}}})
		q := quiet.do(http.MethodPost, w.createPath, w.body)
		if strings.Contains(q.Header.Get("X-Request-Id"), testKey) || bytes.Contains(quiet.do(http.MethodGet, w.pollPath(w.id(q)), "").Raw, []byte(testKey)) {
			t.Errorf("the key is echoed without EchoKey")
		}
	})
}

func TestIgnoreIdempotencyKey(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		h := newHarness(t, Options{IgnoreIdempotencyKey: ignore})
		a := h.mustCreate(`{"prompt":"a"}`, "Idempotency-Key: video.a-1")
		b := h.mustCreate(`{"prompt":"a"}`, "Idempotency-Key: video.a-1")
		c := h.counters()
		switch {
		case !ignore && (a != b || c.Creates != 1 || c.Replays != 1):
			t.Errorf("honoured: tasks %s %s, counters %+v", a, b, c)
		case ignore && (a == b || c.Creates != 2 || c.Replays != 0 || c.RepeatedCreates != 1):
			t.Errorf("ignored: tasks %s %s, counters %+v", a, b, c)
		}
	}
}

func TestRepeatedCreatesCountAfterTheTaskEnded(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		h := w.harness(t, Options{Latency: time.Second, Rules: []Rule{{Fault: FaultGenerationFailed, Times: 1}}})
		w.mustCreate(h)
		h.clock.Advance(time.Second) // the first task failed: it is no longer alive
		w.mustCreate(h)
		if c := h.counters(); c.RepeatedCreates != 1 || c.DuplicateCreates != 0 {
			t.Errorf("counters %+v, want RepeatedCreates 1, DuplicateCreates 0", c)
		}
	})
}

func TestConcurrencyKnobOnV1(t *testing.T) {
	h := newHarness(t, Options{Latency: time.Second, MaxConcurrentGenerations: 1})
	h.mustCreate(`{"prompt":"a"}`)
	r := h.create(`{"prompt":"b"}`)
	if r.Status != http.StatusTooManyRequests || r.code() != "RATE_LIMIT_EXCEEDED" || r.Header.Get("Retry-After") != "1" {
		t.Errorf("second at once: %d %v %s", r.Status, r.Header, r.Raw)
	}
	h.clock.Advance(time.Second)
	h.mustCreate(`{"prompt":"b"}`)
	if c := h.counters(); c.ConcurrencyLimited != 1 || c.RateLimited != 0 || c.MaxGenerating != 1 {
		t.Errorf("counters %+v", c)
	}
}

func TestOverloadedOnV1HasNoCode(t *testing.T) {
	h := newHarness(t, Options{Rules: []Rule{{Fault: FaultOverloaded, Times: 1}}})
	if r := h.create(`{"prompt":"a"}`); r.Status != 529 || r.code() != "" {
		t.Errorf("got %d %s", r.Status, r.Raw)
	}
}

func TestUnknownProviderPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("New accepted an unknown provider")
		}
	}()
	New(Options{Provider: "openai"})
}
