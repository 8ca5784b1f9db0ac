package command

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/plan"
)

// testView is a view on w without a terminal: no colour, 80 columns.
func testView(w io.Writer, jsonOut bool) *view {
	return &view{s: &IOStreams{Out: w, Err: w, Width: defaultWidth}, json: jsonOut}
}

func TestColourIsDecidedPerStream(t *testing.T) {
	env := func(out, err bool, vars map[string]string) *Env {
		return &Env{StdoutIsTerminal: out, StderrIsTerminal: err, Getenv: func(k string) string { return vars[k] }}
	}
	for _, tc := range []struct {
		name             string
		env              *Env
		wantOut, wantErr bool
	}{
		{"both terminals", env(true, true, nil), true, true},
		{"stderr to a file", env(true, false, nil), true, false},
		{"stdout to a file", env(false, true, nil), false, true},
		{"NO_COLOR", env(true, true, map[string]string{"NO_COLOR": "1"}), false, false},
		{"TERM=dumb", env(true, true, map[string]string{"TERM": "dumb"}), false, false},
		{"-no-color", withoutColor(env(true, true, nil)), false, false},
	} {
		s := newIOStreams(tc.env)
		if s.OutColor != tc.wantOut || s.ErrColor != tc.wantErr {
			t.Errorf("%s: colour on stdout %v, stderr %v; want %v, %v", tc.name, s.OutColor, s.ErrColor, tc.wantOut, tc.wantErr)
		}
	}
}

func TestWidthComesFromColumnsThenTheTerminalElseNoWrapping(t *testing.T) {
	vars := map[string]string{}
	e := &Env{Width: 132, Getenv: func(k string) string { return vars[k] }}
	if w := terminalWidth(e); w != 132 {
		t.Errorf("terminal width %d, want 132", w)
	}
	vars["COLUMNS"] = "100"
	if w := terminalWidth(e); w != 100 {
		t.Errorf("COLUMNS=100 gave %d", w)
	}
	if w := terminalWidth(&Env{StdoutIsTerminal: true, Getenv: func(string) string { return "" }}); w != 80 {
		t.Errorf("a terminal that does not say its width gave %d, want 80", w)
	}
	if w := terminalWidth(&Env{Getenv: func(string) string { return "" }}); w != 0 {
		t.Errorf("stdout not a terminal gave width %d, want 0 (nothing wrapped)", w)
	}
}

func TestTableFitsByDroppingThenWrapping(t *testing.T) {
	tbl := &table{
		Columns: []tableColumn{{Header: "address", Wrap: 10}, {Header: "status"}, {Header: "task_id", Drop: 2}, {Header: "output", Drop: 1, Wrap: 10}},
		Rows: [][]string{
			{`video.season["a_long_key_for_spring"]`, "failed", "task_0123456789abcdef", "out/seasons/a_long_key_for_spring.mp4"},
			{"video.hero", "completed", "task_1", "out/hero.mp4"},
		},
	}
	var whole bytes.Buffer
	if err := tbl.render(&whole); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(whole.String(), "task_0123456789abcdef") || strings.Count(whole.String(), "\n") != 6 {
		t.Fatalf("without a width every cell is whole, one line per row:\n%s", whole.String())
	}
	for _, width := range []int{40, 60, 90} {
		tbl.Width = width
		var b bytes.Buffer
		if err := tbl.render(&b); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if textWidth(l) > width {
				t.Errorf("width %d: line of %d columns: %q\n%s", width, textWidth(l), l, b.String())
			}
		}
		if !strings.Contains(b.String(), "| status") || !strings.Contains(b.String(), "failed") {
			t.Errorf("width %d: a column that is never dropped is gone:\n%s", width, b.String())
		}
		if width == 40 && strings.Contains(b.String(), "task_id") {
			t.Errorf("width 40: task_id (dropped first) is still there:\n%s", b.String())
		}
	}
}

func TestWrapLineBreaksAtSpacesThenAtPunctuationThenInsideWords(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"video.hero: CONTENT_POLICY_VIOLATION: refused", 20, []string{"video.hero:", "  CONTENT_POLICY_", "  VIOLATION: refused"}},
		// A path and an address break after their punctuation, not mid-name.
		{"out/season/autumn.mp4", 16, []string{"out/season/", "  autumn.mp4"}},
		{"out/season/autumn.mp4", 20, []string{"out/season/", "  autumn.mp4"}},
		{"CONTENT_POLICY_VIOLATION", 20, []string{"CONTENT_POLICY_", "  VIOLATION"}},
		{`video.season["autumn"]`, 19, []string{`video.season[`, `  "autumn"]`}},
		// No space or mark that fits: inside the word.
		{"ABCDEFGHIJKLMNOP", 10, []string{"ABCDEFGHIJ", "  KLMNOP"}},
	} {
		got := wrapLine(tc.in, tc.width, "  ")
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrapLine(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestRunStatsCountFailuresApartAndEstimateTheRest(t *testing.T) {
	p := &plan.Plan{Settings: plan.Settings{Unit: "credits"}}
	for _, a := range []string{"video.a", "video.b", "video.c", "video.d", "video.e"} {
		p.Changes = append(p.Changes, plan.Change{Address: a, Action: plan.ActionCreate, Cost: 10})
	}
	p.Changes = append(p.Changes, plan.Change{Address: "video.same", Action: plan.ActionNoOp})
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := t0
	s := newRunStats(p, 2, func() time.Time { return now })
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	for _, e := range []executor.Event{
		{Time: at(0), Kind: executor.EventCreated, Address: "video.a"},
		{Time: at(0), Kind: executor.EventCreated, Address: "video.b"},
		{Time: at(60), Kind: executor.EventDownloaded, Address: "video.a"},
		{Time: at(61), Kind: executor.EventFailed, Address: "video.b"},
	} {
		s.observe(e)
	}
	now = at(72)
	// 2 of 5 settled; 3 left, 2 at a time, 60 s each: 2 waves, 2m.
	want := "1/5 done · 1 failed · 1m12s elapsed · ETA 2m00s · 20 credits so far"
	if got := s.summary(); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestTextProgressSaysStillGeneratingOnPlainOutput(t *testing.T) {
	var b bytes.Buffer
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	stats := newRunStats(nil, 1, func() time.Time { return t0 })
	p := newTextProgress(testView(&b, false), stats, false)
	p.Event(executor.Event{Time: t0, Kind: executor.EventCreated, Address: "video.hero", TaskID: "task_1"})
	for _, sec := range []int{5, 10, 12, 20, 65, 90, 125} {
		p.tick(t0.Add(time.Duration(sec) * time.Second))
	}
	p.Event(executor.Event{Time: t0.Add(130 * time.Second), Kind: executor.EventDownloaded, Address: "video.hero", Output: "out/hero.mp4"})
	p.tick(t0.Add(140 * time.Second))
	out := b.String()
	for _, want := range []string{
		"2026-01-01T12:00:10Z video.hero: Still generating… [10s elapsed]\n",
		"2026-01-01T12:00:20Z video.hero: Still generating… [20s elapsed]\n",
		"2026-01-01T12:01:05Z video.hero: Still generating… [1m00s elapsed]\n",
		"2026-01-01T12:02:05Z video.hero: Still generating… [2m00s elapsed]\n",
		"2026-01-01T12:02:10Z video.hero downloaded to out/hero.mp4 after 2m10s\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Still generating"); n != 4 {
		t.Errorf("%d Still generating lines, want 4 (10s, 20s, 1m, 2m; none after the download):\n%s", n, out)
	}
}

func TestApplyJSONWithAManifestErrorWritesOnlyEnvelopeLines(t *testing.T) {
	dir := t.TempDir()
	manifest := "video \"long\" {\n  prompt   = \"A lighthouse\"\n  duration = 21\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil }}
	if err := Run(context.Background(), env, []string{"apply", "-auto-approve", "-json", dir}); err == nil {
		t.Fatal("apply of a bad manifest succeeded")
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr under -json: %q", stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	var types []string
	for _, l := range lines {
		var v struct {
			FormatVersion string `json:"format_version"`
			Type          string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil || v.FormatVersion != uiFormatVersion {
			t.Fatalf("line %q is not a JSON line of the envelope (%v)", l, err)
		}
		types = append(types, v.Type)
	}
	if strings.Join(types, ",") != "diagnostic,error" {
		t.Errorf("line types %v, want a diagnostic then the final error", types)
	}
}
