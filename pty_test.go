package main

import (
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/mattn/go-runewidth"

	"github.com/ltxform/ltxform/command"
	"github.com/ltxform/ltxform/sim"
)

// The tests in this file run the real binary with its stdout on a pseudo
// terminal of a given size, as a user sees it: the colour and width
// decisions are made from the process's own streams.

// ltxformBinary is the command as testscript.Main installed it on PATH:
// this test binary, race-instrumented under -race, and no second build.
func ltxformBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no pseudo terminals on Windows")
	}
	bin, err := exec.LookPath("ltxform")
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// ptyEnv is the environment of a command on a terminal: colour allowed, no
// COLUMNS, so that the terminal's own size decides.
func ptyEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "NO_COLOR", "COLUMNS", "LINES", "TERM", "LTX_API_URL", "LTX_API_KEY", "LTXV_API_KEY":
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "TERM=xterm-256color"), extra...)
}

// runOnPTY runs the binary in dir with stdout and stderr (unless the caller
// set cmd.Stderr) on a terminal of cols columns, and returns what the
// terminal received.
func runOnPTY(t *testing.T, cmd *exec.Cmd, cols int) string {
	t.Helper()
	stderr := cmd.Stderr
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 60, Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if stderr != nil {
		cmd.Stderr = stderr
	}
	if err := cmd.Start(); err != nil {
		tty.Close()
		t.Fatal(err)
	}
	tty.Close() // the child holds it now; the master reads EIO once it exits
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&out, ptmx)
		close(copied)
	}()
	_ = cmd.Wait() // the exit status is the caller's business; the output is ours
	select {
	case <-copied:
	case <-time.After(30 * time.Second):
		t.Fatal("the terminal's output did not end after the process exited")
	}
	return out.String()
}

var ansiSequence = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// visibleLines is what the terminal shows, line by line: escape sequences
// removed, and of a line redrawn in place (\r) each drawing on its own.
func visibleLines(s string) []string {
	var lines []string
	for _, l := range strings.Split(ansiSequence.ReplaceAllString(s, ""), "\n") {
		for _, seg := range strings.Split(strings.TrimSuffix(l, "\r"), "\r") {
			lines = append(lines, seg)
		}
	}
	return lines
}

func assertFits(t *testing.T, what, out string, cols int) {
	t.Helper()
	for _, l := range visibleLines(out) {
		if w := runewidth.StringWidth(l); w > cols {
			t.Errorf("%s at %d columns: a line of %d columns:\n%s\n--- whole output ---\n%s", what, cols, w, l, out)
			return
		}
	}
}

const ptyManifest = `
api {
  requests_per_minute = 6000
  parallelism         = 4
}

video "bad" {
  prompt   = "A forbidden shot of a harbour at dawn"
  duration = 6
}

video "good" {
  prompt   = "A lighthouse at dusk, waves breaking on the rocks below, gulls circling"
  duration = 8
}

video "season" {
  for_each = toset(["a_very_long_key_for_the_spring_collection_of_this_year", "autumn"])
  prompt   = "The same street in ${each.key}, people passing under the trees"
  duration = 6
  output   = "out/seasons/with/a/deep/directory/${each.key}.mp4"
}
`

// startSim serves a simulator that refuses "forbidden" prompts.
func startSim(t *testing.T) string {
	t.Helper()
	opts, err := command.SimOptionsFromArgs([]string{"-rule", "forbidden:content_policy"})
	if err != nil {
		t.Fatal(err)
	}
	opts.Keys = []string{simKey}
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPTYPlanAndResultsFitTheTerminalAndFailuresAreRed(t *testing.T) {
	t.Parallel()
	bin := ltxformBinary(t)
	for _, cols := range []int{80, 160} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(ptyManifest), 0o644); err != nil {
			t.Fatal(err)
		}
		env := ptyEnv("LTX_API_URL="+startSim(t), "LTX_API_KEY="+simKey)

		plan := exec.Command(bin, "plan")
		plan.Dir, plan.Env = dir, env
		out := runOnPTY(t, plan, cols)
		if visible := ansiSequence.ReplaceAllString(out, ""); !strings.Contains(visible, "video.bad") || !strings.Contains(visible, "Plan: 4 to create") {
			t.Fatalf("plan at %d columns shows no plan:\n%s", cols, out)
		}
		assertFits(t, "plan", out, cols)
		if !strings.Contains(out, "\x1b[32m+ create") {
			t.Errorf("plan at %d columns: creates are not green:\n%q", cols, out)
		}

		apply := exec.Command(bin, "apply", "-auto-approve")
		apply.Dir, apply.Env = dir, env
		out = runOnPTY(t, apply, cols)
		if !strings.Contains(ansiSequence.ReplaceAllString(out, ""), "Apply finished with failures") {
			t.Fatalf("apply at %d columns did not finish:\n%s", cols, out)
		}
		assertFits(t, "apply", out, cols)
		failedRow := regexp.MustCompile(`(?m)^\| \x1b\[31mvideo\.bad\x1b\[0m +\| \x1b\[31mfailed\x1b\[0m`)
		if !failedRow.MatchString(out) {
			t.Errorf("apply at %d columns: the failed row is not red:\n%q", cols, out)
		}
		if !regexp.MustCompile(`(?m)^\| video\.good +\| \x1b\[32mcompleted`).MatchString(out) {
			t.Errorf("apply at %d columns: the completed row is not as expected:\n%q", cols, out)
		}
	}
}

func TestPTYValidateErrorsToAFileCarryNoEscapeCodes(t *testing.T) {
	t.Parallel()
	bin := ltxformBinary(t)
	dir := t.TempDir()
	bad := "video \"long\" {\n  prompt   = \"A lighthouse\"\n  duration = 21\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}

	// stderr on the terminal: the diagnostics are coloured, so that the
	// check below can fail.
	cmd := exec.Command(bin, "validate")
	cmd.Dir, cmd.Env = dir, ptyEnv()
	if out := runOnPTY(t, cmd, 100); !strings.Contains(out, "\x1b[") || !strings.Contains(out, "Invalid duration") {
		t.Fatalf("validate on a terminal: want coloured diagnostics, got:\n%q", out)
	}

	// stdout on the terminal, stderr to a file: no escape codes in the file.
	errFile, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	cmd = exec.Command(bin, "validate")
	cmd.Dir, cmd.Env, cmd.Stderr = dir, ptyEnv(), errFile
	runOnPTY(t, cmd, 100)
	got, err := os.ReadFile(errFile.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "Invalid duration") {
		t.Fatalf("the file lacks the diagnostic:\n%s", got)
	}
	if bytes.Contains(got, []byte("\x1b")) {
		t.Errorf("validate 2>file wrote escape codes into the file:\n%q", got)
	}
}
