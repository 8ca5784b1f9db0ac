package plan

import (
	"sort"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// RequestFor is the request a video turns into for provider p (the
// manifest's, from ProviderOf): there is no provider a request is made for
// by default.
func RequestFor(v *config.Video, p *ltx.Provider) ltx.CreateRequest {
	return requestFor(v, p)
}

// requestFor is the request a video turns into for provider p: the model
// filled in where the provider needs one, and, for a provider that speaks
// sizes, the aspect ratio folded into the size it sends ("1080p" with "9:16"
// is "1080x1920"). Its Hash is the video's input hash: any change to it
// means the video must be made again.
func requestFor(v *config.Video, p *ltx.Provider) ltx.CreateRequest {
	req := ltx.CreateRequest{
		Prompt:        v.Prompt,
		Duration:      int(v.Duration), // the limits refused fractions already
		Resolution:    v.Resolution,
		ImageURL:      v.ImageURL,
		AspectRatio:   v.AspectRatio,
		Seed:          v.Seed,
		WebhookURL:    v.WebhookURL,
		Model:         v.Model,
		FPS:           v.FPS,
		GenerateAudio: v.GenerateAudio,
		CameraMotion:  v.CameraMotion,
		LastFrameURL:  v.LastFrameURL,
		ImageFile:     v.ImageFile,
		ImageSHA256:   v.ImageFileSHA256,
	}
	if req.Model == "" {
		req.Model = p.Limits.DefaultModel
	}
	if sizes := p.Limits.ResolutionSizes; sizes != nil {
		if size, ok := sizes[req.Resolution]; ok {
			req.Resolution = size
			if req.AspectRatio == "9:16" {
				req.Resolution = swapSize(size)
			}
		}
		req.AspectRatio = ""
	}
	return req
}

func swapSize(size string) string {
	for i := 0; i < len(size); i++ {
		if size[i] == 'x' {
			return size[i+1:] + "x" + size[:i]
		}
	}
	return size
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
		case "model":
			c.Request.Model = SensitiveValue
		case "camera_motion":
			c.Request.CameraMotion = SensitiveValue
		case "last_frame_url":
			c.Request.LastFrameURL = SensitiveValue
		case "image_file":
			c.Request.ImageFile = SensitiveValue
		}
	}
	return c
}
