package plan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

func TestBuildDecidesEachChangeKind(t *testing.T) {
	tests := []struct {
		name       string
		prior      func(t *testing.T, dir string, v *config.Video) *state.Entry // nil: no state entry
		replace    []string
		trustKey   bool // api { idempotency_key = true }
		wantAction Action
		wantReason string
		wantCost   float64
	}{
		{
			name:       "new address is created",
			wantAction: ActionCreate, wantReason: "new video", wantCost: 10 * 16,
		},
		{
			name: "changed duration is replaced, naming both values",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				old := *v
				old.Duration = 8
				return entry(&old, state.StatusDownloaded)
			},
			wantAction: ActionReplace, wantReason: "duration 8 → 10", wantCost: 160,
		},
		{
			name: "changed prompt is replaced as a request change",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				old := *v
				old.Prompt = "an older prompt"
				return entry(&old, state.StatusDownloaded)
			},
			wantAction: ActionReplace, wantReason: "request changed", wantCost: 160,
		},
		{
			name: "added image_url is replaced as a mode change",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				e.InputHash, e.Mode = "0123", "i2v"
				return e
			},
			wantAction: ActionReplace, wantReason: "image removed", wantCost: 160,
		},
		{
			name: "-replace forces an unchanged video",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				writeOutput(t, dir, v, e, "video bytes")
				return e
			},
			replace:    []string{"video.hero"},
			wantAction: ActionReplace, wantReason: "-replace", wantCost: 160,
		},
		{
			name: "pending is resumed and counted, since it may never have been charged",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				return entry(v, state.StatusPending)
			},
			trustKey:   true,
			wantAction: ActionResume, wantReason: "re-sent with its Idempotency-Key, may be charged", wantCost: 160,
		},
		{
			name: "created is resumed by polling, already paid for",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusCreated)
				e.TaskID = "task_42"
				return e
			},
			wantAction: ActionResume, wantReason: "task task_42 in flight: polled, already paid for", wantCost: 0,
		},
		{
			name: "completed is downloaded",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				return entry(v, state.StatusCompleted)
			},
			wantAction: ActionDownload, wantReason: "not downloaded yet",
		},
		{
			name: "downloaded with an intact file is a no-op",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				writeOutput(t, dir, v, e, "video bytes")
				return e
			},
			wantAction: ActionNoOp,
		},
		{
			name: "downloaded with the file missing is downloaded again",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				e.SHA256, e.Bytes = strings.Repeat("ab", 32), 11
				return e
			},
			wantAction: ActionDownload, wantReason: "output file out/hero.mp4 missing",
		},
		{
			name: "downloaded with the same size but other bytes was changed by hand and is left",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				writeOutput(t, dir, v, e, "video bytes")
				writeOutput(t, dir, v, &state.Entry{}, "VIDEO BYTES") // altered in place
				return e
			},
			wantAction: ActionAltered, wantReason: "its sha256 differs from the downloaded file's",
		},
		{
			name: "downloaded and untouched since (same size and time) is a no-op without hashing",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				writeOutput(t, dir, v, e, "video bytes")
				e.OutputModTime = modTime(t, dir, v)
				e.SHA256 = "not even looked at"
				return e
			},
			wantAction: ActionNoOp, wantReason: "out/hero.mp4 unchanged since it was downloaded",
		},
		{
			name: "altered in place to the same size, with a new time, is hashed and left as it is",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				writeOutput(t, dir, v, e, "video bytes")
				e.OutputModTime = modTime(t, dir, v)
				writeOutput(t, dir, v, &state.Entry{}, "VIDEO BYTES")
				later := e.OutputModTime.Add(time.Second)
				if err := os.Chtimes(filepath.Join(dir, v.Output), later, later); err != nil {
					t.Fatal(err)
				}
				return e
			},
			wantAction: ActionAltered, wantReason: "left as it is. -replace video.hero makes the video again",
		},
		{
			name: "downloaded with another size was changed by hand, told without hashing",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				writeOutput(t, dir, v, e, "video bytes")
				e.SHA256 = "not even looked at"
				e.Bytes = 5000
				return e
			},
			wantAction: ActionAltered, wantReason: "out/hero.mp4 was changed since it was downloaded (11 bytes, the state says 5000)",
		},
		{
			name: "downloaded to an output that moved is downloaded to the new place",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusDownloaded)
				e.Output = "old/hero.mp4"
				return e
			},
			wantAction: ActionDownload, wantReason: "output moved from old/hero.mp4 to out/hero.mp4",
		},
		{
			name: "failed is retried at full price",
			prior: func(t *testing.T, dir string, v *config.Video) *state.Entry {
				e := entry(v, state.StatusFailed)
				e.ErrorCode = "GENERATION_FAILED"
				return e
			},
			wantAction: ActionRetry, wantReason: "GENERATION_FAILED", wantCost: 160,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			v := video("hero", "", "A lighthouse at dusk", 10, "4K")
			st := stateOf()
			if tt.prior != nil {
				e := tt.prior(t, dir, v)
				st.Entries[e.Address] = e
			}
			m := manifest(dir, v)
			if tt.trustKey {
				m.API.IdempotencyKey = &tt.trustKey
			}
			p, diags := Build(context.Background(), m, st, Options{Replace: tt.replace})
			if diags.HasErrors() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			c := changeOf(t, p, "video.hero")
			if c.Action != tt.wantAction {
				t.Errorf("action = %s, want %s (reason %q)", c.Action, tt.wantAction, c.Reason)
			}
			if !strings.Contains(c.Reason, tt.wantReason) {
				t.Errorf("reason = %q, want it to contain %q", c.Reason, tt.wantReason)
			}
			if c.Cost != tt.wantCost {
				t.Errorf("credits = %v, want %v", c.Cost, tt.wantCost)
			}
			if p.Totals.Cost != tt.wantCost {
				t.Errorf("total credits = %v, want %v", p.Totals.Cost, tt.wantCost)
			}
		})
	}
}

func TestBuildForgetsAddressesGoneFromTheManifest(t *testing.T) {
	dir := t.TempDir()
	kept := video("kept", "", "kept prompt", 6, "1080p")
	gone := video("gone", "", "gone prompt", 6, "1080p")
	e := entry(gone, state.StatusDownloaded)
	e.CostConsumed = 24
	p, diags := Build(context.Background(), manifest(dir, kept), stateOf(e), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := changeOf(t, p, "video.gone")
	if c.Action != ActionForget || c.Cost != 0 || c.Output != "out/gone.mp4" {
		t.Errorf("gone video: %+v, want a free forget keeping its output", c)
	}
	if got := []string{p.Changes[0].Address, p.Changes[1].Address}; got[0] != "video.gone" || got[1] != "video.kept" {
		t.Errorf("changes not sorted by address: %v", got)
	}
	if p.Totals.Forget != 1 || p.Totals.Create != 1 || p.Totals.Consumed != 24 {
		t.Errorf("totals = %+v, want 1 forget, 1 create, 24 consumed", p.Totals)
	}
}

func TestBuildTargetsOnlyTheNamedAddresses(t *testing.T) {
	dir := t.TempDir()
	a := video("shot", "a", "shot a", 6, "1080p")
	b := video("shot", "b", "shot b", 6, "1080p")
	hero := video("hero", "", "hero", 6, "4K")
	gone := entry(video("gone", "", "gone", 6, "1080p"), state.StatusDownloaded)
	m := manifest(dir, hero, a, b)

	tests := []struct {
		name    string
		targets []string
		want    []string
		wantErr string
	}{
		{name: "a block address selects all its instances", targets: []string{"video.shot"}, want: []string{`video.shot["a"]`, `video.shot["b"]`}},
		{name: "an instance address selects only it", targets: []string{`video.shot["b"]`}, want: []string{`video.shot["b"]`}},
		{name: "a gone address can be targeted to forget it", targets: []string{"video.gone"}, want: []string{"video.gone"}},
		{name: "a prefix of another name selects nothing", targets: []string{"video.sh"}, want: nil, wantErr: "-target video.sh matches no video"},
		{name: "no target plans everything", want: []string{"video.gone", "video.hero", `video.shot["a"]`, `video.shot["b"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := Build(context.Background(), m, stateOf(gone), Options{Targets: tt.targets})
			var got []string
			for _, c := range p.Changes {
				got = append(got, c.Address)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("changes = %v, want %v", got, tt.want)
			}
			errs := errorsOf(diags)
			switch {
			case tt.wantErr == "" && len(errs) > 0:
				t.Errorf("unexpected errors: %v", errs)
			case tt.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0].Summary, tt.wantErr)):
				t.Errorf("errors = %v, want one containing %q", errs, tt.wantErr)
			}
		})
	}
}

func TestBuildRefusesReplaceOfAnUnknownAddress(t *testing.T) {
	p, diags := Build(context.Background(), manifest(t.TempDir(), video("hero", "", "hero", 6, "4K")), nil, Options{Replace: []string{"video.villain"}})
	errs := errorsOf(diags)
	if len(errs) != 1 || !strings.Contains(errs[0].Summary, "-replace video.villain matches no video") {
		t.Fatalf("errors = %v, want one naming -replace video.villain", errs)
	}
	if p == nil || len(p.Changes) != 1 {
		t.Errorf("the plan should still be built to be shown: %+v", p)
	}
}

func TestBuildTotalsByResolution(t *testing.T) {
	dir := t.TempDir()
	videos := []*config.Video{
		video("a", "", "a", 6, "1080p"),  // 6 × 4 = 24
		video("b", "", "b", 10, "1080p"), // 10 × 4 = 40
		video("c", "", "c", 8, "1440p"),  // 8 × 8 = 64
		video("d", "", "d", 20, "4K"),    // 20 × 16 = 320
	}
	created := entry(videos[2], state.StatusCreated) // already paid for: 0
	p, _ := Build(context.Background(), manifest(dir, videos...), stateOf(created), Options{})
	want := map[string]float64{"1080p": 64, "4K": 320}
	if len(p.Totals.ByResolution) != len(want) {
		t.Errorf("by resolution = %v, want %v", p.Totals.ByResolution, want)
	}
	for r, v := range want {
		if p.Totals.ByResolution[r] != v {
			t.Errorf("by resolution = %v, want %v", p.Totals.ByResolution, want)
		}
	}
	if p.Totals.Cost != 384 || p.Totals.Create != 3 || p.Totals.Resume != 1 {
		t.Errorf("totals = %+v, want 384 credits, 3 creates, 1 resume", p.Totals)
	}
}

func TestBuildPricingBlockOverridesEntries(t *testing.T) {
	m := manifest(t.TempDir(), video("a", "", "a", 8, "1080p"), video("b", "", "b", 8, "4K"))
	m.Pricing = map[string]float64{"1080p": 5.5}
	p, _ := Build(context.Background(), m, nil, Options{})
	if got := changeOf(t, p, "video.a").Cost; got != 44 { // 8 s × 5.5
		t.Errorf("overridden 1080p estimate = %v, want 44", got)
	}
	if got := changeOf(t, p, "video.b").Cost; got != 128 { // 8 s × 16, built-in
		t.Errorf("built-in 4K estimate = %v, want 128", got)
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	var videos []*config.Video
	var entries []*state.Entry
	for _, k := range []string{"e", "a", "d", "c", "b", "f", "g"} {
		v := video("shot", k, "prompt "+k, 7, "1440p")
		videos = append(videos, v)
		e := entry(v, state.StatusFailed)
		e.CostConsumed = 0.1 // sums of tenths show float order effects
		entries = append(entries, e)
	}
	first, _ := Build(context.Background(), manifest(dir, videos...), stateOf(entries...), Options{})
	want, _ := json.Marshal(first)
	for range 20 {
		p, _ := Build(context.Background(), manifest(dir, videos...), stateOf(entries...), Options{})
		got, _ := json.Marshal(p)
		if string(got) != string(want) {
			t.Fatalf("plans differ between runs:\n%s\n%s", got, want)
		}
	}
}

func TestBuildReadsOutputsUnderTheManifestDir(t *testing.T) {
	dir := t.TempDir()
	v := video("hero", "", "hero", 6, "4K")
	e := entry(v, state.StatusDownloaded)
	writeOutput(t, dir, v, e, "bytes")
	// Run from elsewhere: the output path is relative to the manifest, not the process.
	t.Chdir(t.TempDir())
	p, _ := Build(context.Background(), manifest(dir, v), stateOf(e), Options{})
	if c := changeOf(t, p, "video.hero"); c.Action != ActionNoOp {
		t.Errorf("action = %s (%s), want no-op", c.Action, c.Reason)
	}
}
