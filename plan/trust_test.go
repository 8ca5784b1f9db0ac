package plan

import (
	"context"
	"testing"
)

// TestAssumedKeyIsTrustedOnlyOnTheUsersWord: ltx2api-v1's Idempotency-Key
// is the project's reading, not the service's word, so a plan trusts it
// only when the manifest says so, and then says it is the user's word
// (issue 18, finding 2). A service that takes no key cannot be trusted.
func TestAssumedKeyIsTrustedOnlyOnTheUsersWord(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		provider      string
		manifest      *bool
		want, yourWrd bool
	}{
		{"", nil, false, false},
		{"", &yes, true, true},
		{"", &no, false, false},
		{"lightricks", &yes, false, false},
		{"ltx2api", nil, false, false},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		m := manifest(dir, video("hero", "", "A lighthouse at dusk", 10, "1080p"))
		m.API.Provider, m.API.IdempotencyKey = tt.provider, tt.manifest
		if tt.provider == "lightricks" {
			m.Videos[0].Duration = 6
		}
		p, diags := Build(context.Background(), m, stateOf(), Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", tt.provider, diags)
		}
		if s := p.Settings; s.IdempotencyKey != tt.want || s.IdempotencyKeyOnYourWord != tt.yourWrd {
			t.Errorf("provider %q, idempotency_key %v: trusted %v (on your word %v), want %v (%v)",
				tt.provider, tt.manifest, s.IdempotencyKey, s.IdempotencyKeyOnYourWord, tt.want, tt.yourWrd)
		}
	}
}
