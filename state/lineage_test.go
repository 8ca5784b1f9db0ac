package state

import (
	"context"
	"testing"
)

func TestEnsureLineageMakesOneBeforeTheFirstRecordAndKeepsIt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := NewLocalStore(dir)
	defer s.Close()
	lineage, err := s.EnsureLineage(ctx)
	if err != nil || lineage == "" {
		t.Fatalf("EnsureLineage = %q, %v", lineage, err)
	}
	// Another process (a new store on the same directory) sees it at once.
	other := NewLocalStore(dir)
	defer other.Close()
	st, err := other.Load(ctx)
	if err != nil || st.Lineage != lineage || st.Serial != 0 || len(st.Entries) != 0 {
		t.Fatalf("Load after EnsureLineage = %+v, %v; want lineage %s at serial 0", st, err, lineage)
	}
	if again, _ := other.EnsureLineage(ctx); again != lineage {
		t.Errorf("second EnsureLineage gave %q, want %q", again, lineage)
	}
	if err := s.Record(ctx, Entry{Address: "video.a", Status: StatusPending}); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	st, err = NewLocalStore(dir).Load(ctx)
	if err != nil || st.Lineage != lineage || st.Serial != 1 || st.Entries["video.a"] == nil {
		t.Fatalf("after a record and a checkpoint: %+v, %v; want lineage %s, serial 1, video.a", st, err, lineage)
	}
}

func TestEnsureLineageKeepsTheJournalOfACrashedFirstRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := NewLocalStore(dir)
	defer s.Close()
	// A first run of an older build recorded an intent and was killed
	// before any checkpoint: no snapshot, one journal line.
	if err := s.Record(ctx, Entry{Address: "video.a", Status: StatusPending, IdempotencyKey: "k0"}); err != nil {
		t.Fatal(err)
	}
	lineage, err := s.EnsureLineage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewLocalStore(dir).Load(ctx)
	if err != nil || st.Lineage != lineage || st.Entries["video.a"] == nil || st.Entries["video.a"].IdempotencyKey != "k0" {
		t.Fatalf("state %+v, %v; want the pending entry with its recorded key under lineage %s", st, err, lineage)
	}
}
