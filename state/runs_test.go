package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewRunID(t *testing.T) {
	at := time.Date(2026, 11, 25, 23, 15, 0, 0, time.FixedZone("CET", 3600))
	a, b := NewRunID(at), NewRunID(at)
	if !strings.HasPrefix(a, "20261125T221500Z-") {
		t.Fatalf("NewRunID = %s; want the UTC time first", a)
	}
	if a == b {
		t.Fatalf("two runs in the same second share the id %s", a)
	}
	if later := NewRunID(at.Add(time.Second)); later < a {
		t.Fatalf("ids do not sort by time: %s < %s", later, a)
	}
}

func TestRunsRoundTripNewestFirst(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 3 {
		r := &Run{
			Started: t0.Add(time.Duration(i) * time.Hour), Finished: t0.Add(time.Duration(i)*time.Hour + time.Minute),
			ExitCode: i % 2, Counts: map[string]int{"completed": i},
			Results: []RunResult{{Address: "video.a", Status: ResultCompleted, TaskID: "t", RequestID: "r"}},
		}
		if err := SaveRun(dir, r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	runs, err := ListRuns(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].ID != ids[2] || runs[2].ID != ids[0] {
		t.Fatalf("ListRuns order = %v; want %v reversed", runIDs(runs), ids)
	}
	got, err := LoadRun(dir, ids[1])
	if err != nil || got.ExitCode != 1 || got.Results[0].RequestID != "r" || got.FormatVersion != RunFormatVersion {
		t.Fatalf("LoadRun = %+v, %v", got, err)
	}
	fi, err := os.Stat(filepath.Join(dir, ".ltxform", "runs", ids[1]+".json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("run record mode %v, %v; want 0600", fi.Mode(), err)
	}
	// A unique prefix finds the run; the hour is unique here.
	if r, err := LoadRun(dir, "20261125T03"); err != nil || r.ID != ids[1] {
		t.Fatalf("LoadRun by prefix = %v, %v", r, err)
	}
	if _, err := LoadRun(dir, "20261125T0"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("LoadRun of an ambiguous prefix = %v", err)
	}
	if _, err := LoadRun(dir, "19990101T000000Z"); !errors.Is(err, ErrNoRun) {
		t.Fatalf("LoadRun of a missing run = %v", err)
	}
	if _, err := LoadRun(dir, "../../etc/passwd"); err == nil {
		t.Fatal("LoadRun accepted a path")
	}
}

func TestListRunsSkipsABadRecordButSaysSo(t *testing.T) {
	dir := t.TempDir()
	if err := SaveRun(dir, &Run{Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, ".ltxform", "runs", "20260101T000000Z.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	runs, err := ListRuns(dir)
	if len(runs) != 1 || err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("ListRuns = %d runs, %v; want the good one and an error naming %s", len(runs), err, bad)
	}
}

func TestListRunsWithNoneIsEmpty(t *testing.T) {
	runs, err := ListRuns(t.TempDir())
	if err != nil || len(runs) != 0 {
		t.Fatalf("ListRuns = %v, %v", runs, err)
	}
}

func runIDs(runs []*Run) []string {
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids
}
