package main

import (
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/ltxform/ltxform/sim"
)

// screen is what a terminal shows after receiving some output: the few
// controls the progress bars and the line discipline use (carriage return,
// new line, cursor up, erase below, erase line, colours) applied to a grid,
// so that a test reads the screen a user is left with, not the stream.
type screen struct {
	cols     int
	lines    [][]rune
	row, col int
}

var csiSequence = regexp.MustCompile(`^\x1b\[([0-9;?]*)([A-Za-z])`)

func renderScreen(out string, cols int) []string {
	s := &screen{cols: cols, lines: [][]rune{nil}}
	for i := 0; i < len(out); {
		if m := csiSequence.FindStringSubmatch(out[i:]); m != nil {
			s.control(m[1], m[2])
			i += len(m[0])
			continue
		}
		r, size := []rune(out[i:])[0], 1
		if r >= 0x80 {
			size = len(string(r))
		}
		i += size
		switch r {
		case '\r':
			s.col = 0
		case '\n':
			s.row++
			for len(s.lines) <= s.row {
				s.lines = append(s.lines, nil)
			}
		case '\x1b', '\a', '\b':
		default:
			if s.col >= s.cols { // autowrap
				s.col = 0
				s.row++
				for len(s.lines) <= s.row {
					s.lines = append(s.lines, nil)
				}
			}
			line := s.lines[s.row]
			for len(line) <= s.col {
				line = append(line, ' ')
			}
			line[s.col] = r
			s.lines[s.row] = line
			s.col++
		}
	}
	var shown []string
	for _, l := range s.lines {
		shown = append(shown, strings.TrimRight(string(l), " "))
	}
	return shown
}

func (s *screen) control(arg, cmd string) {
	n, err := strconv.Atoi(arg)
	if err != nil || n == 0 {
		n = 1
	}
	switch cmd {
	case "A":
		s.row = max(s.row-n, 0)
	case "J": // erase from the cursor to the end of the screen
		if arg == "" || arg == "0" {
			if s.col < len(s.lines[s.row]) {
				s.lines[s.row] = s.lines[s.row][:s.col]
			}
			s.lines = s.lines[:s.row+1]
		}
	case "K":
		if s.col < len(s.lines[s.row]) {
			s.lines[s.row] = s.lines[s.row][:s.col]
		}
	}
}

// Ctrl-C while videos are generating, on a terminal: the interrupt is said
// before anything it causes, the live bars leave nothing behind on the
// screen (nor does the terminal's own "^C"), and each video left in flight
// is listed once, in the results, with its task id.
func TestPTYCtrlCDuringApplyListsEachVideoInFlightOnce(t *testing.T) {
	t.Parallel()
	bin := ltxformBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(ptyManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	// Tasks that outlast the test: all four are in flight at the interrupt.
	s := sim.New(sim.Options{Keys: []string{simKey}, Latency: time.Hour})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)

	const cols = 160
	cmd := exec.Command(bin, "apply", "-auto-approve", "-target", "video.good", "-target", "video.season")
	cmd.Dir, cmd.Env = dir, ptyEnv("LTX_API_URL="+srv.URL, "LTX_API_KEY="+simKey)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: cols})
	if err != nil {
		t.Skipf("no pseudo terminal: %v", err)
	}
	defer ptmx.Close()
	out := &syncBuffer{grew: make(chan struct{}, 1)}
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(out, ptmx)
		close(copied)
	}()
	inFlight := []string{`video.good`, `video.season["autumn"]`, `video.season["a_very_long_key_for_the_spring_collection_of_this_year"]`}
	// The run's bar counts what was committed: 32 + 24 + 24 once the
	// three tasks are created.
	out.waitFor(t, "80 credits so far", 60*time.Second)
	if _, err := ptmx.Write([]byte{0x03}); err != nil { // ^C
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("apply did not end after Ctrl-C:\n%s", out.String())
	}
	<-copied

	shown := renderScreen(out.String(), cols)
	whole := strings.Join(shown, "\n")
	interrupt := -1
	for i, l := range shown {
		if strings.Contains(l, "Interrupt received") {
			interrupt = i
			break
		}
	}
	if interrupt < 0 {
		t.Fatalf("no interrupt message on the screen:\n%s", whole)
	}
	bar := regexp.MustCompile(`\] +\d+ %$`)
	// What was written after the interrupt starts its line: no letters of a
	// bar before it.
	startsClean := regexp.MustCompile(`^(Interrupt received|video\.|\| |    )`)
	for i, l := range shown {
		if bar.MatchString(l) || strings.Contains(l, "^C") ||
			(strings.Contains(l, "Interrupt received") || strings.Contains(l, "in flight —")) && !startsClean.MatchString(l) {
			t.Errorf("line %d is left over from the progress bars or the terminal's echo: %q\n%s", i+1, l, whole)
		}
		if strings.Contains(l, "in flight") && i < interrupt {
			t.Errorf("line %d lists a video in flight before the interrupt message: %q\n%s", i+1, l, whole)
		}
	}
	for _, addr := range inFlight {
		var listed []string
		for _, l := range shown {
			if strings.HasPrefix(l, addr+" ") || strings.HasPrefix(l, addr+":") {
				listed = append(listed, l)
			}
		}
		if len(listed) != 1 || !strings.Contains(listed[0], "in flight") || !strings.Contains(listed[0], "task_") {
			t.Errorf("%s is listed %d times after Ctrl-C, want once, in flight, with its task id:\n%s\n--- screen ---\n%s",
				addr, len(listed), strings.Join(listed, "\n"), whole)
		}
	}
	// The results table has a row for each (the long address is wrapped).
	if rows := regexp.MustCompile(`(?m)^\| video\.(good|season\[) .*\| in flight +\|`).FindAllString(whole, -1); len(rows) != len(inFlight) {
		t.Errorf("%d in-flight rows in the results, want %d:\n%s", len(rows), len(inFlight), whole)
	}
	if !strings.Contains(whole, "Apply interrupted: 3 in flight") {
		t.Errorf("no summary of the interrupted run:\n%s", whole)
	}
}
