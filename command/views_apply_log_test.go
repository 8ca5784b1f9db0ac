package command

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/state"
)

// A run with a failure whose row is wider than any terminal.
func failedRun() *state.Run {
	return &state.Run{
		ID: "20261206T020000Z-abcdef", Counts: map[string]int{"failed": 1, "completed": 1}, ExitCode: 4,
		Results: []state.RunResult{
			{Address: `video.shot["aurora-01-a-rather-long-key"]`, Status: state.ResultFailed, RequestID: "req_0123456789abcdefghij",
				ErrorCode: "CONTENT_POLICY_VIOLATION", ErrorMessage: "the prompt was refused", Attempts: 1, CostEstimated: 24,
				Output: "out/shots/aurora-01-a-rather-long-key.mp4"},
			{Address: "video.hero", Status: state.ResultCompleted, TaskID: "task_0123456789abcdefghij", RequestID: "req_klmnopqrstuvwxyz0123",
				Attempts: 1, CostEstimated: 24, CostConsumed: 24, Output: "out/hero.mp4"},
		},
	}
}

func TestResultsOnATerminalKeepRequestIDAndCodeWhole(t *testing.T) {
	for _, width := range []int{80, 100, 120} {
		var b bytes.Buffer
		v := &applyView{&view{s: &IOStreams{Out: &b, Err: &b, Width: width, OutTerminal: true}}}
		if err := v.Results(failedRun(), nil); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, whole := range []string{"request_id", "error", "req_0123456789abcdefghij", "CONTENT_POLICY_VIOLATION", "req_klmnopqrstuvwxyz0123"} {
			if !strings.Contains(out, whole) {
				t.Errorf("width %d: %q dropped or cut:\n%s", width, whole, out)
			}
		}
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if textWidth(l) > width {
				t.Errorf("width %d: line of %d columns: %q", width, textWidth(l), l)
			}
		}
	}
}

func TestResultsInALogAreOneLinePerRow(t *testing.T) {
	var b bytes.Buffer
	v := &applyView{&view{s: &IOStreams{Out: &b, Err: &b, Width: 0}}}
	if err := v.Results(failedRun(), nil); err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| video\.shot\["aurora-01-a-rather-long-key"\] +\| failed +\| +\| req_0123456789abcdefghij +\| CONTENT_POLICY_VIOLATION +\|`)
	if !row.MatchString(b.String()) {
		t.Errorf("the failed row is not one line with its address, status, request id and code:\n%s", b.String())
	}
}

func TestApplyLogFirstAndLastLinesNameTheRun(t *testing.T) {
	var b bytes.Buffer
	v := &applyView{&view{s: &IOStreams{Out: &b, Err: &b}}}
	at := failedRunTime()
	v.Opening("20261206T020000Z-abcdef", at)
	v.Closing("20261206T020000Z-abcdef", at.Add(90e9), 4, true)
	want := "ltxform apply: run 20261206T020000Z-abcdef started 2026-12-06T02:00:00Z\n" +
		"ltxform apply: run 20261206T020000Z-abcdef ended 2026-12-06T02:01:30Z, exit 4\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func failedRunTime() time.Time {
	return time.Date(2026, 12, 6, 3, 0, 0, 0, time.FixedZone("CET", 3600))
}
