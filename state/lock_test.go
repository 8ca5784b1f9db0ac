package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockContentionNamesTheHolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	holder, waiter := NewLocalStore(dir), NewLocalStore(dir)
	info := NewLockInfo("apply")
	unlock, err := holder.Lock(ctx, info, 0)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	_, err = waiter.Lock(ctx, NewLockInfo("plan"), 300*time.Millisecond)
	waited := time.Since(start)
	var le *LockedError
	if !errors.As(err, &le) || le.Info == nil || le.Info.ID != info.ID {
		t.Fatalf("second Lock = %v; want a LockedError naming %s", err, info.ID)
	}
	for _, want := range []string{"apply", info.ID, info.Host, "force-unlock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	if waited < 300*time.Millisecond {
		t.Errorf("gave up after %v; want it to wait the timeout", waited)
	}

	if _, err := waiter.Lock(ctx, NewLockInfo("plan"), 0); !errors.As(err, &le) {
		t.Fatalf("Lock with no timeout = %v; want LockedError at once", err)
	}

	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
	unlock2, err := waiter.Lock(ctx, NewLockInfo("plan"), 0)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	if got := waiter.ReadLockInfo(); got == nil || got.Operation != "plan" {
		t.Fatalf("lock info after takeover = %+v", got)
	}
	if err := unlock2(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".ltxform", "lock.info")); !os.IsNotExist(err) {
		t.Fatalf("lock.info left behind after unlock: %v", err)
	}
}

func TestLockWaitsForARelease(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	unlock, err := NewLocalStore(dir).Lock(ctx, NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := NewLocalStore(dir).Lock(ctx, NewLockInfo("apply"), time.Minute)
		if err == nil {
			err = u()
		}
		got <- err
	}()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting Lock: %v", err)
	}
}

func TestLockGivesUpWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	unlock, err := NewLocalStore(dir).Lock(context.Background(), NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewLocalStore(dir).Lock(ctx, NewLockInfo("plan"), time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context = %v", err)
	}
}

func TestForceUnlock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := NewLocalStore(dir)
	info := NewLockInfo("apply")
	unlock, err := s.Lock(ctx, info, 0)
	if err != nil {
		t.Fatal(err)
	}

	if err := s.ForceUnlock("wrong"); err == nil || !strings.Contains(err.Error(), info.ID) {
		t.Fatalf("ForceUnlock(wrong id) = %v; want a refusal naming the real id", err)
	}
	if err := NewLocalStore(dir).ForceUnlock(info.ID); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("ForceUnlock of a live holder = %v; want a refusal", err)
	}
	if s.ReadLockInfo() == nil {
		t.Fatal("a refused ForceUnlock removed the lock info")
	}

	// The holder dies: its OS lock goes with it, its lock info stays.
	infoPath := filepath.Join(dir, ".ltxform", "lock.info")
	left, _ := os.ReadFile(infoPath)
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(infoPath, left, 0o600); err != nil {
		t.Fatal(err)
	}

	if err := NewLocalStore(dir).ForceUnlock(info.ID); err != nil {
		t.Fatalf("ForceUnlock of a dead holder: %v", err)
	}
	if _, err := os.Stat(infoPath); !os.IsNotExist(err) {
		t.Fatalf("lock.info still there: %v", err)
	}
	if err := NewLocalStore(dir).ForceUnlock(info.ID); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Fatalf("ForceUnlock with no lock = %v", err)
	}
}
