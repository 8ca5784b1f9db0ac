package config

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const movedVideos = `video "hero" {
  prompt = "a hero shot"
}
video "scene" {
  for_each = toset(["a", "b"])
  prompt   = "scene ${each.key}"
}
`

func TestMovedBlocksAreRead(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": movedVideos + `
moved {
  from = video.shot["a"]
  to   = video.hero
}
moved {
  from = video.shot
  to   = video.scene
}
moved {
  from = video.clip[0]
  to   = video.scene["b"]
}
`})
	m := mustLoad(t, dir, LoadOptions{})
	if len(m.Moves) != 3 {
		t.Fatalf("moves %+v, want 3", m.Moves)
	}
	one, block, count := m.Moves[0], m.Moves[1], m.Moves[2]
	if one.From != `video.shot["a"]` || one.To != "video.hero" || one.Block {
		t.Errorf("instance move read as %+v", one)
	}
	if !block.Block || !block.Covers(`video.shot["x"]`) || block.Target(`video.shot["x"]`) != `video.scene["x"]` || block.Covers("video.shots") {
		t.Errorf("block move read as %+v", block)
	}
	if count.From != "video.clip[0]" || count.To != `video.scene["b"]` {
		t.Errorf("count move read as %+v", count)
	}
	if one.DeclRange.Start.Line != 9 || one.FromRange.Start.Line != 10 {
		t.Errorf("ranges %v %v, want lines 9 and 10", one.DeclRange, one.FromRange)
	}
}

func TestMovedBlocksInJSON(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.json": `{
  "video": {"hero": {"prompt": "a hero shot"}},
  "moved": [{"from": "video.old", "to": "video.hero"}]
}`})
	m := mustLoad(t, dir, LoadOptions{})
	if len(m.Moves) != 1 || m.Moves[0].From != "video.old" || !m.Moves[0].Block {
		t.Fatalf("moves %+v", m.Moves)
	}
}

func TestMovedBlockErrors(t *testing.T) {
	for _, tt := range []struct {
		name, moved string
		kept        int      // moves that pass on their own
		want        []string // each diagnostic's "file:line: summary: detail" must hold one of these, in order
	}{
		{"from still declared", `
moved {
  from = video.hero
  to   = video.scene
}`, 0, []string{`main.ltx.hcl:10: Moved object still exists: video.hero is still declared at `}},
		{"from instance still in the manifest", `
moved {
  from = video.scene["a"]
  to   = video.hero
}`, 0, []string{`main.ltx.hcl:10: Moved object still exists: video.scene["a"] is still in the manifest (declared at main.ltx.hcl:4)`}},
		{"to not in the manifest", `
moved {
  from = video.old
  to   = video.heroes
}`, 0, []string{`main.ltx.hcl:11: Move to an undeclared video: No video block "heroes" is declared; a moved block's to names a video of the manifest. Did you mean "hero"?`}},
		{"to instance not in the manifest", `
moved {
  from = video.old
  to   = video.scene["c"]
}`, 0, []string{`main.ltx.hcl:11: Move to an undeclared video: video.scene["c"] is not a video of the manifest`}},
		{"chain", `
moved {
  from = video.a
  to   = video.b
}
moved {
  from = video.b
  to   = video.hero
}`, 1, []string{`main.ltx.hcl:11: Chained move statements: video.b is moved again, to video.hero, by the moved block at main.ltx.hcl:13; ltxform does not follow chains of moves. Write one block from the first address to the last: moved { from = video.a  to = video.hero }.`}},
		{"cycle", `
moved {
  from = video.a
  to   = video.b
}
moved {
  from = video.b
  to   = video.a
}`, 0, []string{`main.ltx.hcl:9: Cyclic move statements: This block moves video.a to video.b and the moved block at main.ltx.hcl:13 moves video.b back to video.a`}},
		{"same from twice", `
moved {
  from = video.old
  to   = video.hero
}
moved {
  from = video.old
  to   = video.scene
}`, 1, []string{`main.ltx.hcl:14: Ambiguous move statements: video.old is already moved to video.hero by the moved block at main.ltx.hcl:9`}},
		{"a string, not a reference", `
moved {
  from = "video.old"
  to   = video.hero
}`, 0, []string{`main.ltx.hcl:10: Invalid from address`}},
		{"not a video", `
moved {
  from = var.old
  to   = video.hero
}`, 0, []string{`main.ltx.hcl:10: Invalid from address`}},
		{"to itself", `
moved {
  from = video.hero
  to   = video.hero
}`, 0, []string{`main.ltx.hcl:11: Redundant moved block`}},
		{"missing to", `
moved {
  from = video.old
}`, 0, []string{`main.ltx.hcl:9: Missing required argument`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{"main.ltx.hcl": movedVideos + tt.moved})
			m, diags := Load(dir, LoadOptions{})
			if !diags.HasErrors() {
				t.Fatalf("no error; moves %+v", m.Moves)
			}
			if len(diags) != len(tt.want) {
				t.Errorf("%d diagnostics, want %d: %s", len(diags), len(tt.want), diags.Error())
			}
			for i, d := range diags {
				if i >= len(tt.want) {
					break
				}
				got := d.Summary + ": " + d.Detail
				if d.Subject != nil {
					got = d.Subject.Filename + ":" + strconv.Itoa(d.Subject.Start.Line) + ": " + got
				}
				got = strings.ReplaceAll(got, dir+string(filepath.Separator), "")
				if !strings.Contains(got, tt.want[i]) {
					t.Errorf("diagnostic %d:\n got %s\nwant %s", i, got, tt.want[i])
				}
			}
			if len(m.Moves) != tt.kept {
				t.Errorf("a refused move was kept: %+v", m.Moves)
			}
		})
	}
}
