package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ltxform/ltxform/state/storetest"
)

// pgScriptSchema is the schema the scripts' manifests name; each script has
// a workspace of its own in it ($LTXFORM_WORKSPACE), removed at its end.
const pgScriptSchema = "ltxform_script"

// TestPGScripts runs testdata/script_pg/*.txtar against the PostgreSQL of
// LTXFORM_TEST_PG_CONN_STR, given to ltxform as $PG_CONN_STR, with a
// simulator as TestScripts has.
func TestPGScripts(t *testing.T) {
	t.Parallel()
	conn := storetest.PGConnStr(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script_pg",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			if err := setupScriptSim(env); err != nil {
				return err
			}
			var b [6]byte
			_, _ = rand.Read(b[:])
			ws := "script-" + hex.EncodeToString(b[:])
			env.Defer(func() { dropPGWorkspace(env.T(), conn, ws) })
			env.Values["pgconn"] = conn
			env.Setenv("PG_CONN_STR", conn)
			env.Setenv("LTXFORM_WORKSPACE", ws)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"simcount": cmdSimCount,
			"simclock": cmdSimClock,
			"pglocked": cmdPGLocked,
		},
	})
}

// cmdPGLocked waits until some run holds the lock of the script's workspace
// (its lock info is written once the advisory lock is taken). It gives up
// after 30 s, so that a script never hangs.
func cmdPGLocked(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: pglocked")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, ts.Value("pgconn").(string))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	defer c.Close(context.Background())
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var n int
		// The table may not exist yet: that is "not locked yet".
		err := c.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{pgScriptSchema, "locks"}.Sanitize()+` WHERE workspace = $1`, ts.Getenv("LTXFORM_WORKSPACE")).Scan(&n)
		if err == nil && n > 0 {
			return
		}
		select {
		case <-ctx.Done():
			ts.Fatalf("the workspace was not locked within 30 s")
		case <-tick.C:
		}
	}
}

func dropPGWorkspace(t testscript.T, conn, ws string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, table := range []string{"entries", "runs", "locks", "workspaces"} {
		if _, err := c.Exec(ctx, `DELETE FROM `+pgx.Identifier{pgScriptSchema, table}.Sanitize()+` WHERE workspace = $1`, ws); err != nil && !strings.Contains(err.Error(), "does not exist") {
			t.Fatal(err)
		}
	}
}
