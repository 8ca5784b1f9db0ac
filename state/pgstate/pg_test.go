package pgstate_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ltxform/ltxform/state"
	"github.com/ltxform/ltxform/state/pgstate"
	"github.com/ltxform/ltxform/state/pgstate/pgtest"
	"github.com/ltxform/ltxform/state/storetest"
)

func openPG(t *testing.T, conn, schema, workspace string) *pgstate.PGStore {
	t.Helper()
	s, err := pgstate.NewPGStore(context.Background(), conn, schema, workspace)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPGUnreachableNamesHostAndDatabaseNotPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens there.
	_, err := pgstate.NewPGStore(ctx, "postgres://alice:s3cr3t-pw@127.0.0.1:1/shots?connect_timeout=5", "", "")
	var ce *pgstate.PGConnError
	if !errors.As(err, &ce) {
		t.Fatalf("NewPGStore of an unreachable server = %v; want a PGConnError", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1/shots") {
		t.Errorf("error %q does not name host and database", err)
	}
	if strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Errorf("error %q shows the password", err)
	}
	_, err = pgstate.NewPGStore(ctx, "postgres://alice:s3cr3t-pw@[bad", "", "")
	if err == nil || strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Errorf("malformed connection string: %v; want an error without the password", err)
	}
}

func TestPGHolderThatDiesLosesTheLock(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	ctx := context.Background()
	dead := state.NewLockInfo("apply")
	if _, err := openPG(t, conn, schema, "ws").Lock(ctx, dead, 0); err != nil {
		t.Fatal(err)
	}
	pgtest.TerminateLockHolder(t, conn, schema, "ws")

	// No force-unlock needed: the lock went with the session, and the new
	// holder's info replaces the dead one's.
	s := openPG(t, conn, schema, "ws")
	live := state.NewLockInfo("plan")
	unlock, err := s.Lock(ctx, live, 0)
	if err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	defer unlock()
	if got := s.ReadLockInfo(); got == nil || got.ID != live.ID {
		t.Fatalf("lock info = %+v; want the new holder %s", got, live.ID)
	}
}

func TestPGWorkspacesAreSeparate(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	ctx := context.Background()
	a, b := openPG(t, conn, schema, "team-a"), openPG(t, conn, schema, "team-b")
	if err := a.Record(ctx, storetest.Entry("video.x", state.StatusDownloaded)); err != nil {
		t.Fatal(err)
	}
	if err := a.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := b.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Entries) != 0 || st.Serial != 0 {
		t.Fatalf("workspace team-b sees %+v", st)
	}
	ua, err := a.Lock(ctx, state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ua()
	ub, err := b.Lock(ctx, state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatalf("the lock of team-a blocks team-b: %v", err)
	}
	ub()
	if ok, err := b.Exists(ctx); ok || err != nil {
		t.Fatalf("team-b Exists = %v, %v; want false", ok, err)
	}
	if ok, err := a.Exists(ctx); !ok || err != nil {
		t.Fatalf("team-a Exists = %v, %v; want true", ok, err)
	}
}

func TestPGNewerTablesAreRefused(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	ctx := context.Background()
	openPG(t, conn, schema, "ws")
	c, err := pgx.Connect(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "UPDATE "+pgx.Identifier{schema, "schema_version"}.Sanitize()+" SET version = 99"); err != nil {
		t.Fatal(err)
	}
	_, err = pgstate.NewPGStore(ctx, conn, schema, "ws")
	if err == nil || !strings.Contains(err.Error(), "newer ltxform") {
		t.Fatalf("NewPGStore on tables of version 99 = %v; want a refusal asking for an upgrade", err)
	}
}

// Tables of version 1 (before the ledger was a numbered migration) whose
// ledger an older build made on first use migrate to the current version
// and keep every charge; tables of version 1 without one gain it.
func TestPGVersion1TablesMigrateKeepingTheirLedger(t *testing.T) {
	conn := pgtest.ConnStr(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, withLedger := range []bool{true, false} {
		schema := pgtest.Schema(t, conn)
		openPG(t, conn, schema, "ws").Close()
		q := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
		// Back to what a version-1 build left behind.
		if _, err := c.Exec(ctx, "DROP TABLE "+q("ledger")+"; UPDATE "+q("schema_version")+" SET version = 1"); err != nil {
			t.Fatal(err)
		}
		if withLedger {
			if _, err := c.Exec(ctx, "CREATE TABLE "+q("ledger")+` (seq bigserial PRIMARY KEY, workspace text NOT NULL, line jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now());
INSERT INTO `+q("ledger")+` (workspace, line) VALUES ('ws', '{"task_id":"task_old","run_id":"r1","address":"video.hero","cost":32,"unit":"credits"}')`); err != nil {
				t.Fatal(err)
			}
		}
		s := openPG(t, conn, schema, "ws")
		var version int
		if err := c.QueryRow(ctx, "SELECT version FROM "+q("schema_version")).Scan(&version); err != nil || version != 2 {
			t.Fatalf("schema_version = %d, %v; want 2", version, err)
		}
		if err := s.Charge(ctx, state.Charge{TaskID: "task_new", RunID: "r2", Address: "video.hero", Cost: 24, Unit: "credits"}); err != nil {
			t.Fatal(err)
		}
		ledger, err := s.Charges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := 24.0
		if withLedger {
			want = 56
		}
		if got := ledger.Spend().ByUnit["credits"]; got != want {
			t.Errorf("with a ledger made on first use: %v; spend %v, want %v (every charge kept)", withLedger, got, want)
		}
	}
}

func TestPGRunsKeepTheirHost(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	ctx := context.Background()
	s := openPG(t, conn, schema, "ws")
	t0 := time.Date(2026, 11, 25, 22, 15, 0, 0, time.UTC)
	older := &state.Run{ID: "20261125T221500Z-aaaaaa", Started: t0, Finished: t0.Add(time.Minute), Counts: map[string]int{"completed": 1},
		Results: []state.RunResult{{Address: "video.a", Status: state.ResultCompleted, TaskID: "t1"}}}
	newer := &state.Run{Started: t0.Add(time.Hour), ExitCode: 1}
	if err := s.SaveRun(ctx, older, "cron-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRun(ctx, newer, "laptop"); err != nil {
		t.Fatal(err)
	}
	runs, err := openPG(t, conn, schema, "ws").ListRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != newer.ID || runs[0].Host != "laptop" || runs[1].Host != "cron-1" {
		t.Fatalf("runs = %+v; want newest first with their hosts", runs)
	}
	got, err := s.LoadRun(ctx, "20261125T2215")
	if err != nil {
		t.Fatal(err)
	}
	if got.Host != "cron-1" || len(got.Results) != 1 || got.Results[0].TaskID != "t1" || !got.Started.Equal(t0) {
		t.Fatalf("LoadRun by prefix = %+v", got)
	}
	if _, err := s.LoadRun(ctx, "2026"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("LoadRun of an ambiguous prefix = %v", err)
	}
	if _, err := s.LoadRun(ctx, "1999"); !errors.Is(err, state.ErrNoRun) {
		t.Fatalf("LoadRun of no run = %v; want ErrNoRun", err)
	}
}

func TestPGReplaceKeepsSerialAndLineage(t *testing.T) {
	conn := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, conn)
	ctx := context.Background()
	s := openPG(t, conn, schema, "ws")
	if err := s.Record(ctx, storetest.Entry("video.old", state.StatusDownloaded)); err != nil {
		t.Fatal(err)
	}
	src := state.NewState()
	src.Serial, src.Lineage = 7, "lineage-of-the-laptop"
	for _, a := range []string{"video.a", "video.b"} {
		e := storetest.Entry(a, state.StatusDownloaded)
		src.Entries[a] = &e
	}
	if err := s.Replace(ctx, src); err != nil {
		t.Fatal(err)
	}
	got, err := openPG(t, conn, schema, "ws").Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 7 || got.Lineage != src.Lineage || len(got.Entries) != 2 || got.Get("video.old") != nil || !reflect.DeepEqual(*got.Get("video.a"), *src.Get("video.a")) {
		t.Fatalf("after Replace: %+v", got)
	}
	// Replacing is not a change of its own: the next empty checkpoint keeps 7.
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx); got.Serial != 7 {
		t.Fatalf("serial after an empty checkpoint = %d, want 7", got.Serial)
	}
}
