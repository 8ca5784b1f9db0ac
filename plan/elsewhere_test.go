package plan

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// A video downloaded by another host of a shared state is fetched here
// while the provider serves it, and otherwise left alone as elsewhere: it
// is never bought again unasked.
func TestVideoDownloadedByAnotherHost(t *testing.T) {
	now := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, provider string
		age            time.Duration
		want           Action
		reason         string
	}{
		{"kept forever", ltx.DefaultProvider, 90 * 24 * time.Hour, ActionDownload, "downloaded by host cron-a; fetched here too"},
		{"within retention", "lightricks", time.Hour, ActionDownload, "downloaded by host cron-a; fetched here too while lightricks still serves it"},
		{"past retention", "lightricks", 25 * time.Hour, ActionElsewhere, "made by host cron-a, whose disk has out/a.mp4; lightricks no longer serves it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			v := video("a", "", "A lighthouse at dusk", 6, "")
			m := manifest(dir, v)
			m.API.Provider = tc.provider
			opts := Options{Now: func() time.Time { return now }, Host: "laptop"}
			fresh, _ := Build(context.Background(), m, nil, opts)
			c := changeOf(t, fresh, v.Address)
			e := &state.Entry{
				Address: v.Address, InputHash: c.InputHash, Mode: string(c.Mode), Status: state.StatusDownloaded,
				Provider: tc.provider, Endpoint: fresh.Settings.Endpoint, Output: v.Output, SHA256: "ab12", Bytes: 100,
				TaskID: "task-1", VideoURL: "https://cdn.example/a.mp4", CreatedAt: now.Add(-tc.age), CompletedAt: now.Add(-tc.age),
				Host: "cron-a",
			}
			p, _ := Build(context.Background(), m, stateOf(e), opts)
			got := changeOf(t, p, v.Address)
			if got.Action != tc.want || !strings.Contains(got.Reason, tc.reason) {
				t.Fatalf("plan on another host: %s (%s); want %s (%s)", got.Action, got.Reason, tc.want, tc.reason)
			}
			if got.Cost != 0 {
				t.Errorf("%s costs %v; want nothing bought", got.Action, got.Cost)
			}
			if tc.want == ActionElsewhere {
				if p.HasChanges() || p.Totals.Elsewhere != 1 || !strings.Contains(got.Reason, "-replace video.a") {
					t.Errorf("elsewhere: HasChanges %v, totals %+v, reason %q", p.HasChanges(), p.Totals, got.Reason)
				}
				// -replace buys it again, knowingly.
				ropts := opts
				ropts.Replace = []string{v.Address}
				if rp, _ := Build(context.Background(), m, stateOf(e), ropts); changeOf(t, rp, v.Address).Action != ActionReplace {
					t.Errorf("-replace of a video elsewhere: %s", changeOf(t, rp, v.Address).Action)
				}
			}
			// On the host that downloaded it, a missing file is downloaded
			// again as before.
			opts.Host = "cron-a"
			if p, _ := Build(context.Background(), m, stateOf(e), opts); changeOf(t, p, v.Address).Action != ActionDownload {
				t.Errorf("on its own host: %s", changeOf(t, p, v.Address).Action)
			}
		})
	}
}

// Another host's name comes from a shared state: the plan's reason prints
// it without its terminal escapes (issue 18, finding 16).
func TestOtherHostNameIsSanitisedInTheReason(t *testing.T) {
	dir := t.TempDir()
	v := video("a", "", "A lighthouse at dusk", 6, "")
	m := manifest(dir, v)
	fresh, _ := Build(context.Background(), m, nil, Options{Host: "laptop"})
	c := changeOf(t, fresh, v.Address)
	e := &state.Entry{Address: v.Address, InputHash: c.InputHash, Mode: string(c.Mode), Status: state.StatusDownloaded,
		Endpoint: fresh.Settings.Endpoint, Output: v.Output, SHA256: "ab12", Bytes: 100, TaskID: "task-1",
		VideoURL: "https://cdn.example/a.mp4", Host: "cron\x1b]0;pwned\x07-a"}
	p, _ := Build(context.Background(), m, stateOf(e), Options{Host: "laptop"})
	if got := changeOf(t, p, v.Address); strings.ContainsAny(got.Reason, "\x1b\x07") || !strings.Contains(got.Reason, "-a") {
		t.Errorf("reason prints the other host raw: %q", got.Reason)
	}
}
