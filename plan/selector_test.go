package plan

import (
	"context"
	"strings"
	"testing"
)

// TestMistypedTargetSuggestsTheNearestAddress: a -target or -replace that
// matches nothing names the closest address of the manifest or the state,
// and none when nothing is close.
func TestMistypedTargetSuggestsTheNearestAddress(t *testing.T) {
	dir := t.TempDir()
	m := manifest(dir, video("hero", "", "hero", 6, "4K"), video("shot", "a", "shot a", 6, "1080p"))
	gone := entry(video("lighthouse", "", "gone", 6, "1080p"), "downloaded")
	for _, tc := range []struct {
		opts Options
		want string // "" = no suggestion
	}{
		{Options{Targets: []string{"video.shto"}}, "Did you mean video.shot?"},
		{Options{Targets: []string{`video.shot["b"]`}}, `Did you mean video.shot["a"]?`},
		{Options{Targets: []string{"video.lighthose"}}, "Did you mean video.lighthouse?"}, // in the state only
		{Options{Replace: []string{"video.hreo"}}, "Did you mean video.hero?"},
		{Options{Targets: []string{"video.villain"}}, ""},
	} {
		_, diags := Build(context.Background(), m, stateOf(gone), tc.opts)
		errs := errorsOf(diags)
		if len(errs) != 1 {
			t.Fatalf("%+v: errors %v, want one", tc.opts, errs)
		}
		got := errs[0].Detail
		if tc.want == "" && strings.Contains(got, "Did you mean") || tc.want != "" && !strings.HasPrefix(got, tc.want+" ") {
			t.Errorf("%+v: detail %q, want it to start with %q", tc.opts, got, tc.want)
		}
	}
}
