package s3state

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/state"
)

// A lock left by a process that is gone is taken over only where its pid
// means what it meant to the holder: this boot and PID namespace. Another
// container that shares LTXFORM_HOST keeps its lock.
func TestDeadHoldersLockIsTakenOverOnlyInItsPIDScope(t *testing.T) {
	if pidScope() == "" {
		t.Skip("this system cannot tell a pid's scope: no lock is ever taken over")
	}
	srv := s3test.Start(t)
	b := bucket{c: srv.Client(), name: srv.Bucket(t)}
	ctx := context.Background()
	s := newStore(b, "k", "ws")
	leave := func(scope string) state.LockInfo {
		info := state.NewLockInfo("apply")
		info.PID = deadPID(t)
		data, _ := json.Marshal(lockObject{LockInfo: info, PIDScope: scope})
		if err := b.put(ctx, s.lockKey(), data, putMode{}); err != nil {
			t.Fatal(err)
		}
		return info
	}

	other := leave("another-boot/pid:[4026531836]")
	var le *state.LockedError
	if _, err := s.Lock(ctx, state.NewLockInfo("plan"), 0); !errors.As(err, &le) || le.Info == nil || le.Info.ID != other.ID {
		t.Fatalf("Lock over a dead pid of another PID scope = %v; want a LockedError naming %s", err, other.ID)
	}

	leave(pidScope())
	unlock, err := s.Lock(ctx, state.NewLockInfo("plan"), 0)
	if err != nil {
		t.Fatalf("Lock over a dead holder of this PID scope = %v; want it taken over", err)
	}
	if got := s.ReadLockInfo(); got == nil || got.Operation != "plan" {
		t.Fatalf("lock info after the takeover = %+v", got)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}
