package plan

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/state"
)

// The benchmark's fixture: a manifest of 10,000 videos from one for_each over
// a map of 200-character prompts, and a state holding 5,000 of them as
// downloaded, each output file present with the checksum the state recorded
// (the realistic steady state of a cron job: every downloaded file is stat'ed
// and hashed). The files are 1 KiB, so the figures measure the per-video cost;
// hashing real videos adds their size at sha256's speed (BENCHMARKS.md).
const (
	benchVideos     = 10_000
	benchInState    = 5_000
	benchPromptLen  = 200
	benchOutputSize = 1024
)

var fixtureDir = flag.String("plan-fixture", "", "write the 10k-video benchmark fixture to `DIR` (for timing the CLI) and exit")

// writeBenchFixture writes main.ltx.hcl, the output files and
// .ltxform/state.json under dir.
func writeBenchFixture(tb testing.TB, dir string) {
	tb.Helper()
	writeBenchManifest(tb, dir, benchVideos)
	m, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	if len(m.Videos) != benchVideos {
		tb.Fatalf("fixture has %d videos, want %d", len(m.Videos), benchVideos)
	}
	st := &state.State{FormatVersion: state.FormatVersion, Serial: 1, Lineage: "bench", Entries: map[string]*state.Entry{}}
	for i, v := range m.Videos {
		if i%2 == 1 { // every other video: the state's half is spread over the manifest
			continue
		}
		e := entry(v, state.StatusDownloaded)
		e.CostConsumed = 32
		path := outputPath(dir, v.Output)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		content := strings.Repeat(v.Key, benchOutputSize/len(v.Key)+1)[:benchOutputSize]
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
		e.SHA256, _ = fileSHA256(context.Background(), path)
		e.Bytes = benchOutputSize
		info, err := os.Stat(path)
		if err != nil {
			tb.Fatal(err)
		}
		e.OutputModTime = info.ModTime().UTC() // as apply records it
		st.Entries[e.Address] = e
	}
	if len(st.Entries) != benchInState {
		tb.Fatalf("fixture state has %d entries, want %d", len(st.Entries), benchInState)
	}
	data, err := json.Marshal(st)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".ltxform"), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".ltxform", "state.json"), data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// writeBenchManifest writes main.ltx.hcl: n videos from one for_each over a
// map of distinct prompts, the manifest bench/plan-vs-terraform.sh writes.
func writeBenchManifest(tb testing.TB, dir string, n int) {
	tb.Helper()
	var hcl strings.Builder
	hcl.WriteString("locals {\n  prompts = {\n")
	for i := range n {
		fmt.Fprintf(&hcl, "    k%05d = %q\n", i, benchPrompt(i))
	}
	hcl.WriteString("  }\n}\n\nvideo \"clip\" {\n  for_each   = local.prompts\n  prompt     = each.value\n  duration   = 8\n  resolution = \"1080p\"\n}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(hcl.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// benchPrompt is a distinct prompt of exactly benchPromptLen characters.
func benchPrompt(i int) string {
	p := fmt.Sprintf("Shot %05d: a slow dolly across a rain-soaked neon street at night, reflections shimmering in puddles, ", i)
	for len(p) < benchPromptLen {
		p += "cinematic, "
	}
	return p[:benchPromptLen]
}

// TestWritePlanFixture writes the fixture for timing "ltxform plan" itself;
// it runs only with -plan-fixture=DIR.
func TestWritePlanFixture(t *testing.T) {
	if *fixtureDir == "" {
		t.Skip("run with -plan-fixture=DIR to write the benchmark fixture")
	}
	if err := os.MkdirAll(*fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeBenchFixture(t, *fixtureDir)
}

func BenchmarkPlan10kVideos(b *testing.B) {
	dir := b.TempDir()
	writeBenchFixture(b, dir)
	loadState := func(b *testing.B) *state.State {
		store := state.NewLocalStore(dir)
		defer store.Close()
		st, err := store.Load(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	loadManifest := func(b *testing.B) *config.Manifest {
		m, diags := config.Load(dir, config.LoadOptions{})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		return m
	}
	check := func(b *testing.B, p *Plan) {
		if p.Totals.Create != benchVideos-benchInState || p.Totals.NoOp != benchInState {
			b.Fatalf("totals = %+v, want %d creates and %d no-ops", p.Totals, benchVideos-benchInState, benchInState)
		}
	}

	b.Run("config.Load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loadManifest(b)
		}
	})
	b.Run("plan.CheckLimits", func(b *testing.B) {
		m := loadManifest(b)
		b.ReportAllocs()
		for b.Loop() {
			if diags := checkDefault(m.Videos); diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("state.Load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loadState(b)
		}
	})
	b.Run("plan.Build", func(b *testing.B) {
		m, st := loadManifest(b), loadState(b)
		b.ReportAllocs()
		for b.Loop() {
			p, diags := Build(context.Background(), m, st, Options{})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			check(b, p)
		}
	})
	// The worst case: every file's time differs from the state's (files
	// copied or touched, or a state from before times were recorded), so
	// every downloaded video is read and hashed.
	b.Run("plan.Build-rehash", func(b *testing.B) {
		m, st := loadManifest(b), loadState(b)
		for _, e := range st.Entries {
			e.OutputModTime = time.Time{}
		}
		b.ReportAllocs()
		for b.Loop() {
			p, diags := Build(context.Background(), m, st, Options{})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			check(b, p)
		}
	})
	b.Run("together", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p, diags := Build(context.Background(), loadManifest(b), loadState(b), Options{})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			check(b, p)
		}
	})
}

// BenchmarkPlan1kFresh is the in-process half of the comparison with
// terraform (bench/plan-vs-terraform.sh): 1,000 videos, no state, so the
// plan is 1,000 creates. The steps are those of "ltxform plan" before its
// view: load and check the manifest, read the (empty) state, build.
func BenchmarkPlan1kFresh(b *testing.B) {
	dir := b.TempDir()
	writeBenchManifest(b, dir, 1000)
	load := func(b *testing.B) *config.Manifest {
		m, diags := config.Load(dir, config.LoadOptions{})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if diags := CheckManifest(m, time.Now()); diags.HasErrors() {
			b.Fatal(diags)
		}
		return m
	}
	b.Run("config.Load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			load(b)
		}
	})
	b.Run("plan.Build", func(b *testing.B) {
		m := load(b)
		b.ReportAllocs()
		for b.Loop() {
			store := state.NewLocalStore(dir)
			st, err := store.Load(context.Background())
			store.Close()
			if err != nil {
				b.Fatal(err)
			}
			p, diags := Build(context.Background(), m, st, Options{})
			if diags.HasErrors() || p.Totals.Create != 1000 {
				b.Fatalf("plan: %v, %+v", diags, p.Totals)
			}
		}
	})
}
