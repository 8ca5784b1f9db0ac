package command

import (
	"fmt"
	"strings"

	"github.com/ltxform/ltxform/internal/money"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/plan"
)

// importShapeDifferences compares what the service says a task was asked
// for (duration, resolution or size, mode) with the manifest's request for
// the video it is imported as: each difference is a line of warning. A
// service that reports nothing gives none; the entry then says its
// request is the manifest's at import.
func importShapeDifferences(p *ltx.Provider, req ltx.CreateRequest, got ltx.TaskShape) []string {
	var out []string
	if got.Duration != 0 && got.Duration != req.Duration {
		out = append(out, fmt.Sprintf("duration %d s, the manifest asks %d s", got.Duration, req.Duration))
	}
	if got.Resolution != "" {
		if reported, asked := resolutionOf(p, got.Resolution), resolutionOf(p, req.Resolution); reported != asked {
			out = append(out, fmt.Sprintf("resolution %s, the manifest asks %s", got.Resolution, req.Resolution))
		}
	}
	if got.Mode != "" {
		if reported := modeOf(got.Mode); reported != "" && reported != req.Mode() {
			out = append(out, fmt.Sprintf("mode %s, the manifest's request is %s", got.Mode, req.Mode()))
		}
	}
	return out
}

// importCostDifference compares what the service billed for the task with
// the manifest's estimate for the video: a task made from another request
// (8 s at 4K for a 6 s 1080p video) costs another amount.
func importCostDifference(billed, estimate float64, unit ltx.Unit) string {
	if billed <= 0 || estimate <= 0 || money.FromFloat(billed) == money.FromFloat(estimate) {
		return ""
	}
	return fmt.Sprintf("cost %s, the manifest's request is estimated at %s", plan.FormatCost(billed, unit), plan.FormatCost(estimate, unit))
}

// importWarning is one warning naming every difference.
func importWarning(addr, taskID string, diffs []string) string {
	return fmt.Sprintf("import %s: task %s does not look like the manifest's request: the service reports %s. "+
		"It is recorded as %s's task all the same (its request as the manifest's at import); if it is not, ltxform state rm %s undoes it.",
		addr, taskID, strings.Join(diffs, "; "), addr, shellQuote(addr))
}

// resolutionOf is a resolution's name for p ("1920x1080" is "1080p"), or
// the text itself when p has no name for it.
func resolutionOf(p *ltx.Provider, res string) string {
	if name := p.ResolutionName(res); name != "" {
		return name
	}
	return strings.ToLower(strings.TrimSpace(res))
}

// modeOf reads a service's word for a task's mode; "" when it is not one.
func modeOf(word string) ltx.Mode {
	switch strings.ToLower(strings.NewReplacer("_", "-", " ", "-").Replace(strings.TrimSpace(word))) {
	case "t2v", "text-to-video", "text2video", "text":
		return ltx.TextToVideo
	case "i2v", "image-to-video", "image2video", "image":
		return ltx.ImageToVideo
	}
	return ""
}
