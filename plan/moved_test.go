package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

func change(t *testing.T, p *Plan, addr string) *Change {
	t.Helper()
	for i := range p.Changes {
		if p.Changes[i].Address == addr {
			return &p.Changes[i]
		}
	}
	t.Fatalf("no change for %s in %+v", addr, p.Changes)
	return nil
}

func TestMovedEntryKeepsItsStatusUnderTheNewAddress(t *testing.T) {
	dir := t.TempDir()
	old := video("a", "", "a lighthouse", 6, "1080p")
	renamed := video("b", "", "a lighthouse", 6, "1080p")
	prior := entry(old, state.StatusCreated)
	prior.TaskID = "task_1"
	m := manifest(dir, renamed)
	m.Moves = []config.Move{{From: "video.a", To: "video.b", Block: true, FromName: "a", ToName: "b"}}

	p, diags := Build(context.Background(), m, stateOf(prior), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(p.Changes) != 1 {
		t.Fatalf("changes %+v, want only video.b (no create, no forget)", p.Changes)
	}
	c := change(t, p, "video.b")
	if c.Action != ActionResume || c.MovedFrom != "video.a" || c.Prior.Address != "video.b" || c.Cost != 0 ||
		!strings.HasPrefix(c.Reason, "moved from video.a; task task_1 in flight") {
		t.Errorf("change %+v, want the task resumed under video.b, free", c)
	}
	if !p.HasChanges() || p.Totals.Create != 0 || p.Totals.Forget != 0 {
		t.Errorf("totals %+v", p.Totals)
	}
}

func TestMoveOntoAnAddressTheStateHoldsIsNotMade(t *testing.T) {
	dir := t.TempDir()
	a, b := video("a", "", "one", 6, "1080p"), video("b", "", "two", 6, "1080p")
	m := manifest(dir, b)
	m.Moves = []config.Move{{From: "video.a", To: "video.b", Block: true, FromName: "a", ToName: "b",
		DeclRange: hcl.Range{Filename: "main.ltx.hcl", Start: hcl.Pos{Line: 9}}}}
	p, diags := Build(context.Background(), m, stateOf(entry(a, state.StatusFailed), entry(b, state.StatusFailed)), Options{})
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Subject.Start.Line != 9 ||
		!strings.Contains(diags[0].Detail, "The state already has video.b, so video.a is not moved onto it") {
		t.Fatalf("diagnostics %v", diags)
	}
	if c := change(t, p, "video.a"); c.Action != ActionForget {
		t.Errorf("video.a: %s, want forget", c.Action)
	}
	if c := change(t, p, "video.b"); c.MovedFrom != "" || c.Action != ActionRetry {
		t.Errorf("video.b: %+v, want its own entry retried", c)
	}
}

func TestMovedFileIsRenamedNotDownloaded(t *testing.T) {
	dir := t.TempDir()
	old := video("shot", "x", "a boat", 6, "1080p")
	hero := video("hero", "", "a boat", 6, "1080p")
	prior := entry(old, state.StatusDownloaded)
	writeOutput(t, dir, old, prior, "the old take")
	m := manifest(dir, hero)
	m.Moves = []config.Move{{From: `video.shot["x"]`, To: "video.hero", FromName: "shot", ToName: "hero"}}
	p, _ := Build(context.Background(), m, stateOf(prior), Options{})
	c := change(t, p, "video.hero")
	if c.Action != ActionMove || c.RenameFrom != "out/shot/x.mp4" || c.Output != "out/hero.mp4" {
		t.Errorf("change %+v, want a move renaming out/shot/x.mp4", c)
	}
	if p.Totals.Move != 1 || p.Totals.Download != 0 {
		t.Errorf("totals %+v", p.Totals)
	}
}
