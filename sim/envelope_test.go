package sim

import (
	"net/http"
	"testing"
	"time"
)

func TestEnvelopeDialect(t *testing.T) {
	h := newHarness(t, Options{Envelope: true, Latency: time.Second,
		Rules: []Rule{{PromptContains: "doomed", Fault: FaultGenerationFailed}}})
	c := h.create(`{"prompt":"a","duration":8}`)
	data, _ := c.Body["data"].(map[string]any)
	if c.Status != http.StatusOK || c.num("code") != 200 || c.str("message") != "success" || data["status"] != "IN_PROGRESS" {
		t.Fatalf("create: %d %s", c.Status, c.Raw)
	}
	id, _ := data["task_id"].(string)
	failing := h.create(`{"prompt":"doomed"}`).Body["data"].(map[string]any)["task_id"].(string)

	h.clock.Advance(time.Second)
	done := h.poll(id).Body["data"].(map[string]any)
	urls, _ := done["response"].([]any)
	if done["status"] != "SUCCESS" || len(urls) != 1 || urls[0] != h.srv.URL+"/v1/videos/"+id+".mp4" {
		t.Errorf("completed poll: %v", done)
	}
	failed := h.poll(failing).Body["data"].(map[string]any)
	if failed["status"] != "FAILED" || failed["error_message"] == "" {
		t.Errorf("failed poll: %v", failed)
	}
	if r := h.create(`{"prompt":"a","duration":30}`); r.Status != http.StatusBadRequest || r.code() != "INVALID_DURATION" {
		t.Errorf("errors keep the documented shape: %d %s", r.Status, r.Raw)
	}
}
