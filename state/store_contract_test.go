package state_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/storetest"
)

func TestLocalStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		dir := t.TempDir()
		return storetest.Harness{
			Open: func(t *testing.T) state.Store {
				s := state.NewLocalBackend(dir)
				t.Cleanup(func() { s.Close() })
				return s
			},
			Abandon: func(t *testing.T, unlock func() error) {
				// A dead process's flock is gone; its lock.info stays.
				infoPath := filepath.Join(dir, state.DirName, "lock.info")
				left, err := os.ReadFile(infoPath)
				if err != nil {
					t.Fatal(err)
				}
				if err := unlock(); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(infoPath, left, 0o600); err != nil {
					t.Fatal(err)
				}
			},
		}
	})
}
