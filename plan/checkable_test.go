package plan

import (
	"testing"

	"github.com/ltxform/ltxform/config"
)

// TestCheckable: a limit is checked on an invalid video only where what it
// reads evaluated; never on a default standing in for a failed attribute.
func TestCheckable(t *testing.T) {
	for _, tc := range []struct {
		name        string
		unevaluated []string
		attribute   string
		want        bool
	}{
		{"valid video", nil, "duration", true},
		{"the failed attribute itself", []string{"prompt"}, "prompt", false},
		{"another attribute of a video whose output failed", []string{"output"}, "resolution", true},
		{"any limit once the resolution failed", []string{"resolution"}, "duration", false},
		{"any limit once the model failed", []string{"model"}, "prompt", false},
		{"the prompt when only the image failed", []string{"image_url"}, "prompt", true},
	} {
		v := &config.Video{}
		for _, a := range tc.unevaluated {
			if v.Unevaluated == nil {
				v.Unevaluated = map[string]bool{}
			}
			v.Unevaluated[a] = true
		}
		if got := checkable(v, tc.attribute); got != tc.want {
			t.Errorf("%s: checkable(%s) = %v, want %v", tc.name, tc.attribute, got, tc.want)
		}
	}
}
