package sim

import (
	"net/http"
	"testing"
)

func TestAuth(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		authHeader string
		wantStatus int
		wantCode   string
	}{
		{"no header", Options{}, "Authorization:", 401, "MISSING_API_KEY"},
		{"empty bearer", Options{}, "Authorization: Bearer ", 401, "MISSING_API_KEY"},
		{"other scheme", Options{}, "Authorization: Basic " + testKey, 401, "INVALID_API_KEY"},
		{"unknown key", Options{}, "Authorization: Bearer nope", 401, "INVALID_API_KEY"},
		{"expired key", Options{ExpiredKeys: []string{"old"}}, "Authorization: Bearer old", 401, "API_KEY_EXPIRED"},
		{"valid key", Options{}, "Authorization: Bearer " + testKey, 201, ""},
		{"scheme is case-insensitive", Options{}, "Authorization: bearer " + testKey, 201, ""},
		{"no key list accepts any key", Options{Keys: []string{}}, "Authorization: Bearer anything", 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			r := h.create(`{"prompt":"a cat","duration":6}`, tt.authHeader)
			if r.Status != tt.wantStatus || r.code() != tt.wantCode {
				t.Fatalf("got %d %q, want %d %q: %s", r.Status, r.code(), tt.wantStatus, tt.wantCode, r.Raw)
			}
			if tt.wantCode != "" && h.counters().Creates != 0 {
				t.Errorf("a refused key created a task")
			}
		})
	}
}

func TestAuthAppliesToPolls(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.mustCreate(`{"prompt":"a cat"}`)
	if r := h.do(http.MethodGet, "/v1/tasks/"+id, "", "Authorization:"); r.code() != "MISSING_API_KEY" {
		t.Errorf("poll without key: %d %s", r.Status, r.Raw)
	}
}

func TestRevokeAndExpireKeys(t *testing.T) {
	h := newHarness(t, Options{Keys: []string{testKey, "other"}})
	h.mustCreate(`{"prompt":"before"}`)

	h.sim.ExpireKey(testKey)
	if r := h.create(`{"prompt":"after expiry"}`); r.Status != 401 || r.code() != "API_KEY_EXPIRED" {
		t.Errorf("expired: %d %s", r.Status, r.Raw)
	}
	h.sim.RevokeKey("other")
	if r := h.create(`{"prompt":"after revocation"}`, "Authorization: Bearer other"); r.Status != 401 || r.code() != "INVALID_API_KEY" {
		t.Errorf("revoked: %d %s", r.Status, r.Raw)
	}
	if got := h.counters().Creates; got != 1 {
		t.Errorf("Creates = %d, want 1", got)
	}
}
