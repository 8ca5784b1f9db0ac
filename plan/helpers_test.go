package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// video is a manifest video as config would evaluate it.
func video(name, key, prompt string, duration float64, resolution string) *config.Video {
	addr := "video." + name
	out := "out/" + name + ".mp4"
	if key != "" {
		addr += `["` + key + `"]`
		out = "out/" + name + "/" + key + ".mp4"
	}
	return &config.Video{
		Address: addr, Name: name, Key: key, Prompt: prompt,
		Duration: duration, Resolution: resolution, Output: out,
		DeclRange: hcl.Range{Filename: "main.ltx.hcl", Start: hcl.Pos{Line: 1, Column: 1}},
		Ranges:    map[string]hcl.Range{},
	}
}

func manifest(dir string, videos ...*config.Video) *config.Manifest {
	return &config.Manifest{
		Dir:    dir,
		API:    config.API{RequestsPerMinute: 120, Parallelism: 8, MaxAttempts: 5},
		Videos: videos,
	}
}

// entry is the state entry of v as apply records it with the given status.
func entry(v *config.Video, status state.Status) *state.Entry {
	req := RequestFor(v, ltx.MustProvider(ltx.DefaultProvider))
	return &state.Entry{
		Address: v.Address, InputHash: req.Hash(), Mode: string(req.Mode()), Status: status,
		Duration: req.Duration, Resolution: req.Resolution, Output: v.Output,
	}
}

func stateOf(entries ...*state.Entry) *state.State {
	st := &state.State{FormatVersion: state.FormatVersion, Serial: 7, Lineage: "lin-1", Entries: map[string]*state.Entry{}}
	for _, e := range entries {
		st.Entries[e.Address] = e
	}
	return st
}

// writeOutput writes content as v's output file and records its checksum
// and size in e, as a finished download would.
func writeOutput(t *testing.T, dir string, v *config.Video, e *state.Entry, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(v.Output))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	e.SHA256 = hex.EncodeToString(sum[:])
	e.Bytes = int64(len(content))
}

// modTime is the output file's modification time, as the executor records it.
func modTime(t *testing.T, dir string, v *config.Video) time.Time {
	t.Helper()
	info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(v.Output)))
	if err != nil {
		t.Fatal(err)
	}
	return info.ModTime().UTC()
}

func changeOf(t *testing.T, p *Plan, addr string) Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Address == addr {
			return c
		}
	}
	t.Fatalf("no change for %s in %+v", addr, p.Changes)
	return Change{}
}

func errorsOf(diags hcl.Diagnostics) hcl.Diagnostics {
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs
}

// checkDefault checks videos against the default provider's limits today.
func checkDefault(videos []*config.Video) hcl.Diagnostics {
	return CheckLimits(videos, ltx.MustProvider(ltx.DefaultProvider), time.Now())
}

// MaxPromptChars is the default provider's prompt limit.
const MaxPromptChars = 2000
