package state

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"runtime"
	"testing"
)

// FuzzParseJournal: whatever a crash or a disk leaves in the journal, parsing
// never panics, the good prefix parses to the same operations on its own,
// and appending after it starts a clean line.
func FuzzParseJournal(f *testing.F) {
	f.Add([]byte(lineA + lineB))
	f.Add([]byte(lineA + `{"op":"set","entry":{"addr`))
	f.Add([]byte(lineA + "garbage\n" + lineB))
	f.Add([]byte(`{"op":"rm","address":"video.a"}` + "\n\n"))
	f.Add([]byte("\x00\x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, valid, err := parseJournal("journal.jsonl", data)
		if err != nil {
			return
		}
		if valid > len(data) || (valid > 0 && data[valid-1] != '\n') {
			t.Fatalf("valid prefix %d of %d does not end a line", valid, len(data))
		}
		again, valid2, err := parseJournal("journal.jsonl", data[:valid])
		if err != nil || valid2 != valid || !reflect.DeepEqual(again, ops) {
			t.Fatalf("the good prefix parses differently: %v, %d vs %d", err, valid2, valid)
		}
		appended := append(bytes.Clone(data[:valid]), lineB...)
		if more, _, err := parseJournal("journal.jsonl", appended); err != nil || len(more) != len(ops)+1 {
			t.Fatalf("a line appended after the good prefix: %v, %d ops after %d", err, len(more), len(ops))
		}
	})
}

// TestGroupCommitSharesOneFsync holds the sync while 16 workers write their
// lines, then lets them go: one fsync makes all 16 durable.
func TestGroupCommitSharesOneFsync(t *testing.T) {
	s, _ := newTestStore(t)
	j := s.journal
	ctx := context.Background()
	const workers = 16

	j.syncMu.Lock() // as if a leader were in the middle of an fsync
	errs := make(chan error, workers)
	for w := range workers {
		go func() { errs <- s.Record(ctx, entry(fmt.Sprintf("video.w%d", w), StatusCreated)) }()
	}
	for { // every worker has written its line and now waits to sync
		j.mu.Lock()
		n := j.written
		j.mu.Unlock()
		if n == workers {
			break
		}
		runtime.Gosched()
	}
	j.syncMu.Unlock()
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.fsyncs != 1 || j.synced != workers {
		t.Fatalf("%d fsyncs for %d concurrent records (synced %d); want one shared fsync", j.fsyncs, workers, j.synced)
	}
}
