package command

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/state"
)

// hostile is what one teammate's LTXFORM_HOST (or a run's message) can put
// into a shared state: a terminal escape that would repaint the others'
// screens.
const hostile = "cron\x1b[2J\x1b]0;pwned\x07-a\r\nfake line"

// Text from others is printed with the rule for server strings: no control
// characters reach the terminal (issue 18, finding 16).
func TestRunsShowOthersTextSanitised(t *testing.T) {
	at := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	r := &state.Run{ID: "20261125T220000Z-abc123", Started: at, Finished: at.Add(time.Minute), Status: state.RunStopped,
		Host: hostile, Message: "stopped by " + hostile, Counts: map[string]int{}}
	var b bytes.Buffer
	v := &runsView{documentView{view: &view{s: &IOStreams{Out: &b, Err: &b}}}}
	if err := v.List([]*state.Run{r}, nil); err != nil {
		t.Fatal(err)
	}
	if err := v.Show(r, nil); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.ContainsAny(out, "\x1b\x07\r") || !strings.Contains(out, "-a fake line") {
		t.Errorf("runs printed another host's text raw:\n%q", out)
	}
}

func TestLockHolderSanitised(t *testing.T) {
	err := &state.LockedError{Path: "x", Info: &state.LockInfo{ID: "id\x1b[1m", PID: 1, Host: hostile, Operation: "apply\x1b[0m", Created: time.Now()}}
	if msg := err.Error(); strings.ContainsAny(msg, "\x1b\x07\r\n") {
		t.Errorf("lock message prints the holder raw: %q", msg)
	}
}
