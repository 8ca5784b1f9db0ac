package pgstate_test

import (
	"context"
	"testing"

	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/pgstate"
	"github.com/ltxform/ltxform/state/pgstate/pgtest"
	"github.com/ltxform/ltxform/state/storetest"
)

func TestPGStoreContract(t *testing.T) {
	conn := pgtest.ConnStr(t)
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		schema := pgtest.Schema(t, conn)
		return storetest.Harness{
			Open: func(t *testing.T) state.Store {
				s, err := pgstate.NewPGStore(context.Background(), conn, schema, "ws")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return pgstate.NewBackend(s)
			},
			Abandon: func(t *testing.T, unlock func() error) {
				// The holder's host dies: the server ends its session.
				pgtest.TerminateLockHolder(t, conn, schema, "ws")
				_ = unlock() // its connection is gone; nothing left to release
			},
		}
	})
}
