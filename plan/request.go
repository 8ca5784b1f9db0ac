package plan

import (
	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// RequestFor is the API request body a video turns into. Its Hash is the
// video's input hash: any change to it means the video must be made again.
func RequestFor(v *config.Video) ltx.CreateRequest {
	return ltx.CreateRequest{
		Prompt:      v.Prompt,
		Duration:    int(v.Duration), // CheckLimits refused fractions already
		Resolution:  v.Resolution,
		ImageURL:    v.ImageURL,
		AspectRatio: v.AspectRatio,
		Seed:        v.Seed,
		WebhookURL:  v.WebhookURL,
	}
}
