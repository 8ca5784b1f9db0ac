package plan

import (
	"fmt"
	"strings"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// actionCheckFile marks a downloaded video whose output file must be looked
// at before its action is known; checkOutputs resolves it.
const actionCheckFile Action = "check-file"

// decide is the diff of one manifest video against its state entry
// (DESIGN.md, "State and crash safety"). An input change wins over every
// status: whatever happened to the old request, the new one must be bought.
func decide(prior *state.Entry, c *Change, forced bool) (Action, string) {
	switch {
	case prior == nil:
		return ActionCreate, "new video"
	case forced:
		return ActionReplace, "replacement requested with -replace"
	case prior.InputHash != c.InputHash:
		return ActionReplace, changedFields(prior, c.Request)
	}
	switch prior.Status {
	case state.StatusPending:
		return ActionResume, "create not confirmed: re-sent with its Idempotency-Key, may be charged"
	case state.StatusCreated:
		return ActionResume, fmt.Sprintf("task %s in flight: polled, already paid for", prior.TaskID)
	case state.StatusCompleted:
		return ActionDownload, "generated but not downloaded yet"
	case state.StatusDownloaded:
		return actionCheckFile, ""
	case state.StatusFailed:
		if prior.ErrorCode != "" {
			return ActionRetry, "failed last time with " + prior.ErrorCode
		}
		return ActionRetry, "failed last time"
	default:
		return ActionResume, fmt.Sprintf("state status %q not finished", prior.Status)
	}
}

// changedFields names what differs from the prior request as far as the
// state can tell (it keeps mode, duration and resolution, not the prompt).
func changedFields(prior *state.Entry, req ltx.CreateRequest) string {
	var parts []string
	if prior.Mode != "" && prior.Mode != string(req.Mode()) {
		if req.ImageURL != "" {
			parts = append(parts, "image_url added")
		} else {
			parts = append(parts, "image_url removed")
		}
	}
	if prior.Duration != 0 && prior.Duration != req.Duration {
		parts = append(parts, fmt.Sprintf("duration %d → %d", prior.Duration, req.Duration))
	}
	if prior.Resolution != "" && prior.Resolution != req.Resolution {
		parts = append(parts, fmt.Sprintf("resolution %s → %s", prior.Resolution, req.Resolution))
	}
	if len(parts) == 0 {
		return "request changed (prompt, image_url, aspect_ratio, seed or webhook_url)"
	}
	return strings.Join(parts, ", ")
}

// creditsOf is what a change is expected to spend. A created task is paid
// for already; a pending one may not have reached the API, so it is counted.
func creditsOf(c *Change, pricing map[string]float64) float64 {
	switch c.Action {
	case ActionCreate, ActionReplace, ActionRetry:
		return Estimate(c.Request, pricing)
	case ActionResume:
		if c.Prior != nil && c.Prior.Status == state.StatusPending {
			return Estimate(c.Request, pricing)
		}
	}
	return 0
}
