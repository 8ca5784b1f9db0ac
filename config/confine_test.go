package config

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// link makes a symbolic link at name (relative to dir) or skips the test.
func link(t *testing.T, dir, target, name string) {
	t.Helper()
	if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
		t.Skip("no symlinks here:", err)
	}
}

// A file() read through a relative link that stays inside is read; the file
// it leads to is then spared by identity, whatever name an output gives it:
// its own path, its path through a linked directory, a hard link, or the
// directory holding it.
func TestReadThroughLinkInsideSparesItsTarget(t *testing.T) {
	const manifest = "video \"v\" {\n  prompt = file(\"hero.txt\")\n  output = %q\n}\n"
	tests := []struct {
		name, output string
		setup        func(t *testing.T, dir string)
		words        []string
	}{
		{"not an alias", "out/v.mp4", nil, nil},
		{"the link's target", "prompts/real.txt", nil, []string{"prompts/real.txt, the file read as hero.txt"}},
		{"the target through a linked directory", "alias/real.txt",
			func(t *testing.T, dir string) { link(t, dir, "prompts", "alias") },
			[]string{"alias/real.txt, the file read as hero.txt", "file() or templatefile()"}},
		{"a hard link to the target", "copy.txt",
			func(t *testing.T, dir string) {
				if err := os.Link(filepath.Join(dir, "prompts", "real.txt"), filepath.Join(dir, "copy.txt")); err != nil {
					t.Skip("no hard links here:", err)
				}
			},
			[]string{"copy.txt, the file read as hero.txt"}},
		{"the directory holding the target", "prompts", nil, []string{"prompts, the directory holding the file read as hero.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{
				"main.ltx.hcl":     fmt.Sprintf(manifest, tt.output),
				"prompts/real.txt": "a lighthouse at dusk",
			})
			link(t, dir, filepath.Join("prompts", "real.txt"), "hero.txt")
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			if tt.words == nil {
				m := mustLoad(t, dir, LoadOptions{})
				if got := m.Videos[0].Prompt; got != "a lighthouse at dusk" {
					t.Errorf("prompt = %q, want the target's text", got)
				}
				return
			}
			oneError(t, dir, LoadOptions{}, "Invalid output", "main.ltx.hcl", 3, tt.words...)
		})
	}
}

// A read whose link leads outside is refused at the file() call, whether the
// link climbs out with "..", is absolute, or is absolute but names a file
// inside (os.Root follows only relative links that stay inside).
func TestReadThroughLinkOutRefused(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		target func(dir string) string
		why    string // how the message names the link
	}{
		{"relative out", func(dir string) string {
			rel, err := filepath.Rel(dir, filepath.Join(outside, "secret.txt"))
			if err != nil {
				t.Fatal(err)
			}
			return rel
		}, "leads outside the manifest directory through a symbolic link: hero.txt points to ../"},
		{"absolute out", func(string) string { return filepath.Join(outside, "secret.txt") }, "leads outside the manifest directory through a symbolic link: hero.txt points to /"},
		// Refused although it points inside: the fix is to make it relative.
		{"absolute in", func(dir string) string { return filepath.Join(dir, "prompts", "real.txt") }, "is reached through a symbolic link with an absolute target (hero.txt points to "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{
				"main.ltx.hcl":     "video \"v\" {\n  prompt = file(\"hero.txt\")\n}\n",
				"prompts/real.txt": "hero",
			})
			link(t, dir, tt.target(dir), "hero.txt")
			oneError(t, dir, LoadOptions{}, "Invalid function argument", "main.ltx.hcl", 2,
				`"hero.txt" `, tt.why)
		})
	}
}

// An output whose directory, or an ancestor of it not made yet, is a link
// out is refused; so is one whose directory holds a relative link that
// climbs out. Each is reported once, at the video's output.
func TestOutputDirectoryLinkOut(t *testing.T) {
	for _, tt := range []struct {
		name, output string
		setup        func(t *testing.T, dir, outside string)
	}{
		{"directory is a link out", "renders/v.mp4", func(t *testing.T, dir, outside string) {
			link(t, dir, outside, "renders")
		}},
		{"deeper directories not made yet", "renders/2026/june/v.mp4", func(t *testing.T, dir, outside string) {
			if err := os.Mkdir(filepath.Join(dir, "renders"), 0o755); err != nil {
				t.Fatal(err)
			}
			link(t, dir, outside, "renders/2026")
		}},
		{"relative link climbs out", "renders/v.mp4", func(t *testing.T, dir, outside string) {
			link(t, dir, filepath.Join("..", "..", ".."), "renders")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{"main.ltx.hcl": fmt.Sprintf("video \"v\" {\n  prompt = \"p\"\n  output = %q\n}\n", tt.output)})
			tt.setup(t, dir, t.TempDir())
			oneError(t, dir, LoadOptions{}, "Invalid output", "main.ltx.hcl", 3,
				"The output of video.v", "leads outside the manifest directory through a symbolic link")
		})
	}
}
