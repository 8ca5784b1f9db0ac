package plan

import (
	"context"
	"testing"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

func TestCanonicalEndpoint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://api.ltx-2api.com", "https://api.ltx-2api.com"},
		{"https://api.ltx-2api.com/", "https://api.ltx-2api.com"},
		{"https://api.ltx-2api.com///", "https://api.ltx-2api.com"},
		{"HTTPS://API.LTX-2api.COM", "https://api.ltx-2api.com"},
		{"HTTP://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"https://api.ltx.video:443", "https://api.ltx.video"},
		{"http://api.ltx.video:80/", "http://api.ltx.video"},
		{"http://api.ltx.video:443", "http://api.ltx.video:443"},
		{"https://api.ltx.video:80", "https://api.ltx.video:80"},
		{"https://gw.example.com/LTX/v2/", "https://gw.example.com/LTX/v2"},
		{"https://[::1]:443/", "https://[::1]"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"  https://api.ltx.video/  ", "https://api.ltx.video"},
		{"simulator", "simulator"},
		{"", ""},
	} {
		if got := CanonicalEndpoint(tc.in); got != tc.want {
			t.Errorf("CanonicalEndpoint(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := CanonicalEndpoint(CanonicalEndpoint(tc.in)); got != tc.want {
			t.Errorf("CanonicalEndpoint is not idempotent on %q: %q", tc.in, got)
		}
	}
}

// An endpoint spelled another way is the same service: a task made there is
// polled, an uncertain create stays uncertain, and nothing is bought again.
func TestPlanComparesEndpointsInCanonicalForm(t *testing.T) {
	const recorded = "https://api.ltx-2api.com"
	for _, tc := range []struct{ name, flag, inState string }{
		{"trailing slash on -endpoint", "https://api.ltx-2api.com/", recorded},
		{"upper-case scheme and host", "HTTPS://API.LTX-2API.COM", recorded},
		{"default port", "https://api.ltx-2api.com:443", recorded},
		{"old state with a non-canonical endpoint", "", "HTTPS://api.ltx-2api.com:443/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			v := video("a", "", "A lighthouse at dusk", 6, "")
			m := manifest(dir, v)
			opts := Options{Endpoint: tc.flag}
			fresh, _ := Build(context.Background(), m, nil, opts)
			if fresh.Settings.Endpoint != recorded {
				t.Errorf("plan records endpoint %q; want %q", fresh.Settings.Endpoint, recorded)
			}
			c := changeOf(t, fresh, v.Address)
			for _, status := range []state.Status{state.StatusCreated, state.StatusPending} {
				e := &state.Entry{Address: v.Address, InputHash: c.InputHash, Mode: string(c.Mode), Status: status,
					Provider: ltx.DefaultProvider, Endpoint: tc.inState, Output: v.Output, TaskID: "task-1"}
				p, _ := Build(context.Background(), m, stateOf(e), opts)
				got := changeOf(t, p, v.Address)
				if got.Action == ActionCreate || got.Action == ActionReplace {
					t.Errorf("%s entry at %q planned with -endpoint %q: %s (%s); want it polled, not bought again",
						status, tc.inState, tc.flag, got.Action, got.Reason)
				}
			}
		})
	}
}
