package media

import (
	"fmt"
	"math"
	"strings"
)

// DurationTolerance is how far a video's length may be from the order's.
const DurationTolerance = 0.5

// Order is what a video was ordered as. A zero Width, Duration or FPS and a
// nil Audio are not checked (the service documents no such promise, or the
// manifest did not ask).
type Order struct {
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	DurationS float64 `json:"duration_s,omitempty"`
	FPS       int     `json:"fps,omitempty"`
	Audio     *bool   `json:"audio,omitempty"`
}

// Differences lists, in words, each way the video differs from the order;
// none when it is what was ordered.
func (o Order) Differences(got Info) []string {
	var out []string
	if o.Width > 0 && (got.Width != o.Width || got.Height != o.Height) {
		out = append(out, fmt.Sprintf("size %dx%d, ordered %dx%d", got.Width, got.Height, o.Width, o.Height))
	}
	if o.DurationS > 0 && math.Abs(got.DurationS-o.DurationS) > DurationTolerance {
		out = append(out, fmt.Sprintf("%s long, ordered %s", seconds(got.DurationS), seconds(o.DurationS)))
	}
	if o.FPS > 0 && math.Abs(got.FPS-float64(o.FPS)) > 0.01*float64(o.FPS) {
		out = append(out, fmt.Sprintf("%s fps, ordered %d", trim(got.FPS), o.FPS))
	}
	if o.Audio != nil && *o.Audio != got.Audio {
		if *o.Audio {
			out = append(out, "no sound track, ordered with sound (generate_audio)")
		} else {
			out = append(out, "a sound track, ordered without (generate_audio = false)")
		}
	}
	return out
}

// String is the order in words: "1920x1080, 6 s, 24 fps, with sound".
func (o Order) String() string {
	var parts []string
	if o.Width > 0 {
		parts = append(parts, fmt.Sprintf("%dx%d", o.Width, o.Height))
	}
	if o.DurationS > 0 {
		parts = append(parts, seconds(o.DurationS))
	}
	if o.FPS > 0 {
		parts = append(parts, fmt.Sprintf("%d fps", o.FPS))
	}
	if o.Audio != nil {
		parts = append(parts, soundWord(*o.Audio))
	}
	return strings.Join(parts, ", ")
}

// String is the file in words: "1280x720, 3.04 s, 24 fps, silent".
func (i Info) String() string {
	return fmt.Sprintf("%dx%d, %s, %s fps, %s", i.Width, i.Height, seconds(i.DurationS), trim(i.FPS), soundWord(i.Audio))
}

func soundWord(audio bool) string {
	if audio {
		return "with sound"
	}
	return "silent"
}

func seconds(s float64) string { return trim(s) + " s" }

// trim writes at most two decimals and no trailing zeros.
func trim(f float64) string {
	s := strings.TrimRight(fmt.Sprintf("%.2f", f), "0")
	return strings.TrimSuffix(s, ".")
}
