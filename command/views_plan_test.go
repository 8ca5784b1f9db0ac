package command

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
	"github.com/ltxform/ltxform/state"
)

// -update rewrites the golden files from the current output. Another test
// file of this package may define the same flag; register it only once.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// assertGolden compares got with testdata/golden/name byte for byte.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if updateGolden() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./command -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func goldenVideo(name string, duration float64, resolution string) *config.Video {
	return &config.Video{
		Address: "video." + name, Name: name, Prompt: "A shot of " + name,
		Duration: duration, Resolution: resolution, Output: "out/" + name + ".mp4",
	}
}

func goldenEntry(v *config.Video, status state.Status, consumed float64) *state.Entry {
	req := plan.RequestFor(v, ltx.MustProvider(ltx.DefaultProvider))
	return &state.Entry{
		Address: v.Address, InputHash: req.Hash(), Mode: string(req.Mode()), Status: status,
		Duration: req.Duration, Resolution: req.Resolution, Output: v.Output, CostConsumed: consumed,
	}
}

// everyKindPlan is a plan with one change of every kind and two unchanged
// videos, built by the planner from a hand-made manifest and state.
func everyKindPlan(t *testing.T) *plan.Plan {
	dir := t.TempDir()
	created := goldenVideo("a_new", 6, "1080p")
	replaced := goldenVideo("b_longer", 10, "4K")
	completed := goldenVideo("c_generated", 8, "1080p")
	polled := goldenVideo("d_in_flight", 8, "1440p")
	failed := goldenVideo("e_failed", 8, "1440p")
	same := goldenVideo("f_same", 6, "1080p")
	pending := goldenVideo("h_unconfirmed", 6, "1080p")
	same2 := goldenVideo("i_same", 6, "4K")
	same2.ImageURL = "https://cdn.example.com/i.png"

	oldReplaced := *replaced
	oldReplaced.Duration = 8
	inFlight := goldenEntry(polled, state.StatusCreated, 0)
	inFlight.TaskID = "task_0042"
	failedEntry := goldenEntry(failed, state.StatusFailed, 0)
	failedEntry.ErrorCode = "GENERATION_FAILED"
	entries := []*state.Entry{
		goldenEntry(&oldReplaced, state.StatusDownloaded, 128),
		goldenEntry(completed, state.StatusCompleted, 32),
		inFlight, failedEntry,
		goldenEntry(pending, state.StatusPending, 0),
		goldenEntry(goldenVideo("g_removed", 6, "1080p"), state.StatusDownloaded, 24.5),
	}
	for _, v := range []*config.Video{same, same2} {
		e := goldenEntry(v, state.StatusDownloaded, 24)
		content := []byte("mp4 bytes of " + v.Name)
		path := filepath.Join(dir, filepath.FromSlash(v.Output))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		e.SHA256, e.Bytes = hex.EncodeToString(sum[:]), int64(len(content))
		entries = append(entries, e)
	}
	st := &state.State{FormatVersion: state.FormatVersion, Serial: 4, Lineage: "9f3c", Entries: map[string]*state.Entry{}}
	for _, e := range entries {
		st.Entries[e.Address] = e
	}
	m := &config.Manifest{
		Dir:    dir,
		API:    config.API{RequestsPerMinute: 120, Parallelism: 8, MaxAttempts: 5},
		Budget: &config.Budget{MaxCost: 2000},
		Videos: []*config.Video{created, replaced, completed, polled, failed, same, pending, same2},
	}
	p, diags := plan.Build(context.Background(), m, st, plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return p
}

func renderPlan(t *testing.T, p *plan.Plan, jsonOut bool, diags hcl.Diagnostics) []byte {
	return renderPlanWidth(t, p, jsonOut, diags, 0)
}

// renderPlanWidth renders p as on a terminal of width columns (0: not a
// terminal, 80 columns), without colour.
func renderPlanWidth(t *testing.T, p *plan.Plan, jsonOut bool, diags hcl.Diagnostics, width int) []byte {
	t.Helper()
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Width: width, Getenv: func(string) string { return "" }}
	if err := newPlanView(newView(env, false), jsonOut).Plan(p, diags); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestPlanHumanViewGolden(t *testing.T) {
	p := everyKindPlan(t)
	got := renderPlan(t, p, false, nil)
	assertGolden(t, "plan_every_kind.txt", got)
	assertGolden(t, "plan_every_kind_160.txt", renderPlanWidth(t, p, false, nil, 160))
	if again := renderPlan(t, everyKindPlan(t), false, nil); !bytes.Equal(again, got) {
		t.Errorf("two renderings of the same plan differ:\n%s\n%s", got, again)
	}
}

func TestPlanJSONViewGolden(t *testing.T) {
	budget := &hcl.Diagnostic{
		Severity: hcl.DiagError, Summary: "Plan exceeds the credit budget",
		Detail:  "The change is estimated at 2,240 credits, over the budget of 2,000 (-max-credits).",
		Subject: &hcl.Range{Filename: "main.ltx.hcl", Start: hcl.Pos{Line: 3, Column: 17, Byte: 30}, End: hcl.Pos{Line: 3, Column: 21, Byte: 34}},
	}
	got := renderPlan(t, everyKindPlan(t), true, hcl.Diagnostics{budget})
	assertGolden(t, "plan_every_kind.json", got)
	var doc map[string]any
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatalf("not one JSON document: %v", err)
	}
}

func TestPlanViewsWithoutChanges(t *testing.T) {
	m := &config.Manifest{Dir: t.TempDir()}
	p, _ := plan.Build(context.Background(), m, &state.State{Entries: map[string]*state.Entry{}}, plan.Options{})

	human := renderPlan(t, p, false, nil)
	assertGolden(t, "plan_no_changes.txt", human)

	got := renderPlan(t, p, true, nil)
	assertGolden(t, "plan_no_changes.json", got)
	for _, key := range []string{`"changes": []`, `"diagnostics": []`, `"by_resolution": {}`} {
		if !strings.Contains(string(got), key) {
			t.Errorf("JSON without changes lacks %s (empty lists must not be null):\n%s", key, got)
		}
	}
}

func TestSummaryLine(t *testing.T) {
	tests := []struct {
		totals plan.Totals
		want   string
	}{
		{plan.Totals{Create: 3, Replace: 1, NoOp: 12, Cost: 184, MaxCost: 2000}, "Plan: 3 to create, 1 to replace, 12 unchanged; estimated 184 credits of a 2,000 budget."},
		{plan.Totals{Retry: 1, Resume: 2, Download: 1, Forget: 1, Cost: 12.5}, "Plan: 1 to retry, 2 to resume, 1 to download, 1 to forget; estimated 12.5 credits."},
	}
	for _, tt := range tests {
		if got := summaryLine(tt.totals); got != tt.want {
			t.Errorf("summaryLine(%+v)\n got %q\nwant %q", tt.totals, got, tt.want)
		}
	}
}

// BenchmarkPlanHumanView5k renders the table of 5,000 creates, the size of
// the 10k-video benchmark's plan (BENCHMARKS.md).
func BenchmarkPlanHumanView5k(b *testing.B) {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Totals: plan.Totals{Create: 5000, NoOp: 5000, ByResolution: map[string]float64{"1080p": 160000}}}
	for i := range 5000 {
		v := goldenVideo("clip", 8, "1080p")
		v.Address = fmt.Sprintf("video.clip[\"k%05d\"]", i)
		req := plan.RequestFor(v, ltx.MustProvider(ltx.DefaultProvider))
		p.Changes = append(p.Changes, plan.Change{Address: v.Address, Action: plan.ActionCreate, Mode: req.Mode(), Request: req, Output: fmt.Sprintf("out/clip/k%05d.mp4", i), Cost: 32, Reason: "new video"})
	}
	for _, bc := range []struct {
		name string
		env  *Env
	}{
		{"plain", &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}},
		// A colour terminal 200 columns wide: every column shown, the
		// action cells coloured.
		{"terminal", &Env{Stdout: io.Discard, Stderr: io.Discard, StdoutIsTerminal: true, Width: 200, Getenv: func(string) string { return "" }}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := newPlanView(newView(bc.env, false), false).Plan(p, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// plan -json's changes keep the names they had when they were plan.Change
// marshalled directly: a change with every field set encodes the same
// through the public type. A field added to plan.Change fails this test
// until the public type says whether it is part of the output.
func TestPlanJSONChangeKeepsTheFieldNames(t *testing.T) {
	var c plan.Change
	fillEveryField(reflect.ValueOf(&c).Elem())
	want, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(changeJSON(c))
	if err != nil {
		t.Fatal(err)
	}
	// The public type adds "after" (the request again, beside "before").
	var gotFields, wantFields map[string]any
	if err := json.Unmarshal(got, &gotFields); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &wantFields); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotFields["after"], gotFields["request"]) {
		t.Errorf("after = %v, want the request %v", gotFields["after"], gotFields["request"])
	}
	delete(gotFields, "after")
	if !reflect.DeepEqual(gotFields, wantFields) {
		t.Errorf("plan -json change:\n got %s\nwant %s", got, want)
	}
}

// fillEveryField sets every exported field of v to a value that is not its
// zero, so that no omitempty field is left out of the comparison.
func fillEveryField(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x-" + v.Type().Name())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeOf(time.Duration(0)) {
			v.SetInt(int64(time.Second))
			return
		}
		v.SetInt(7)
	case reflect.Uint64:
		v.SetUint(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEveryField(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillEveryField(v.Index(0))
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillEveryField(v.Field(i))
			}
		}
	}
}
