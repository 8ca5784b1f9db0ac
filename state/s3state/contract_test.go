package s3state

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/ltxform/ltxform/internal/s3test"
	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/storetest"
)

func TestS3StoreContract(t *testing.T) {
	srv := s3test.Start(t)
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		b := bucket{c: srv.Client(), name: srv.Bucket(t)}
		return storetest.Harness{
			Open: func(t *testing.T) state.Store { return newStore(b, "team/shots", "ws") },
			Abandon: func(t *testing.T, unlock func() error) {
				// The holder's process dies: its lock object stays, naming
				// a pid that no longer runs.
				s := newStore(b, "team/shots", "ws")
				info := s.ReadLockInfo()
				if info == nil {
					t.Fatal("no lock object to abandon")
				}
				info.PID = deadPID(t)
				data, _ := json.Marshal(info)
				if err := b.put(context.Background(), s.lockKey(), data, putMode{}); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}

// deadPID is the pid of a process of this host that has ended.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}
