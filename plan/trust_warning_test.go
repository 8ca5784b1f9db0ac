package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// A manifest that trusts a key the provider does not take is told so: the
// setting is never silently dropped, and the video stays uncertain-safe.
func TestTrustingAKeyTheProviderDoesNotTakeIsWarned(t *testing.T) {
	yes := true
	for _, provider := range []string{"lightricks", "ltx2api", ""} {
		m := manifest(t.TempDir(), video("hero", "", "A lighthouse at dusk", 6, "1080p"))
		m.API.Provider, m.API.IdempotencyKey = provider, &yes
		diags := CheckManifest(m, time.Now())
		var warned bool
		for _, d := range diags {
			warned = warned || d.Severity == hcl.DiagWarning && strings.Contains(d.Detail, "idempotency_key = true is ignored")
		}
		if want := provider != ""; warned != want {
			t.Errorf("provider %q: warned %v, want %v (%v)", provider, warned, want, diags)
		}
	}
}
