package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Among the outputs of a for_each in one directory (read once, not stat'ed
// file by file), the one file that links outside is refused; a link that
// stays inside, or a link that is no video's output, is not.
func TestOutputLinkAmongManyOutputs(t *testing.T) {
	outside := t.TempDir()
	for _, name := range []string{"c.mp4", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(outside, name), []byte("someone else's"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := `
locals {
  keys = toset(["a", "b", "c", "d"])
}

video "v" {
  for_each = local.keys
  prompt   = "p ${each.key}"
  output   = "out/${each.key}.mp4"
}

video "w" {
  prompt = "p"
  output = "far/w.mp4"
}
`
	tests := []struct {
		name  string
		links map[string]string // link (relative to the manifest directory) → target
		bad   string            // the address refused, "" for none
	}{
		{"no links", nil, ""},
		{"file links outside", map[string]string{"out/c.mp4": filepath.Join(outside, "c.mp4")}, "video.v[\"c\"]"},
		{"file links inside", map[string]string{"out/c.mp4": "../kept.mp4"}, ""},
		{"other entry is a link", map[string]string{"out/notes.txt": filepath.Join(outside, "notes.txt")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{"main.ltx.hcl": manifest, "out/a.mp4": "x", "out/b.mp4": "x", "kept.mp4": "x"})
			for link, target := range tt.links {
				if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
					t.Skip("no symlinks here:", err)
				}
			}
			_, diags := Load(dir, LoadOptions{})
			if tt.bad == "" {
				if diags.HasErrors() {
					t.Fatalf("Load: %v", diags)
				}
				return
			}
			errs := diags.Errs()
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1 for %s: %v", len(errs), tt.bad, diags)
			}
			if want := "The output of " + tt.bad + ","; !strings.Contains(errs[0].Error(), want) || !strings.Contains(errs[0].Error(), "symbolic link") {
				t.Errorf("error %q, want one about %s leading out through a symbolic link", errs[0], tt.bad)
			}
		})
	}
}
