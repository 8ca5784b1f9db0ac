package sim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTaskEndsWithInjectedFailure(t *testing.T) {
	for _, tt := range []struct {
		fault Fault
		code  string
	}{
		{FaultGenerationFailed, "GENERATION_FAILED"},
		{FaultTimeout, "TIMEOUT"},
	} {
		t.Run(string(tt.fault), func(t *testing.T) {
			h := newHarness(t, Options{Latency: time.Second, Rules: []Rule{{PromptContains: "doomed", Fault: tt.fault}}})
			doomed := h.mustCreate(`{"prompt":"a doomed shot"}`)
			fine := h.mustCreate(`{"prompt":"a fine shot"}`)
			if p := h.poll(doomed); p.str("status") != "queued" {
				t.Errorf("failing task should look normal at first: %s", p.Raw)
			}
			h.clock.Advance(time.Second)
			p := h.poll(doomed)
			if p.Status != http.StatusOK || p.str("status") != "failed" || p.str("error", "code") != tt.code || p.str("error", "message") == "" {
				t.Fatalf("got %d %s, want failed with %s", p.Status, p.Raw, tt.code)
			}
			if p.str("video_url") != "" {
				t.Errorf("a failed task has a video_url")
			}
			if p := h.poll(fine); p.str("status") != "completed" {
				t.Errorf("the rule hit a prompt that does not match: %s", p.Raw)
			}
		})
	}
}

func TestCreateFaults(t *testing.T) {
	tests := []struct {
		fault      Fault
		wantStatus int
		wantCode   string
	}{
		{FaultContentPolicy, 400, "CONTENT_POLICY_VIOLATION"},
		{FaultServerError, 500, ""},
		{FaultUnavailable, 503, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			h := newHarness(t, Options{Rules: []Rule{{PromptContains: "x", Fault: tt.fault, Times: 1}}})
			r := h.create(`{"prompt":"x"}`)
			if r.Status != tt.wantStatus || r.code() != tt.wantCode || r.str("error", "message") == "" {
				t.Fatalf("got %d %s, want %d %q", r.Status, r.Raw, tt.wantStatus, tt.wantCode)
			}
			if c := h.counters(); c.Creates != 0 {
				t.Errorf("the refused create was committed: %+v", c)
			}
			if r := h.create(`{"prompt":"x"}`); r.Status != http.StatusCreated {
				t.Errorf("rule with Times 1 fired twice: %d %s", r.Status, r.Raw)
			}
		})
	}
}

func TestServerErrorsHitPollsToo(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.mustCreate(`{"prompt":"flaky"}`)
	h.sim.AddRule(Rule{PromptContains: "flaky", Fault: FaultUnavailable, Times: 1})
	if p := h.poll(id); p.Status != http.StatusServiceUnavailable || p.code() != "" {
		t.Fatalf("got %d %s", p.Status, p.Raw)
	}
	if p := h.poll(id); p.Status != http.StatusOK {
		t.Fatalf("got %d %s", p.Status, p.Raw)
	}
}

func TestDropAfterCreateCommitsTheTask(t *testing.T) {
	h := newHarness(t, Options{Rules: []Rule{{Fault: FaultDropAfterCreate, Times: 1}}})
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/v1/text-to-video", strings.NewReader(`{"prompt":"a"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Idempotency-Key", "video.a-1")
	resp, err := h.srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the create was answered %d; want a dropped connection", resp.StatusCode)
	}
	if c := h.counters(); c.Creates != 1 {
		t.Fatalf("Creates = %d, want the dropped create committed", c.Creates)
	}
	r := h.create(`{"prompt":"a"}`, "Idempotency-Key: video.a-1")
	if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry with the same key: %d %v %s", r.Status, r.Header, r.Raw)
	}
	if c := h.counters(); c.Creates != 1 || c.Replays != 1 || c.DuplicateCreates != 0 {
		t.Errorf("counters %+v, want Creates 1, Replays 1, DuplicateCreates 0", c)
	}
}

func TestLostTask(t *testing.T) {
	h := newHarness(t, Options{Rules: []Rule{{PromptContains: "gone", Fault: FaultLoseTask}}})
	id := h.mustCreate(`{"prompt":"gone"}`)
	p := h.poll(id)
	if p.Status != http.StatusNotFound || p.code() != "TASK_NOT_FOUND" || p.field() != "task_id" {
		t.Fatalf("got %d %s", p.Status, p.Raw)
	}
	if d := h.do(http.MethodGet, "/v1/videos/"+id+".mp4", ""); d.Status != http.StatusNotFound {
		t.Errorf("download of a lost task answered %d", d.Status)
	}
	h.mustCreate(`{"prompt":"gone"}`)
	if c := h.counters(); c.DuplicateCreates != 0 {
		t.Errorf("re-creating a lost task counted as a duplicate")
	}
}

func TestTruncatedDownload(t *testing.T) {
	h := newHarness(t, Options{Rules: []Rule{{Fault: FaultTruncateDownload}}})
	id := h.mustCreate(`{"prompt":"a"}`)
	url := h.srv.URL + "/v1/videos/" + id + ".mp4"

	resp, err := h.srv.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || int64(len(got)) != resp.ContentLength/2 {
		t.Fatalf("read %d of Content-Length %d, err %v; want half and an unexpected EOF", len(got), resp.ContentLength, err)
	}

	full := h.do(http.MethodGet, "/v1/videos/"+id+".mp4", "")
	if full.Status != http.StatusOK || int64(len(full.Raw)) != resp.ContentLength || string(full.Raw[:len(got)]) != string(got) {
		t.Errorf("second download: %d, %d bytes; want the whole file", full.Status, len(full.Raw))
	}
}

func TestRandomFaultRates(t *testing.T) {
	count := func(seed int64) int {
		h := newHarness(t, Options{FaultRates: map[Fault]float64{FaultContentPolicy: 0.5}, Seed: seed})
		refused := 0
		for range 200 {
			if h.create(`{"prompt":"a"}`).code() == "CONTENT_POLICY_VIOLATION" {
				refused++
			}
		}
		return refused
	}
	a, b := count(3), count(3)
	if a < 60 || a > 140 {
		t.Errorf("rate 0.5 refused %d of 200", a)
	}
	if a != b {
		t.Errorf("the same seed refused %d then %d", a, b)
	}

	h := newHarness(t, Options{FaultRates: map[Fault]float64{FaultGenerationFailed: 1}})
	if p := h.poll(h.mustCreate(`{"prompt":"a"}`)); p.str("error", "code") != "GENERATION_FAILED" {
		t.Errorf("rate 1 did not fire: %s", p.Raw)
	}
}

func TestFaultNamesAreValid(t *testing.T) {
	for _, f := range Faults {
		if !f.Valid() {
			t.Errorf("%s not valid", f)
		}
	}
	if Fault("explode").Valid() {
		t.Errorf("unknown fault accepted")
	}
}

// TestCommittedCreateFaults: each of these answers a create the service
// made and billed with something that is not the service's own answer.
func TestCommittedCreateFaults(t *testing.T) {
	for _, f := range []Fault{FaultGatewayTimeout, FaultRedirectCreate, FaultHangAfterCommit} {
		t.Run(string(f), func(t *testing.T) {
			h := newHarness(t, Options{Rules: []Rule{{PromptContains: "x", Fault: f, Times: 1}}})
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a guard against a hung test, not a timing
			defer cancel()
			if f == FaultHangAfterCommit {
				// The client gives up once the server has committed the
				// create (not after a fixed time, which a busy machine can
				// spend before the request arrives).
				go func() {
					defer cancel()
					for h.counters().Creates == 0 && ctx.Err() == nil {
						time.Sleep(5 * time.Millisecond) // polling a condition, not ordering events
					}
				}()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/v1/text-to-video", strings.NewReader(`{"prompt":"x"}`))
			req.Header.Set("Authorization", "Bearer "+testKey)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			switch f {
			case FaultHangAfterCommit:
				if err == nil {
					resp.Body.Close()
					t.Fatalf("answered %d; want no answer", resp.StatusCode)
				}
			case FaultGatewayTimeout:
				if err != nil || resp.StatusCode != http.StatusGatewayTimeout || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("got %v %v; want a 504 HTML page", resp, err)
				}
				resp.Body.Close()
			case FaultRedirectCreate:
				if err != nil || resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") == "" {
					t.Fatalf("got %v %v; want a 307 with a Location", resp, err)
				}
				resp.Body.Close()
			}
			if c := h.counters(); c.Creates != 1 {
				t.Errorf("Creates = %d, want the create committed", c.Creates)
			}
		})
	}
}
