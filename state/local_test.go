package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func newTestStore(t *testing.T) (*LocalStore, string) {
	t.Helper()
	dir := t.TempDir()
	s := NewLocalStore(dir)
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func entry(addr string, st Status) Entry {
	return Entry{
		Address: addr, InputHash: "h-" + addr, Mode: "t2v", Status: st,
		TaskID: "task-" + addr, RequestID: "req-" + addr, Duration: 8, Resolution: "1080p",
		CostEstimated: 32, CostConsumed: 30, Output: "out/" + addr + ".mp4",
		UpdatedAt: time.Date(2026, 11, 25, 22, 15, 0, 0, time.UTC),
	}
}

func mustLoad(t *testing.T, s *LocalStore) *State {
	t.Helper()
	st, err := s.Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return st
}

func TestLoadMissingIsEmpty(t *testing.T) {
	s, _ := newTestStore(t)
	st := mustLoad(t, s)
	if len(st.Entries) != 0 || st.Serial != 0 || st.Lineage != "" || st.FormatVersion != FormatVersion {
		t.Fatalf("empty state = %+v", st)
	}
	if ok, err := s.Exists(); ok || err != nil {
		t.Fatalf("Exists = %v, %v; want false", ok, err)
	}
}

func TestRoundTripThroughCheckpoint(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	want := entry(`video.shot["unboxing"]`, StatusDownloaded)
	want.SHA256 = "ab12"
	want.Bytes = 1234
	if err := s.Record(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// A fresh store, as the next process would open it.
	st := mustLoad(t, NewLocalStore(dir))
	got := st.Get(want.Address)
	if got == nil || !reflect.DeepEqual(*got, want) {
		t.Fatalf("entry after round trip = %+v, want %+v", got, want)
	}
	if st.Serial != 1 || st.Lineage == "" {
		t.Fatalf("serial %d lineage %q, want 1 and a lineage", st.Serial, st.Lineage)
	}
	if fi, err := os.Stat(filepath.Join(dir, ".ltxform", "journal.jsonl")); err != nil || fi.Size() != 0 {
		t.Fatalf("journal after checkpoint: %v, %v; want empty", fi, err)
	}
}

func TestJournalFoldsOntoSnapshot(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	for _, a := range []string{"video.a", "video.b", "video.c"} {
		if err := s.Record(ctx, entry(a, StatusCreated)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// After the snapshot: one update, one removal, one new address.
	if err := s.Record(ctx, entry("video.a", StatusDownloaded)); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "video.b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, entry("video.d", StatusPending)); err != nil {
		t.Fatal(err)
	}
	st := mustLoad(t, NewLocalStore(dir))
	got := map[string]Status{}
	for _, e := range st.Sorted() {
		got[e.Address] = e.Status
	}
	want := map[string]Status{"video.a": StatusDownloaded, "video.c": StatusCreated, "video.d": StatusPending}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("folded state = %v, want %v", got, want)
	}
}

func TestCheckpointIncrementsSerialAndKeepsBackup(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	snap := filepath.Join(dir, ".ltxform", "state.json")
	backup := snap + ".backup"
	if err := s.Record(ctx, entry("video.a", StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Fatalf("backup after the first checkpoint: %v; want none", err)
	}
	first, _ := os.ReadFile(snap)
	lineage := mustLoad(t, s).Lineage
	if err := s.Record(ctx, entry("video.a", StatusDownloaded)); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	st := mustLoad(t, s)
	if st.Serial != 2 || st.Lineage != lineage {
		t.Fatalf("after two checkpoints: serial %d lineage %q; want 2 and %q", st.Serial, st.Lineage, lineage)
	}
	kept, err := os.ReadFile(backup)
	if err != nil || !bytes.Equal(kept, first) {
		t.Fatalf("backup = %q, %v; want the first snapshot %q", kept, err, first)
	}

	// Nothing recorded since: a checkpoint keeps the serial, so saved plans stay fresh.
	second, _ := os.ReadFile(snap)
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(snap); !bytes.Equal(again, second) || mustLoad(t, s).Serial != 2 {
		t.Fatalf("an empty checkpoint rewrote the snapshot: serial %d", mustLoad(t, s).Serial)
	}
}

func TestFileModes(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	for _, st := range []Status{StatusCreated, StatusDownloaded} { // the second makes the backup
		if err := s.Record(ctx, entry("video.a", st)); err != nil {
			t.Fatal(err)
		}
		if err := s.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	unlock, err := s.Lock(ctx, NewLockInfo("test"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	sd := filepath.Join(dir, ".ltxform")
	if fi, err := os.Stat(sd); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf(".ltxform: %v %v; want mode 0700", fi.Mode(), err)
	}
	for _, n := range []string{"state.json", "state.json.backup", "journal.jsonl", "lock.info"} {
		fi, err := os.Stat(filepath.Join(sd, n))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v; want mode 0600", n, fi.Mode(), err)
		}
	}
}

func writeJournal(t *testing.T, dir, content string) {
	t.Helper()
	sd := filepath.Join(dir, ".ltxform")
	if err := os.MkdirAll(sd, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sd, "journal.jsonl"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

const (
	lineA = `{"op":"set","entry":{"address":"video.a","status":"created","task_id":"t1"}}` + "\n"
	lineB = `{"op":"set","entry":{"address":"video.b","status":"pending"}}` + "\n"
)

func TestTornLastJournalLineIsIgnored(t *testing.T) {
	for name, tail := range map[string]string{
		"unterminated":           `{"op":"set","entry":{"address":"video.c","sta`,
		"unterminated valid":     `{"op":"rm","address":"video.a"}`,
		"terminated garbage":     "\x00\x00\x00\x00\n",
		"terminated half object": `{"op":"set","entry":{` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeJournal(t, dir, lineA+lineB+tail)
			s := NewLocalStore(dir)
			defer s.Close()
			st := mustLoad(t, s)
			if len(st.Entries) != 2 || st.Get("video.a") == nil || st.Get("video.b") == nil {
				t.Fatalf("entries = %v; want video.a and video.b only", st.Sorted())
			}
			// The next append starts a clean line after the good ones.
			if err := s.Record(context.Background(), entry("video.d", StatusPending)); err != nil {
				t.Fatal(err)
			}
			st = mustLoad(t, NewLocalStore(dir))
			if len(st.Entries) != 3 || st.Get("video.d") == nil {
				t.Fatalf("after an append past a torn line: %v", st.Sorted())
			}
		})
	}
}

func TestCorruptJournalLineInTheMiddleIsRefused(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, lineA+"not json\n"+lineB)
	s := NewLocalStore(dir)
	defer s.Close()
	_, err := s.Load(context.Background())
	var je *JournalError
	if !errors.As(err, &je) || je.Line != 2 {
		t.Fatalf("Load = %v; want a JournalError at line 2", err)
	}
	if !strings.Contains(err.Error(), "journal.jsonl:2") {
		t.Errorf("message %q does not name the file and line", err)
	}
	if err := s.Record(context.Background(), entry("video.x", StatusPending)); !errors.As(err, &je) {
		t.Errorf("Record onto a damaged journal = %v; want refusal", err)
	}
}

func writeSnapshot(t *testing.T, dir, content string) string {
	t.Helper()
	sd := filepath.Join(dir, ".ltxform")
	if err := os.MkdirAll(sd, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(sd, "state.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodSnapshot = `{
  "format_version": 1,
  "serial": 7,
  "lineage": "abc",
  "entries": {
    "video.a": {"address": "video.a", "status": "downloaded", "credits_estimated": 32, "credits_consumed": 32}
  }
}
`

func TestBadSnapshotIsRefusedAndNeverOverwritten(t *testing.T) {
	for name, tc := range map[string]struct {
		content, want string
	}{
		"truncated":    {goodSnapshot[:len(goodSnapshot)/2], "corrupt or truncated"},
		"empty":        {"", "is empty"},
		"newer format": {strings.Replace(goodSnapshot, `"format_version": 1`, `"format_version": 2`, 1), "newer ltxform (format_version 2"},
		"not a state":  {`{"hello": "world"}`, "no format_version"},
		"trailing":     {goodSnapshot + "{}", "unexpected data"},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			p := writeSnapshot(t, dir, tc.content)
			s := NewLocalStore(dir)
			defer s.Close()
			_, err := s.Load(ctx)
			var se *SnapshotError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("Load = %v; want a SnapshotError naming %s and saying %q", err, p, tc.want)
			}
			// A run that records and checkpoints must leave it as it was.
			if err := s.Record(ctx, entry("video.b", StatusCreated)); err != nil {
				t.Fatal(err)
			}
			if err := s.Checkpoint(ctx); !errors.As(err, &se) {
				t.Fatalf("Checkpoint = %v; want the SnapshotError", err)
			}
			if got, _ := os.ReadFile(p); string(got) != tc.content {
				t.Fatalf("snapshot changed to %q", got)
			}
			if _, err := os.Stat(p + ".backup"); !os.IsNotExist(err) {
				t.Fatalf("a backup was written over: %v", err)
			}
		})
	}
}

func TestRefusalMentionsBackup(t *testing.T) {
	dir := t.TempDir()
	p := writeSnapshot(t, dir, goodSnapshot[:20])
	if err := os.WriteFile(p+".backup", []byte(goodSnapshot), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := NewLocalStore(dir).Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), p+".backup") {
		t.Fatalf("Load = %v; want the message to point at the backup", err)
	}
}

func TestCrashBetweenSnapshotAndJournalTruncation(t *testing.T) {
	// The snapshot already holds what the journal says: replaying is harmless.
	dir := t.TempDir()
	writeSnapshot(t, dir, goodSnapshot)
	writeJournal(t, dir, `{"op":"set","entry":{"address":"video.a","status":"downloaded","credits_estimated":32,"credits_consumed":32}}`+"\n")
	st := mustLoad(t, NewLocalStore(dir))
	if len(st.Entries) != 1 || st.Get("video.a").Status != StatusDownloaded || st.Serial != 7 {
		t.Fatalf("replayed state = %+v", st.Sorted())
	}
}

func TestConcurrentRecordsAllSurvive(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				addr := fmt.Sprintf(`video.w%d["%d"]`, w, i)
				if err := s.Record(ctx, entry(addr, StatusCreated)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := mustLoad(t, NewLocalStore(dir))
	if len(st.Entries) != workers*each {
		t.Fatalf("%d entries after %d concurrent records", len(st.Entries), workers*each)
	}
	data, _ := os.ReadFile(filepath.Join(dir, ".ltxform", "journal.jsonl"))
	if n := bytes.Count(data, []byte("\n")); n != workers*each {
		t.Fatalf("journal has %d lines, want %d", n, workers*each)
	}
}

func TestRecordAfterCloseFails(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	if err := s.Record(ctx, entry("video.a", StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, entry("video.b", StatusCreated)); err == nil {
		t.Fatal("Record after Close succeeded")
	}
}

func TestCloneIsDeep(t *testing.T) {
	st := NewState()
	e := entry("video.a", StatusCreated)
	st.Entries[e.Address] = &e
	c := st.Clone()
	c.Entries["video.a"].Status = StatusFailed
	delete(c.Entries, "video.a")
	if st.Get("video.a") == nil || st.Get("video.a").Status != StatusCreated {
		t.Fatalf("changing the clone changed the original: %+v", st.Get("video.a"))
	}
}

func TestNormalizeAddress(t *testing.T) {
	for in, want := range map[string]string{
		`video.hero`:               `video.hero`,
		`video.shot["unboxing"]`:   `video.shot["unboxing"]`,
		`video.shot[unboxing]`:     `video.shot["unboxing"]`,
		`video.shot['unboxing']`:   `video.shot["unboxing"]`,
		`video.clip[3]`:            `video.clip[3]`,
		`video.shot["a b"]`:        `video.shot["a b"]`,
		`video.shot[turn-table_2]`: `video.shot["turn-table_2"]`,
	} {
		if got := NormalizeAddress(in); got != want {
			t.Errorf("NormalizeAddress(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestCheckpointRemovesTempsACrashLeft(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	if err := s.Record(ctx, entry("video.a", StatusCreated)); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".ltxform", ".state.json.12345.part")
	older := filepath.Join(dir, ".ltxform", ".state.json.tmp-12345") // an older build's name
	for _, f := range []string{stale, older} {
		if err := os.WriteFile(f, []byte(`{"format_ver`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{stale, older} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Fatalf("stale temporary snapshot %s still there: %v", f, err)
		}
	}
}
