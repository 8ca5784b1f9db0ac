package main

import (
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/ltxform/ltxform/sim"
)

// syncBuffer is what the terminal has shown so far, read while it grows.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// grew is signalled (without blocking) on each write.
	grew chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.grew <- struct{}{}:
	default:
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the terminal shows want, or fails after limit.
func (b *syncBuffer) waitFor(t *testing.T, want string, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for !strings.Contains(ansiSequence.ReplaceAllString(b.String(), ""), want) {
		select {
		case <-b.grew:
		case <-deadline:
			t.Fatalf("the terminal never showed %q:\n%s", want, b.String())
		}
	}
}

// Ctrl-C at the approval prompt cancels at once, as the terminal's own
// interrupt (the line discipline's SIGINT to the foreground process), not
// after Enter: the command says nothing was sent, exits 1, and the service
// saw no request.
func TestPTYCtrlCAtTheApprovalPromptCancelsAtOnce(t *testing.T) {
	t.Parallel()
	bin := ltxformBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(ptyManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Options{Keys: []string{simKey}})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)

	cmd := exec.Command(bin, "apply")
	cmd.Dir, cmd.Env = dir, ptyEnv("LTX_API_URL="+srv.URL, "LTX_API_KEY="+simKey)
	// pty.Start gives the child the terminal as its controlling terminal,
	// in a session of its own, so that ^C reaches it as a real Ctrl-C does.
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 120})
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

	out.waitFor(t, "Do you want to perform these actions?", 60*time.Second)
	if _, err := ptmx.Write([]byte{0x03}); err != nil { // ^C, the terminal's intr character
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if code := cmd.ProcessState.ExitCode(); code != 1 {
			t.Errorf("exit code %d (%v), want 1", code, err)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("Ctrl-C at the prompt did not end the command (it waits for Enter?):\n%s", out.String())
	}
	<-copied
	if !strings.Contains(ansiSequence.ReplaceAllString(out.String(), ""), "Apply cancelled: nothing was sent.") {
		t.Errorf("no cancellation message:\n%s", out.String())
	}
	if c := s.Counters(); c.Requests != 0 || c.Creates != 0 {
		t.Errorf("the service saw %d requests, %d creates after a cancelled approval", c.Requests, c.Creates)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("out/ exists after a cancelled approval: %v", err)
	}
}
