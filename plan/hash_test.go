package plan

import (
	"testing"

	"github.com/ltxform/ltxform/config"
)

func TestManifestHash(t *testing.T) {
	base := func() *config.Manifest {
		return manifest("/m", video("a", "", "first", 6, "1080p"), video("b", "", "second", 8, "4K"))
	}
	want := ManifestHash(base())
	if got := ManifestHash(base()); got != want {
		t.Fatalf("the same manifest hashed differently: %s, %s", got, want)
	}
	reordered := base()
	reordered.Videos[0], reordered.Videos[1] = reordered.Videos[1], reordered.Videos[0]
	if got := ManifestHash(reordered); got != want {
		t.Errorf("the order of videos changed the hash")
	}

	edits := map[string]func(m *config.Manifest){
		"prompt":      func(m *config.Manifest) { m.Videos[0].Prompt = "edited" },
		"duration":    func(m *config.Manifest) { m.Videos[1].Duration = 10 },
		"output":      func(m *config.Manifest) { m.Videos[0].Output = "elsewhere.mp4" },
		"new video":   func(m *config.Manifest) { m.Videos = append(m.Videos, video("c", "", "third", 6, "1080p")) },
		"parallelism": func(m *config.Manifest) { m.API.Parallelism = 2 },
		"pricing":     func(m *config.Manifest) { m.Pricing = map[string]float64{"4K": 20} },
		"budget":      func(m *config.Manifest) { m.Budget = &config.Budget{MaxCost: 10} },
	}
	for name, edit := range edits {
		m := base()
		edit(m)
		if ManifestHash(m) == want {
			t.Errorf("editing the %s left the hash unchanged", name)
		}
	}
}
