// Package storetest is the contract every state.Store keeps, as one table of
// tests that runs against each implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxform/ltxform/state"
)

// Harness is one implementation under test, on one empty state.
type Harness struct {
	// Open returns a new store on the same state, as another process (or
	// another machine) would open it. The harness closes it at cleanup.
	Open func(t *testing.T) state.Store
	// Abandon makes the holder of the lock taken by unlock die without
	// releasing it: its lock goes, its lock info stays.
	Abandon func(t *testing.T, unlock func() error)
}

// lockAdmin is what force-unlock needs beside the Store.
type lockAdmin interface {
	ReadLockInfo() *state.LockInfo
	ForceUnlock(id string) error
}

// Run runs the contract tests against the implementation newHarness makes
// (a fresh, empty state for each test).
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	for _, tc := range contract {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, newHarness(t)) })
	}
}

var contract = []struct {
	name string
	test func(t *testing.T, h Harness)
}{
	{"MissingStateIsEmpty", testMissingStateIsEmpty},
	{"RecordIsDurableBeforeCheckpoint", testRecordIsDurableBeforeCheckpoint},
	{"RoundTripThroughCheckpoint", testRoundTripThroughCheckpoint},
	{"UpdatesAndRemovalsFold", testUpdatesAndRemovalsFold},
	{"CheckpointSerialAndLineage", testCheckpointSerialAndLineage},
	{"ConcurrentRecordsAllSurvive", testConcurrentRecordsAllSurvive},
	{"RecordWithoutAddressIsRefused", testRecordWithoutAddressIsRefused},
	{"LockContentionNamesTheHolder", testLockContentionNamesTheHolder},
	{"LockWaitsForARelease", testLockWaitsForARelease},
	{"LockGivesUpWhenCancelled", testLockGivesUpWhenCancelled},
	{"ForceUnlock", testForceUnlock},
	{"LedgerFoldsAcrossStores", testLedgerFoldsAcrossStores},
	{"RunRecords", testRunRecords},
	{"ReplaceIsTheWholeState", testReplaceIsTheWholeState},
	{"EnsureLineageOfANewState", testEnsureLineageOfANewState},
	{"LaterStoresRecordAfterACheckpoint", testLaterStoresRecordAfterACheckpoint},
}

// Entry is a full entry for addr, every field set that survives JSON.
func Entry(addr string, st state.Status) state.Entry {
	at := time.Date(2026, 11, 25, 22, 15, 0, 123456789, time.UTC)
	return state.Entry{
		Address: addr, InputHash: "h-" + addr, Mode: "t2v", Status: st,
		TaskID: "task-" + addr, RequestID: "req-" + addr, IdempotencyKey: "idem-" + addr, Attempts: 2,
		Duration: 8, Resolution: "1080p", CostEstimated: 32, CostConsumed: 30.5,
		VideoURL: "https://cdn.example/" + addr, Output: "out/" + addr + ".mp4", SHA256: "ab12", Bytes: 1234,
		OutputModTime: at, ErrorCode: "", CreatedAt: at, UpdatedAt: at.Add(time.Minute), CompletedAt: at.Add(2 * time.Minute),
	}
}

func load(t *testing.T, s state.Store) *state.State {
	t.Helper()
	st, err := s.Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return st
}

func statuses(st *state.State) string {
	var parts []string
	for _, a := range slices.Sorted(maps.Keys(st.Entries)) {
		parts = append(parts, a+"="+string(st.Entries[a].Status))
	}
	return strings.Join(parts, " ")
}

func testMissingStateIsEmpty(t *testing.T, h Harness) {
	st := load(t, h.Open(t))
	if len(st.Entries) != 0 || st.Serial != 0 || st.Lineage != "" || st.FormatVersion != state.FormatVersion || st.Entries == nil {
		t.Fatalf("empty state = %+v; want format %d, serial 0, no lineage, no entries", st, state.FormatVersion)
	}
}

func testRecordIsDurableBeforeCheckpoint(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	want := Entry(`video.shot["unboxing"]`, state.StatusCreated)
	if err := s.Record(ctx, want); err != nil {
		t.Fatal(err)
	}
	// No checkpoint: the next process must see the record all the same.
	got := load(t, h.Open(t)).Get(want.Address)
	if got == nil || !reflect.DeepEqual(*got, want) {
		t.Fatalf("entry seen by another store = %+v, want %+v", got, want)
	}
}

func testRoundTripThroughCheckpoint(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	want := Entry(`video.shot["unboxing"]`, state.StatusDownloaded)
	if err := s.Record(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	st := load(t, h.Open(t))
	if got := st.Get(want.Address); got == nil || !reflect.DeepEqual(*got, want) {
		t.Fatalf("entry after round trip = %+v, want %+v", got, want)
	}
	if st.Serial != 1 || st.Lineage == "" || st.FormatVersion != state.FormatVersion {
		t.Fatalf("serial %d lineage %q format %d; want 1, a lineage, %d", st.Serial, st.Lineage, st.FormatVersion, state.FormatVersion)
	}
}

func testUpdatesAndRemovalsFold(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	for _, a := range []string{"video.a", "video.b", "video.c"} {
		if err := s.Record(ctx, Entry(a, state.StatusCreated)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, Entry("video.a", state.StatusDownloaded)); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "video.b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "video.never"); err != nil {
		t.Fatalf("removing an address that is not there: %v", err)
	}
	if err := s.Record(ctx, Entry("video.d", state.StatusPending)); err != nil {
		t.Fatal(err)
	}
	want := "video.a=downloaded video.c=created video.d=pending"
	if got := statuses(load(t, h.Open(t))); got != want {
		t.Fatalf("state = %s, want %s", got, want)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if got := statuses(load(t, h.Open(t))); got != want {
		t.Fatalf("state after checkpoint = %s, want %s", got, want)
	}
}

func testCheckpointSerialAndLineage(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if st := load(t, s); st.Serial != 0 {
		t.Fatalf("serial after a checkpoint of nothing = %d, want 0", st.Serial)
	}
	if err := s.Record(ctx, Entry("video.a", state.StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	first := load(t, s)
	// Nothing recorded since: a no-op run must not make saved plans stale.
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if st := load(t, h.Open(t)); st.Serial != first.Serial || st.Lineage != first.Lineage {
		t.Fatalf("an empty checkpoint moved serial/lineage from %d/%s to %d/%s", first.Serial, first.Lineage, st.Serial, st.Lineage)
	}
	if err := s.Remove(ctx, "video.a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	st := load(t, h.Open(t))
	if st.Serial != first.Serial+1 || st.Lineage != first.Lineage {
		t.Fatalf("after a removal and a checkpoint: serial %d lineage %s; want %d and the same lineage %s", st.Serial, st.Lineage, first.Serial+1, first.Lineage)
	}
}

func testConcurrentRecordsAllSurvive(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	const workers, each = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				addr := fmt.Sprintf("video.w%d[%d]", w, i)
				for _, st := range []state.Status{state.StatusPending, state.StatusCreated, state.StatusDownloaded} {
					if err := s.Record(ctx, Entry(addr, st)); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := load(t, h.Open(t))
	if len(st.Entries) != workers*each {
		t.Fatalf("%d entries, want %d", len(st.Entries), workers*each)
	}
	for a, e := range st.Entries {
		if e.Status != state.StatusDownloaded {
			t.Fatalf("%s is %s, want its last record, downloaded", a, e.Status)
		}
	}
}

func testRecordWithoutAddressIsRefused(t *testing.T, h Harness) {
	if err := h.Open(t).Record(context.Background(), state.Entry{Status: state.StatusPending}); err == nil {
		t.Fatal("Record of an entry without an address succeeded")
	}
}

func testLockContentionNamesTheHolder(t *testing.T, h Harness) {
	ctx := context.Background()
	holder, waiter := h.Open(t), h.Open(t)
	info := state.NewLockInfo("apply")
	unlock, err := holder.Lock(ctx, info, 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = waiter.Lock(ctx, state.NewLockInfo("plan"), 300*time.Millisecond)
	waited := time.Since(start)
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info == nil || le.Info.ID != info.ID {
		t.Fatalf("second Lock = %v; want a LockedError naming %s", err, info.ID)
	}
	for _, want := range []string{"apply", info.ID, info.Host, fmt.Sprint(info.PID), "force-unlock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	if waited < 300*time.Millisecond {
		t.Errorf("gave up after %v; want it to wait the timeout", waited)
	}
	if _, err := waiter.Lock(ctx, state.NewLockInfo("plan"), 0); !errors.As(err, &le) {
		t.Fatalf("Lock with no timeout = %v; want LockedError at once", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
	unlock2, err := waiter.Lock(ctx, state.NewLockInfo("plan"), 0)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	if la, ok := waiter.(lockAdmin); ok {
		if got := la.ReadLockInfo(); got == nil || got.Operation != "plan" {
			t.Fatalf("lock info after takeover = %+v", got)
		}
	}
	if err := unlock2(); err != nil {
		t.Fatal(err)
	}
	if la, ok := waiter.(lockAdmin); ok {
		if got := la.ReadLockInfo(); got != nil {
			t.Fatalf("lock info left behind after unlock: %+v", got)
		}
	}
}

func testLockWaitsForARelease(t *testing.T, h Harness) {
	ctx := context.Background()
	unlock, err := h.Open(t).Lock(ctx, state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	waiter := h.Open(t)
	got := make(chan error, 1)
	go func() {
		u, err := waiter.Lock(ctx, state.NewLockInfo("apply"), time.Minute)
		if err == nil {
			err = u()
		}
		got <- err
	}()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting Lock: %v", err)
	}
}

func testLockGivesUpWhenCancelled(t *testing.T, h Harness) {
	unlock, err := h.Open(t).Lock(context.Background(), state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Open(t).Lock(ctx, state.NewLockInfo("plan"), time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context = %v; want context.Canceled", err)
	}
}

func testForceUnlock(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	la, ok := s.(lockAdmin)
	if !ok {
		t.Fatalf("%T has no ForceUnlock", s)
	}
	info := state.NewLockInfo("apply")
	unlock, err := s.Lock(ctx, info, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := la.ForceUnlock("wrong"); err == nil || !strings.Contains(err.Error(), info.ID) {
		t.Fatalf("ForceUnlock(wrong id) = %v; want a refusal naming the real id", err)
	}
	other := h.Open(t).(lockAdmin)
	if err := other.ForceUnlock(info.ID); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("ForceUnlock of a live holder = %v; want a refusal", err)
	}
	if la.ReadLockInfo() == nil {
		t.Fatal("a refused ForceUnlock removed the lock info")
	}

	h.Abandon(t, unlock)
	if got := other.ReadLockInfo(); got == nil || got.ID != info.ID {
		t.Fatalf("lock info after the holder died = %+v; want the dead holder's", got)
	}
	if err := other.ForceUnlock(info.ID); err != nil {
		t.Fatalf("ForceUnlock of a dead holder: %v", err)
	}
	if got := other.ReadLockInfo(); got != nil {
		t.Fatalf("lock info still there: %+v", got)
	}
	if err := other.ForceUnlock(info.ID); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Fatalf("ForceUnlock with no lock = %v", err)
	}
	u, err := h.Open(t).Lock(ctx, state.NewLockInfo("apply"), 0)
	if err != nil {
		t.Fatalf("Lock after force-unlock: %v", err)
	}
	_ = u()
}
