package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/state"
)

// The part of the contract that every state.Backend keeps beside the Store:
// run records, the ledger, push and pull's Replace, the lineage.

func backendOf(t *testing.T, s state.Store) state.Backend {
	t.Helper()
	b, ok := s.(state.Backend)
	if !ok {
		t.Fatalf("%T is not a state.Backend", s)
	}
	return b
}

func testLedgerFoldsAcrossStores(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	lines := []state.Charge{
		{TaskID: "t1", RunID: "r1", Address: "video.a", Cost: 32, Estimated: true, At: at},
		{TaskID: "t1", RunID: "r2", Address: "video.a", Cost: 30, At: at.Add(time.Minute)}, // the final figure; r1 paid
		{IdempotencyKey: "k2", RunID: "r1", Address: "video.b", Cost: 16, Uncertain: true, At: at},
	}
	for _, c := range lines {
		if err := s.Charge(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// After a checkpoint, a line settles the uncertain create.
	if err := s.Charge(ctx, state.Charge{TaskID: "t2", IdempotencyKey: "k2", Address: "video.b", Cost: 16, At: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := h.Open(t).Charges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].TaskID != "t1" || got[0].Cost != 30 || got[0].RunID != "r1" ||
		got[1].TaskID != "t2" || got[1].RunID != "r1" || got[1].Uncertain {
		t.Fatalf("ledger seen by another store = %+v; want t1 (30, paid by r1) and t2 (settling k2, paid by r1)", got)
	}
	if sp := got.Spend(); sp.ByUnit["credits"] != 46 || sp.Tasks != 2 {
		t.Fatalf("spend = %+v, want 46 credits over 2 tasks", sp)
	}
}

func testRunRecords(t *testing.T, h Harness) {
	ctx := context.Background()
	s := backendOf(t, h.Open(t))
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	older := &state.Run{ID: "20261201T090000Z-aaaaaa", Started: start, Status: state.RunRunning, Host: "alice"}
	newer := &state.Run{ID: "20261201T100000Z-bbbbbb", Started: start.Add(time.Hour), Status: state.RunCompleted, Host: "ci-runner",
		Counts: map[string]int{"completed": 3}, CostConsumed: 96}
	for _, r := range []*state.Run{older, newer} {
		if err := s.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	older.Status = state.RunKilled // a later apply closes it
	if err := s.SaveRun(ctx, older); err != nil {
		t.Fatal(err)
	}
	other := backendOf(t, h.Open(t))
	runs, err := other.ListRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != newer.ID || runs[1].ID != older.ID || runs[1].Status != state.RunKilled ||
		runs[0].Host != "ci-runner" || runs[0].Counts["completed"] != 3 || runs[0].CostConsumed != 96 {
		t.Fatalf("runs seen by another store = %+v; want the newer first, the older killed, hosts kept", runs)
	}
	r, err := other.LoadRun(ctx, "20261201T10")
	if err != nil || r.ID != newer.ID {
		t.Fatalf("LoadRun by prefix = %+v, %v", r, err)
	}
	if _, err := other.LoadRun(ctx, "20261201T"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("LoadRun of an ambiguous prefix = %v", err)
	}
	if _, err := other.LoadRun(ctx, "20250101T000000Z"); !errors.Is(err, state.ErrNoRun) {
		t.Fatalf("LoadRun of no run = %v; want ErrNoRun", err)
	}
}

func testReplaceIsTheWholeState(t *testing.T, h Harness) {
	ctx := context.Background()
	s := backendOf(t, h.Open(t))
	if ok, err := s.Exists(ctx); err != nil || ok {
		t.Fatalf("Exists of a new state = %v, %v", ok, err)
	}
	if err := s.Record(ctx, Entry("video.old", state.StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if ok, err := backendOf(t, h.Open(t)).Exists(ctx); err != nil || !ok {
		t.Fatalf("Exists after a record = %v, %v", ok, err)
	}
	pushed := state.NewState()
	pushed.Serial, pushed.Lineage = 7, "lineage-from-elsewhere"
	e := Entry("video.new", state.StatusDownloaded)
	pushed.Entries[e.Address] = &e
	if err := s.Replace(ctx, pushed); err != nil {
		t.Fatal(err)
	}
	st := load(t, h.Open(t))
	if st.Serial != 7 || st.Lineage != "lineage-from-elsewhere" || statuses(st) != "video.new=downloaded" {
		t.Fatalf("after Replace: serial %d lineage %q %s; want 7, the pushed lineage, video.new only", st.Serial, st.Lineage, statuses(st))
	}
	lineage, err := s.EnsureLineage(ctx)
	if err != nil || lineage != "lineage-from-elsewhere" {
		t.Fatalf("EnsureLineage of a state with one = %q, %v", lineage, err)
	}
}

func testEnsureLineageOfANewState(t *testing.T, h Harness) {
	ctx := context.Background()
	s := backendOf(t, h.Open(t))
	first, err := s.EnsureLineage(ctx)
	if err != nil || first == "" {
		t.Fatalf("EnsureLineage = %q, %v", first, err)
	}
	if st := load(t, h.Open(t)); st.Lineage != first || st.Serial != 0 {
		t.Fatalf("another store sees lineage %q serial %d; want %q and 0", st.Lineage, st.Serial, first)
	}
	if again, err := backendOf(t, h.Open(t)).EnsureLineage(ctx); err != nil || again != first {
		t.Fatalf("second EnsureLineage = %q, %v; want %q", again, err, first)
	}
}

// testLaterStoresRecordAfterACheckpoint: each run opens a store of its own;
// what a later one records and charges after an earlier one's checkpoint
// must be seen, and survive its own checkpoint.
func testLaterStoresRecordAfterACheckpoint(t *testing.T, h Harness) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i, addr := range []string{"video.a", "video.b", "video.c"} {
		s := h.Open(t)
		if err := s.Record(ctx, Entry(addr, state.StatusDownloaded)); err != nil {
			t.Fatal(err)
		}
		if err := s.Charge(ctx, state.Charge{TaskID: "task-" + addr, RunID: "r", Address: addr, Cost: 10, At: at}); err != nil {
			t.Fatal(err)
		}
		want := strings.Join([]string{"video.a=downloaded", "video.b=downloaded", "video.c=downloaded"}[:i+1], " ")
		if got := statuses(load(t, h.Open(t))); got != want {
			t.Fatalf("store %d's record before its checkpoint: state = %s, want %s", i+1, got, want)
		}
		if err := s.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if got := statuses(load(t, h.Open(t))); got != want {
			t.Fatalf("store %d's record after its checkpoint: state = %s, want %s", i+1, got, want)
		}
		ledger, err := h.Open(t).Charges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ledger) != i+1 {
			t.Fatalf("after store %d: %d charges in the ledger, want %d", i+1, len(ledger), i+1)
		}
	}
}
