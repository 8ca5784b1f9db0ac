package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// actionCheckFile marks a downloaded video whose output file must be looked
// at before its action is known; checkOutputs resolves it.
const actionCheckFile Action = "check-file"

// target is what every decision compares an entry against: where this
// plan's tasks go, and what the service promises.
type target struct {
	settings       Settings
	provider       *ltx.Provider
	retryUncertain bool
	now            time.Time
	host           string // this machine, as entries name the host that downloaded them
	storage        *config.Storage
}

// decide is the diff of one manifest video against its state entry
// (ARCHITECTURE.md, "State and crash safety"). An input change wins over every
// status: whatever happened to the old request, the new one must be bought.
func decide(prior *state.Entry, c *Change, forced bool, t target) (Action, string) {
	switch {
	case prior == nil:
		return ActionCreate, "new video"
	case t.settings.Simulated && !prior.Simulated:
		return ActionNoOp, "made by the real service: -simulate leaves it alone"
	case forced:
		return ActionReplace, "replacement requested with -replace"
	case prior.Simulated && !t.settings.Simulated:
		return ActionCreate, "made by the simulator (apply -simulate): no real video yet; the simulated file is kept until the real one is downloaded"
	case entryProvider(prior) != t.settings.Provider:
		return ActionCreate, fmt.Sprintf("made by provider %s; this plan targets %s", entryProvider(prior), t.settings.Provider)
	case prior.Endpoint != "" && !prior.Simulated && !SameEndpoint(prior.Endpoint, t.settings.Endpoint):
		return ActionCreate, fmt.Sprintf("made at %s; this plan sends to %s, where that task cannot be polled", prior.Endpoint, t.settings.Endpoint)
	case prior.InputHash != c.InputHash:
		return ActionReplace, changedFields(prior, c.Request)
	}
	switch prior.Status {
	case state.StatusPending:
		if t.settings.IdempotencyKey {
			return ActionResume, "create not confirmed: re-sent with its Idempotency-Key, may be charged"
		}
		if t.retryUncertain {
			return ActionResume, "create not confirmed, re-sent with -retry-uncertain: it may be bought twice"
		}
		return ActionUncertain, uncertainReason(prior, t.settings.Provider)
	case state.StatusCreated:
		if expired(prior.CreatedAt, t) {
			return ActionReplace, retentionReason(prior, t)
		}
		return ActionResume, fmt.Sprintf("task %s in flight: polled, already paid for", prior.TaskID)
	case state.StatusCompleted:
		if expired(prior.CompletedAt, t) {
			return ActionReplace, retentionReason(prior, t)
		}
		return ActionDownload, "generated but not downloaded yet"
	case state.StatusDownloaded:
		return actionCheckFile, ""
	case state.StatusFailed:
		if info, ok := t.provider.LookupCode(prior.ErrorCode); ok && info.Class == ltx.ClassTaskPermanent {
			reason := fmt.Sprintf("%s refused it with %s; not sent again while the request is unchanged (change it, or -replace %s to try anyway)", t.provider.Name, prior.ErrorCode, prior.Address)
			if info.Suggestion != "" {
				reason += ". " + info.Suggestion
			}
			return ActionParked, reason
		}
		if prior.ErrorCode != "" {
			return ActionRetry, "failed last time with " + prior.ErrorCode
		}
		return ActionRetry, "failed last time"
	default:
		// unknownStatuses refuses the plan; never guess what to buy.
		return ActionParked, fmt.Sprintf("state status %q is unknown to this build of ltxform: upgrade it", prior.Status)
	}
}

// entryProvider is the provider that made an entry; entries from before
// providers were made by the default one.
func entryProvider(e *state.Entry) string {
	if e.Provider == "" {
		return ltx.DefaultProvider
	}
	return e.Provider
}

func uncertainReason(prior *state.Entry, provider string) string {
	when := ""
	if !prior.UpdatedAt.IsZero() {
		when = " at " + prior.UpdatedAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("uncertain: a create was sent%s and no answer said it was not made; %s has no idempotency key ltxform trusts, so it may already be bought. "+
		"Not re-sent: check the service's dashboard, then apply -retry-uncertain (or -replace %s) to buy it knowingly", when, provider, prior.Address)
}

// expired tells a result the service no longer keeps: it lives its
// provider's retention from the time it was made (a lower bound on when it
// ended).
func expired(since time.Time, t target) bool {
	keep := t.provider.Capabilities.ResultRetention
	return keep > 0 && !since.IsZero() && !t.now.IsZero() && t.now.Sub(since) > keep
}

func retentionReason(prior *state.Entry, t target) string {
	return fmt.Sprintf("lost: task %s was made %s ago and %s keeps results for %s; it is made again",
		prior.TaskID, roundAge(t.now.Sub(firstNonZero(prior.CompletedAt, prior.CreatedAt))), t.provider.Name, t.provider.Capabilities.ResultRetention)
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, x := range ts {
		if !x.IsZero() {
			return x
		}
	}
	return time.Time{}
}

func roundAge(d time.Duration) string {
	if d > time.Hour {
		return d.Round(time.Hour).String()
	}
	return d.Round(time.Minute).String()
}

// changedFields names what differs from the prior request: each attribute
// when the state recorded the request, else what the state can tell (mode,
// duration, resolution).
func changedFields(prior *state.Entry, req ltx.CreateRequest) string {
	if prior.Request != nil {
		if changed, _ := Diff(*prior.Request, req); len(changed) > 0 {
			parts := make([]string, len(changed))
			for i, a := range changed {
				if len(a.Before) > 24 || len(a.After) > 24 || a.Before == "" || a.After == "" {
					parts[i] = a.Name + " changed"
				} else {
					parts[i] = fmt.Sprintf("%s %s → %s", a.Name, a.Before, a.After)
				}
			}
			return strings.Join(parts, ", ")
		}
	}
	var parts []string
	if prior.Mode != "" && prior.Mode != string(req.Mode()) {
		switch {
		case req.ImageFile != "":
			parts = append(parts, "image_file added")
		case req.Mode() == ltx.ImageToVideo:
			parts = append(parts, "image_url added")
		default:
			parts = append(parts, "image removed")
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

// costOf is what a change is expected to spend. A created task is paid
// for already; a pending one may not have reached the API, so it is counted.
func costOf(c *Change, prices Prices) (cost float64, assumed bool, key string) {
	switch c.Action {
	case ActionCreate, ActionReplace, ActionRetry, ActionUncertain:
		return prices.Estimate(c.Request)
	case ActionResume:
		if c.Prior != nil && c.Prior.Status == state.StatusPending {
			return prices.Estimate(c.Request)
		}
	}
	return 0, false, ""
}
