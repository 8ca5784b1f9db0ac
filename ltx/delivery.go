package ltx

import (
	"strconv"
	"strings"

	"github.com/ltxform/ltxform/media"
)

// Ordered is what the service promises for req, for the check of every
// download: the size where the service documents sizes (a resolution name
// alone promises none), the duration, the frame rate where one was asked
// for, and a sound track where generate_audio (or its documented default)
// says so.
func (p *Provider) Ordered(req CreateRequest) media.Order {
	o := media.Order{DurationS: float64(req.Duration), FPS: req.FPS}
	if p.Limits.ResolutionSizes != nil {
		size := sizeFor(p.Limits.ResolutionSizes, req.Resolution, req.AspectRatio)
		if w, h, ok := strings.Cut(size, "x"); ok {
			o.Width, _ = strconv.Atoi(w)
			o.Height, _ = strconv.Atoi(h)
		}
		if o.Width <= 0 || o.Height <= 0 {
			o.Width, o.Height = 0, 0
		}
	}
	if p.Capabilities.Takes("generate_audio") {
		audio := p.Limits.AudioByDefault
		if req.GenerateAudio != nil {
			audio = *req.GenerateAudio
		}
		o.Audio = &audio
	}
	return o
}
