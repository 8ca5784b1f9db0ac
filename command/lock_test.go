package command

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/state"
)

// lockTestEnv is an Env writing to buffers, for commands run in-process.
func lockTestEnv() (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil },
	}, &out, &errOut
}

// lockTestDir is a manifest directory whose state holds video.hero.
func lockTestDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s := state.NewLocalStore(dir)
	defer s.Close()
	ctx := context.Background()
	if err := s.Record(ctx, state.Entry{Address: "video.hero", Status: state.StatusCreated}); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLockTimeoutNamesTheHolderAndChangesNothing(t *testing.T) {
	dir := lockTestDir(t)
	holder := state.NewLocalStore(dir)
	info := state.NewLockInfo("apply")
	unlock, err := holder.Lock(context.Background(), info, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	snapshot := filepath.Join(dir, ".ltxform", "state.json")
	before, _ := os.ReadFile(snapshot)

	env, _, stderr := lockTestEnv()
	start := time.Now()
	err = Run(context.Background(), env, []string{"state", "rm", "-lock-timeout=300ms", "video.hero", dir})
	// state rm tells its error through its view, as every command does.
	if !errors.Is(err, ErrReported) || !strings.Contains(stderr.String(), info.ID) {
		t.Fatalf("state rm under a held lock = %v, stderr %q; want the lock error naming %s", err, stderr, info.ID)
	}
	if !strings.Contains(stderr.String(), "locked by apply") {
		t.Errorf("message %q does not name the holder's operation", stderr)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("gave up after %v; want it to wait -lock-timeout", waited)
	}
	if after, _ := os.ReadFile(snapshot); !bytes.Equal(before, after) {
		t.Fatal("the state changed although the lock was not taken")
	}
}

func TestLockWaitsForTheHolderToFinish(t *testing.T) {
	dir := lockTestDir(t)
	unlock, err := state.NewLocalStore(dir).Lock(context.Background(), state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	env, out, _ := lockTestEnv()
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), env, []string{"state", "rm", "-lock-timeout=1m", "video.hero", dir})
	}()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("state rm after the holder finished: %v", err)
	}
	if !strings.Contains(out.String(), "Removed video.hero") {
		t.Fatalf("output %q", out)
	}
}

func TestLockFlagsDisabledTakeNoLock(t *testing.T) {
	dir := lockTestDir(t)
	unlock, err := state.NewLocalStore(dir).Lock(context.Background(), state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	lf := lockArgs{Enabled: false}
	release, err := lf.acquire(context.Background(), state.NewLocalStore(dir), "plan")
	if err != nil {
		t.Fatalf("-lock=false under a held lock: %v", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if info := state.NewLocalStore(dir).ReadLockInfo(); info == nil || info.Operation != "apply" {
		t.Fatalf("-lock=false touched the holder's lock info: %+v", info)
	}
}
