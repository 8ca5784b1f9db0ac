package state

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// The ledger counts each task once, credited to the run whose create made
// it, whatever later runs write about it.
func TestFoldChargesCreditsTheRunThatPaid(t *testing.T) {
	l := FoldCharges([]Charge{
		{TaskID: "t1", RunID: "A", Address: "video.a", Cost: 24},
		{IdempotencyKey: "k2", RunID: "A", Address: "video.b", Cost: 24, Uncertain: true, Estimated: true},
		{TaskID: "t3", RunID: "A", Address: "video.c", Cost: 5, Simulated: true},
		// B polls t1 to its end: the final figure, but still A's task.
		{TaskID: "t1", RunID: "B", Address: "video.a", Cost: 30},
		// B re-sends k2 and gets A's task back: the uncertain line is settled.
		{TaskID: "t2", IdempotencyKey: "k2", RunID: "A", Address: "video.b", Cost: 24},
		{TaskID: "t4", RunID: "B", Address: "video.a", Cost: 24},
		{IdempotencyKey: "k5", RunID: "B", Address: "video.d", Cost: 8, Unit: "usd", Uncertain: true},
	})
	a, b := l.ForRun("A").Spend(), l.ForRun("B").Spend()
	if a.ByUnit["credits"] != 54 || a.Tasks != 2 || a.MayHaveBilledTasks != 0 {
		t.Errorf("run A: %+v, want t1 at its final 30 and t2 at 24", a)
	}
	if b.ByUnit["credits"] != 24 || b.Tasks != 1 || b.MayHaveBilled["usd"] != 8 {
		t.Errorf("run B: %+v, want t4 only, and k5 as may-have-billed", b)
	}
	all := l.Spend()
	if all.ByUnit["credits"] != 78 || all.Tasks != 3 {
		t.Errorf("spend %+v: want 78 credits over 3 tasks (the simulated one left out)", all)
	}
}

func TestLocalLedgerSurvivesATornLine(t *testing.T) {
	ctx := context.Background()
	s := NewLocalStore(t.TempDir())
	if err := s.Charge(ctx, Charge{TaskID: "t1", RunID: "A", Cost: 24}); err != nil {
		t.Fatal(err)
	}
	// A kill mid-write leaves half a line.
	f, err := os.OpenFile(s.ledgerPath(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"task_id":"t2","ru`)
	f.Close()
	l, err := s.Charges(ctx)
	if err != nil || len(l) != 1 {
		t.Fatalf("after a torn line: %v, %v", l, err)
	}
	if err := s.Charge(ctx, Charge{TaskID: "t3", RunID: "B", Cost: 8}); err != nil {
		t.Fatal(err)
	}
	l, err = s.Charges(ctx)
	if err != nil || len(l) != 2 || l.Spend().ByUnit["credits"] != 32 {
		t.Fatalf("the next charge after a torn line: %v, %v", l, err)
	}
	// A ledger is not emptied by a checkpoint.
	if err := s.Record(ctx, Entry{Address: "video.a", Status: StatusCreated}); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Charges(ctx); len(l) != 2 {
		t.Errorf("after a checkpoint the ledger has %d charges, want 2", len(l))
	}
}

// Spend is summed exactly: 10,000 tasks of $0.03 are $300, not a float's
// 299.99999999999696 (issue 18, finding 17).
func TestLedgerSpendIsExact(t *testing.T) {
	charges := make([]Charge, 10_000)
	for i := range charges {
		charges[i] = Charge{TaskID: fmt.Sprintf("t%d", i), RunID: "A", Cost: 0.03, Unit: "usd"}
	}
	charges = append(charges, Charge{RunID: "A", IdempotencyKey: "k", Cost: 0.09, Unit: "usd", Uncertain: true},
		Charge{RunID: "A", IdempotencyKey: "k2", Cost: 0.20, Unit: "usd", Uncertain: true})
	s := FoldCharges(charges).Spend()
	if s.ByUnit["usd"] != 300 || s.Tasks != 10_000 {
		t.Errorf("10,000 × $0.03 = %v over %d tasks; want exactly 300", s.ByUnit["usd"], s.Tasks)
	}
	if s.MayHaveBilled["usd"] != 0.29 {
		t.Errorf("may have billed %v; want exactly 0.29", s.MayHaveBilled["usd"])
	}
}
