package plan

import (
	"sort"

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

// sensitiveAttributes lists, sorted, the attributes of v computed from a
// sensitive variable.
func sensitiveAttributes(v *config.Video) []string {
	var names []string
	for name, sensitive := range v.Sensitive {
		if sensitive {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// SensitiveValue stands in for a hidden value in output.
const SensitiveValue = "(sensitive value)"

// Redacted is c with the text of its sensitive request attributes hidden,
// for views. Numbers (duration, seed) are shown: they say little.
func (c Change) Redacted() Change {
	for _, name := range c.Sensitive {
		switch name {
		case "prompt":
			c.Request.Prompt = SensitiveValue
		case "image_url":
			c.Request.ImageURL = SensitiveValue
		case "webhook_url":
			c.Request.WebhookURL = SensitiveValue
		case "aspect_ratio":
			c.Request.AspectRatio = SensitiveValue
		case "resolution":
			c.Request.Resolution = SensitiveValue
		}
	}
	return c
}
