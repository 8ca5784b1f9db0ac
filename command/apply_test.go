package command

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxform/ltxform/executor"
	"github.com/ltxform/ltxform/state"
)

// cancelOnWrite is a stdout that cancels the run when a line it waits for
// appears, the way a user presses Ctrl-C on seeing it.
type cancelOnWrite struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	needle string
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.needle) {
		w.cancel()
	}
	return len(p), nil
}

func (w *cancelOnWrite) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestApplyInterruptedStillPrintsTheTableAndKeepsTasks(t *testing.T) {
	dir := t.TempDir()
	manifest := `
api {
  requests_per_minute = 6000
}
video "one" {
  prompt   = "A slow dolly shot down a corridor"
  duration = 6
}
video "two" {
  prompt   = "A slow pan across a harbour"
  duration = 6
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &cancelOnWrite{needle: " created task_", cancel: cancel}
	var stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil }}

	err := Run(ctx, env, []string{"apply", "-simulate", "-auto-approve", dir})
	if !errors.Is(err, ErrReported) {
		t.Fatalf("err = %v, want exit 1 after reporting", err)
	}
	out := stdout.String()
	if !strings.Contains(out, "| address") || !strings.Contains(out, "Apply interrupted:") {
		t.Fatalf("no results table after the interrupt:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted: %s", stderr.String())
	}
	// Whatever was created is in the state, to be resumed, and the run is recorded.
	st, lerr := state.NewLocalStore(dir).Load(context.Background())
	if lerr != nil {
		t.Fatal(lerr)
	}
	created := 0
	for _, e := range st.Entries {
		if e.Status == state.StatusCreated && e.TaskID != "" {
			created++
		}
	}
	if created == 0 {
		t.Errorf("no created task kept in the state: %+v", st.Entries)
	}
	runs, rerr := state.ListRuns(dir)
	if rerr != nil || len(runs) != 1 || runs[0].ExitCode != 1 || len(runs[0].Results) != 2 {
		t.Errorf("run record %+v (%v), want one with both rows and exit code 1", runs, rerr)
	}
}

func TestTextProgressIsOneLinePerEvent(t *testing.T) {
	var b bytes.Buffer
	p := newTextProgress(testView(&b, false), newRunStats(nil, 1, time.Now), false)
	// In the log's time zone of choice (here +2), stamped in UTC with its date.
	at := time.Date(2026, 11, 25, 14, 0, 1, 0, time.FixedZone("EET", 2*3600))
	p.Event(executor.Event{Time: at, Kind: executor.EventCreated, Address: "video.hero", TaskID: "task_abc", RequestID: "req_123", Attempt: 1})
	p.Event(executor.Event{Time: at, Kind: executor.EventStart, Total: 3})
	p.Event(executor.Event{Time: at, Kind: executor.EventFailed, Address: "video.bad", ErrorCode: "CONTENT_POLICY_VIOLATION", Message: "refused", RequestID: "req_9"})
	want := "2026-11-25T12:00:01Z video.hero created task_abc (req_123)\n" +
		"2026-11-25T12:00:01Z video.bad failed CONTENT_POLICY_VIOLATION: refused (req_9)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestJSONLinesProgressCarriesTheFormatVersion(t *testing.T) {
	var b bytes.Buffer
	p := &jsonLinesProgress{v: testView(&b, true)}
	p.Event(executor.Event{Kind: executor.EventStart, Total: 2})
	p.Event(executor.Event{Kind: executor.EventCreated, Address: "video.a", TaskID: "task_1"})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if v["format_version"] != uiFormatVersion || v["type"] != "event" || v["kind"] == nil {
			t.Errorf("line %s lacks format_version, type or kind", l)
		}
	}
}

func TestBarProgressEndsCleanlyWithVideosInFlight(t *testing.T) {
	var b bytes.Buffer
	p := newBarProgress(testView(&b, false), newRunStats(nil, 1, time.Now))
	half := 50.0
	p.Event(executor.Event{Kind: executor.EventStart, Total: 3})
	p.Event(executor.Event{Kind: executor.EventCreated, Address: "video.a"})
	p.Event(executor.Event{Kind: executor.EventProgress, Address: "video.a", Progress: &half})
	p.Event(executor.Event{Kind: executor.EventCreated, Address: "video.b"})
	p.Event(executor.Event{Kind: executor.EventDownloaded, Address: "video.b"})
	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return with a video still in flight")
	}
	p.Event(executor.Event{Kind: executor.EventFailed, Address: "video.a"}) // after Close: ignored, no panic
}

func TestRunRecordExitCodeAndCreditWarnings(t *testing.T) {
	rows := []executor.Result{
		{Address: "video.a", Status: state.ResultCompleted, CostEstimated: 100, CostConsumed: 130},
		{Address: "video.b", Status: state.ResultUnchanged},
		{Address: "video.c", Status: state.ResultCompleted, CostEstimated: 50, CostConsumed: 52},
	}
	run := newRunRecord(time.Now(), time.Now(), rows, nil)
	if run.ExitCode != 0 || run.Counts["completed"] != 2 || run.CostConsumed != 182 {
		t.Errorf("record %+v", run)
	}
	warnings := creditWarnings(run)
	if len(warnings) != 2 || !strings.Contains(warnings[0], "video.a consumed 130 credits, estimated 100") || !strings.Contains(warnings[1], "the videos that ran consumed 182 credits, estimated 150") {
		t.Errorf("warnings %q, want video.a's and the run's, not video.c's 4%%", warnings)
	}
	if got := resultSummary(run, nil); got != "Apply complete: 2 completed, 1 unchanged; 150 credits estimated, 182 consumed." {
		t.Errorf("summary %q", got)
	}
	rows = append(rows, executor.Result{Address: "video.d", Status: state.ResultSkipped, CostEstimated: 500})
	run = newRunRecord(time.Now(), time.Now(), rows, nil)
	if run.ExitCode != ExitSomeVideosFailed {
		t.Errorf("exit code %d; a skipped video must make it %d (the run finished, not everything was made)", run.ExitCode, ExitSomeVideosFailed)
	}
	if w := creditWarnings(run); len(w) != 2 || !strings.Contains(w[1], "estimated 150") {
		t.Errorf("a skipped video's estimate counted against what ran: %q", w)
	}
}

func TestApplyAsksOnATerminalAndOnlyYesProceeds(t *testing.T) {
	for _, tc := range []struct {
		answer   string
		wantErr  bool
		wantFile bool
	}{
		{"yes\n", false, true},
		{"y\n", true, false},
		{"", true, false},
	} {
		dir := t.TempDir()
		manifest := "api {\n  requests_per_minute = 6000\n}\nvideo \"one\" {\n  prompt   = \"A red door\"\n  duration = 6\n}\n"
		if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		env := &Env{Stdin: strings.NewReader(tc.answer), Stdout: &stdout, Stderr: &stderr, StdinIsTerminal: true,
			Getenv: func(string) string { return "" }, Environ: func() []string { return nil }}
		err := Run(context.Background(), env, []string{"apply", "-simulate", dir})
		if (err != nil) != tc.wantErr {
			t.Errorf("answer %q: err = %v", tc.answer, err)
		}
		if !strings.Contains(stdout.String(), approvalPrompt) {
			t.Errorf("answer %q: the question was not asked:\n%s", tc.answer, stdout.String())
		}
		_, statErr := os.Stat(filepath.Join(dir, "out", "one.mp4"))
		if (statErr == nil) != tc.wantFile {
			t.Errorf("answer %q: output exists = %v, want %v", tc.answer, statErr == nil, tc.wantFile)
		}
		if tc.wantErr && !strings.Contains(stderr.String(), "Apply cancelled: nothing was sent.") {
			t.Errorf("answer %q: stderr %q", tc.answer, stderr.String())
		}
	}
}
