package command

import (
	"strings"
	"testing"

	"github.com/ltxform/ltxform/ltx"
)

// What a service reports of a task (where it reports anything) is compared
// with the manifest's request: every difference is named, a size and its
// resolution name are the same, and nothing reported is no difference.
func TestImportShapeDifferences(t *testing.T) {
	req := ltx.CreateRequest{Prompt: "a heron", Duration: 6, Resolution: "1080p"}
	for _, tc := range []struct {
		name     string
		provider string
		got      ltx.TaskShape
		want     []string
	}{
		{"nothing reported", ltx.DefaultProvider, ltx.TaskShape{}, nil},
		{"the same", ltx.DefaultProvider, ltx.TaskShape{Duration: 6, Resolution: "1080p", Mode: "text-to-video"}, nil},
		{"8 s at 4K", ltx.DefaultProvider, ltx.TaskShape{Duration: 8, Resolution: "4K"}, []string{"duration 8 s, the manifest asks 6 s", "resolution 4K, the manifest asks 1080p"}},
		{"an image-to-video", ltx.DefaultProvider, ltx.TaskShape{Mode: "i2v"}, []string{"mode i2v, the manifest's request is t2v"}},
		{"a size for the same resolution", "lightricks", ltx.TaskShape{Resolution: "1920x1080"}, nil},
		{"a size for another", "lightricks", ltx.TaskShape{Resolution: "3840x2160"}, []string{"resolution 3840x2160, the manifest asks 1080p"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := importShapeDifferences(ltx.MustProvider(tc.provider), req, tc.got)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("differences %q, want %q", got, tc.want)
			}
		})
	}
	if d := importCostDifference(128, 24, ltx.UnitCredits); d != "cost 128 credits, the manifest's request is estimated at 24 credits" {
		t.Errorf("cost difference %q", d)
	}
	if d := importCostDifference(0.29, 0.09+0.20, ltx.UnitUSD); d != "" {
		t.Errorf("the same cost in another float spelling is a difference: %q", d)
	}
}
