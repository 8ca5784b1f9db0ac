package sim

import (
	"fmt"
	"net/http"
	"testing"
)

func TestConsumedCreditsFollowThePriceTable(t *testing.T) {
	tests := []struct {
		resolution string
		duration   int
		want       float64
	}{
		{"1080p", 6, 24}, {"1080p", 20, 80}, {"1440p", 10, 80}, {"4K", 10, 160}, {"4K", 20, 320},
	}
	h := newHarness(t, Options{})
	for _, tt := range tests {
		body := fmt.Sprintf(`{"prompt":"p %s %d","duration":%d,"resolution":%q}`, tt.resolution, tt.duration, tt.duration, tt.resolution)
		r := h.create(body)
		if r.num("consumed_credits") != tt.want {
			t.Errorf("%s %ds: consumed_credits %v, want %v", tt.resolution, tt.duration, r.Body["consumed_credits"], tt.want)
		}
		if p := h.poll(r.str("task_id")); p.num("consumed_credits") != tt.want {
			t.Errorf("%s %ds: poll consumed_credits %v, want %v", tt.resolution, tt.duration, p.Body["consumed_credits"], tt.want)
		}
	}
}

func TestInsufficientCredits(t *testing.T) {
	h := newHarness(t, Options{Credits: 100})
	h.mustCreate(`{"prompt":"a","duration":6,"resolution":"4K"}`) // 96
	r := h.create(`{"prompt":"b","duration":6}`)                  // 24 > 4 left
	if r.Status != http.StatusPaymentRequired || r.code() != "INSUFFICIENT_CREDITS" {
		t.Fatalf("got %d %s", r.Status, r.Raw)
	}
	if left, limited := h.sim.Balance(); left != 4 || !limited {
		t.Errorf("balance %v limited %v, want 4 true", left, limited)
	}

	h.sim.SetCredits(24)
	h.mustCreate(`{"prompt":"b","duration":6}`)
	if r := h.create(`{"prompt":"c","duration":6}`); r.code() != "INSUFFICIENT_CREDITS" {
		t.Errorf("after spending the balance exactly: %d %s", r.Status, r.Raw)
	}
	h.sim.SetCredits(0) // unlimited
	h.mustCreate(`{"prompt":"c","duration":20,"resolution":"4K"}`)
	if got := h.counters().Creates; got != 3 {
		t.Errorf("Creates = %d, want 3", got)
	}
}

func TestPlanQuota(t *testing.T) {
	h := newHarness(t, Options{PlanQuota: 2})
	h.mustCreate(`{"prompt":"one"}`, "Idempotency-Key: one")
	h.mustCreate(`{"prompt":"two"}`)
	if r := h.create(`{"prompt":"one"}`, "Idempotency-Key: one"); r.Status != http.StatusCreated {
		t.Errorf("a replay counted against the quota: %d %s", r.Status, r.Raw)
	}
	r := h.create(`{"prompt":"three"}`)
	if r.Status != http.StatusForbidden || r.code() != "PLAN_LIMIT_REACHED" {
		t.Fatalf("got %d %s", r.Status, r.Raw)
	}
}
