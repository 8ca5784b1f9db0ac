// Package pgtest gives the pg store's tests a database: the server of
// LTXFORM_TEST_PG_CONN_STR, a schema of their own, and a way to end a lock
// holder's session as a crash of its host would.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConnEnv names the variable that gives the tests a PostgreSQL server.
const ConnEnv = "LTXFORM_TEST_PG_CONN_STR"

// ConnStr is the test server's connection string. Without one the test is
// skipped, saying how to run it; in CI (CI=true) it fails instead, so that
// the pg tests cannot silently stop running there.
func ConnStr(t testing.TB) string {
	t.Helper()
	if c := os.Getenv(ConnEnv); c != "" {
		return c
	}
	const how = "set " + ConnEnv + " to a PostgreSQL connection string (e.g. \"host=/tmp/pg user=postgres dbname=postgres\"), or run .ci/run, which starts a throwaway server"
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s is not set: the pg store's tests must run in CI; %s", ConnEnv, how)
	}
	t.Skipf("no PostgreSQL for the pg store's tests: %s", how)
	return ""
}

// Schema is a new schema name for one test, dropped (with its tables) at
// cleanup, so that tests never see each other's state.
func Schema(t testing.TB, connStr string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "ltxform_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, connStr)
		if err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
	})
	return schema
}

// TerminateLockHolder kills, server side, the session that holds the
// advisory lock of (schema, workspace), as a crash of its host would, and
// waits until the server has ended it.
func TerminateLockHolder(t testing.TB, connStr, schema, workspace string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connStr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1
  AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`, "ltxform/"+schema+"/"+workspace).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d sessions held the lock of %s/%s; want 1", n, schema, workspace)
	}
}
