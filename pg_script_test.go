package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ltxform/ltxform/state/pgstate/pgtest"
)

// pgScriptSchema is the schema the scripts' manifests name; each script has
// a schema of its own (pgScriptSchema_HEX, written into its files), dropped
// at its end, and a workspace ($LTXFORM_WORKSPACE).
const pgScriptSchema = "ltxform_script"

// TestPGScripts runs testdata/script_pg/*.txtar against the PostgreSQL of
// LTXFORM_TEST_PG_CONN_STR, given to ltxform as $PG_CONN_STR, with a
// simulator as TestScripts has.
func TestPGScripts(t *testing.T) {
	t.Parallel()
	conn := pgtest.ConnStr(t)
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
			schema := pgScriptSchema + "_" + hex.EncodeToString(b[:])
			if err := rewriteScriptFiles(env.WorkDir, `schema_name = "`+pgScriptSchema+`"`, `schema_name = "`+schema+`"`); err != nil {
				return err
			}
			env.Setenv("PG_SCRIPT_SCHEMA", schema)
			env.Defer(func() { dropPGSchema(env.T(), conn, schema) })
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
		err := c.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{ts.Getenv("PG_SCRIPT_SCHEMA"), "locks"}.Sanitize()+` WHERE workspace = $1`, ts.Getenv("LTXFORM_WORKSPACE")).Scan(&n)
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

func dropPGSchema(t testscript.T, conn, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
		t.Fatal(err)
	}
}
