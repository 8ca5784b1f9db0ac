package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/ltxform/ltxform/state"
)

// TestUnknownStatusStopsThePlan: an entry whose status this build does not
// know (a newer ltxform wrote it) was planned "~ resume" and apply bought a
// new task (issue 18, finding 6). Now the plan stops and says to upgrade.
func TestUnknownStatusStopsThePlan(t *testing.T) {
	dir := t.TempDir()
	v := video("hero", "", "A lighthouse at dusk", 10, "1080p")
	st := stateOf()
	e := entry(v, state.Status("archived"))
	st.Entries[e.Address] = e
	p, diags := Build(context.Background(), manifest(dir, v), st, Options{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Upgrade ltxform") || !strings.Contains(diags.Error(), `"archived"`) {
		t.Fatalf("diagnostics %v, want an error that says to upgrade ltxform", diags)
	}
	if c := changeOf(t, p, "video.hero"); c.Cost != 0 || c.Action == ActionResume || c.Action == ActionCreate {
		t.Errorf("change %s costing %v, want nothing bought", c.Action, c.Cost)
	}
}
