package ltx

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// replicate: Replicate's predictions API for the official Lightricks models
// (providers.md §5), named without their owner: "ltx-2.5-fast" is
// lightricks/ltx-2.5-fast. Bearer key; a create is POST /v1/models/{owner}/{name}/
// predictions with {"input":{...}}; a prediction is starting, processing,
// succeeded, failed, canceled or aborted (ended before it started). Inputs
// and outputs are deleted an hour after the prediction ends. Errors are RFC
// 7807 problems without a machine code, so ltxform names them by status. No
// idempotency key; no published price for these models.
var providerReplicate = register(&Provider{
	Name:           "replicate",
	Description:    "Replicate's predictions API, api.replicate.com (official lightricks models)",
	DefaultBaseURL: "https://api.replicate.com",
	KeyEnv:         []string{"REPLICATE_API_TOKEN"},
	Unit:           UnitUSD,
	Statuses:       replicateStatus,
	Capabilities: Capabilities{
		Attributes:            []string{"image_url", "aspect_ratio", "model", "fps", "generate_audio", "last_frame_url"},
		ResultRetention:       time.Hour,
		GenerationTime:        time.Minute,
		GenerationTimeAssumed: true,
	},
	Limits: Limits{
		PromptMax:        5000,
		PromptMaxAssumed: true,
		Resolutions:      []string{"720p", "1080p", "1440p", "4K"},
		AspectRatios:     []string{"16:9", "9:16"},
		Durations:        replicateDurations,
		Models: []Model{
			{Name: "ltx-2.5-fast"},
			// Assumed: a subset of ltx-2.5-fast's inputs (its schema is
			// at GET /v1/models/lightricks/ltx-2-fast).
			{Name: "ltx-2-fast", Resolutions: []string{"1080p", "1440p", "4K"}, FPS: []int{25, 50}},
		},
		DefaultModel:    "ltx-2.5-fast",
		FPS:             []int{24, 25, 48, 50},
		DefaultFPS:      25,
		ImageMaxBytes:   10 << 20, // assumed: Replicate documents none for a URL input
		LastFrameModels: []string{"ltx-2.5-fast"},
	},
	// Not published anywhere found: assumed to match fal's fast endpoints;
	// a pricing block overrides them.
	Prices: []Price{
		{Model: "ltx-2.5-fast", Resolution: "720p", PerSecond: 0.04, Assumed: true},
		{Model: "ltx-2.5-fast", Resolution: "1080p", PerSecond: 0.04, Assumed: true},
		{Model: "ltx-2.5-fast", Resolution: "1440p", PerSecond: 0.08, Assumed: true},
		{Model: "ltx-2.5-fast", Resolution: "4K", PerSecond: 0.16, Assumed: true},
		{Model: "ltx-2-fast", Resolution: "1080p", PerSecond: 0.04, Assumed: true},
		{Model: "ltx-2-fast", Resolution: "1440p", PerSecond: 0.08, Assumed: true},
		{Model: "ltx-2-fast", Resolution: "4K", PerSecond: 0.16, Assumed: true},
	},
	Codes: []CodeInfo{
		{"unauthenticated", http.StatusUnauthorized, "The token is missing or invalid.",
			"Set REPLICATE_API_TOKEN (or LTX_API_KEY) to a token from replicate.com/account/api-tokens.", ClassRunFatal, ThrottleNone},
		{"insufficient_credit", http.StatusPaymentRequired, "The account has no credit left: nothing was created.",
			"Add credit at replicate.com/account/billing, then apply again.", ClassRunStop, ThrottleNone},
		{"not_found", http.StatusNotFound, "The model or the prediction is unknown.",
			"Check the model name; the next plan creates a lost video again.", ClassTaskLost, ThrottleNone},
		{"invalid_input", http.StatusUnprocessableEntity, "An input was refused (the detail names it).",
			"Check the video's attributes against the replicate limits (ltxform validate names them).", ClassTaskPermanent, ThrottleNone},
		{"throttled", http.StatusTooManyRequests, "Too many requests (600 creates a minute): nothing was created.",
			"Nothing to do: the create is sent again after Retry-After; lower requests_per_minute if it recurs.", ClassRetry, ThrottleRate},
		{"server_error", http.StatusInternalServerError, "A server error.",
			"Apply again; if it persists, check status.replicate.com.", ClassRetry, ThrottleNone},
		{"failed", 0, "The prediction failed.", "Nothing to do: a new prediction is created, up to max_attempts.", ClassTaskRetry, ThrottleNone},
		{"canceled", 0, "The prediction was canceled (by Cancel-After: it ran past task_timeout).",
			"Raise task_timeout if predictions need longer; the next plan creates it again.", ClassTaskLost, ThrottleNone},
		{"aborted", 0, "The prediction ended before it started: nothing was bought.",
			"Nothing to do: a new prediction is created, up to max_attempts.", ClassTaskRetry, ThrottleNone},
		{"data_removed", 0, "The output was deleted an hour after the prediction ended, before it was downloaded.",
			"The next plan creates the video again.", ClassTaskLost, ThrottleNone},
	},
	wire: wire{
		create: createReplicate,
		poll:   func(ref TaskRef) string { return "/v1/predictions/" + url.PathEscape(ref.ID) },
		cancel: func(ref TaskRef) (string, string) {
			return http.MethodPost, "/v1/predictions/" + url.PathEscape(ref.ID) + "/cancel"
		},
		createHeaders: replicateCreateHeaders,
		decode:        decodeReplicate,
		parseError:    parseReplicateError,
	},
})

// replicateStatus is a prediction's status vocabulary.
var replicateStatus = map[string]Status{
	"starting": StatusQueued, "processing": StatusProcessing, "succeeded": StatusCompleted,
	"failed": StatusFailed, "canceled": StatusFailed, "aborted": StatusFailed,
}

// replicateCodeByStatus names an RFC 7807 problem, which carries no code.
var replicateCodeByStatus = map[int]string{
	http.StatusUnauthorized: "unauthenticated", http.StatusPaymentRequired: "insufficient_credit",
	http.StatusNotFound: "not_found", http.StatusUnprocessableEntity: "invalid_input",
	http.StatusBadRequest: "invalid_input", http.StatusTooManyRequests: "throttled",
	http.StatusInternalServerError: "server_error",
}

var replicateWireResolution = map[string]string{"720p": "720p", "1080p": "1080p", "1440p": "2k", "4K": "4k"}

// replicateDurations: the model page's list; past 10 s only at 720p/1080p
// and 24/25 fps, as at Lightricks (assumed: the same model).
func replicateDurations(model, resolution string, fps int) []int {
	d := []int{2, 3, 4, 5, 6, 8, 10}
	if model == "ltx-2-fast" {
		return []int{6, 8, 10}
	}
	if (resolution == "720p" || resolution == "1080p") && (fps == 0 || fps == 24 || fps == 25) {
		d = append(d, 12, 14, 16, 18, 20)
	}
	return d
}

type replicateInput struct {
	Prompt         string `json:"prompt"`
	Duration       int    `json:"duration"`
	Resolution     string `json:"resolution"`
	FPS            int    `json:"fps,omitempty"`
	AspectRatio    string `json:"aspect_ratio,omitempty"`
	GenerateAudio  *bool  `json:"generate_audio,omitempty"`
	Image          string `json:"image,omitempty"`
	LastFrameImage string `json:"last_frame_image,omitempty"`
}

func createReplicate(req CreateRequest, _ string) (string, []byte, error) {
	model := req.Model
	if model == "" {
		model = "ltx-2.5-fast"
	}
	res, ok := replicateWireResolution[req.Resolution]
	if !ok {
		res = req.Resolution
	}
	in := replicateInput{Prompt: req.Prompt, Duration: req.Duration, Resolution: res, FPS: req.FPS,
		AspectRatio: req.AspectRatio, GenerateAudio: req.GenerateAudio, Image: req.ImageURL, LastFrameImage: req.LastFrameURL}
	body, err := json.Marshal(map[string]any{"input": in})
	if err != nil {
		return "", nil, fmt.Errorf("ltx: encoding the create request: %w", err)
	}
	// The official models are all Lightricks': the manifest names the model
	// alone, so that a pricing key MODEL/RESOLUTION stays one slash.
	return "/v1/models/lightricks/" + url.PathEscape(model) + "/predictions", body, nil
}

// replicateCreateHeaders: Cancel-After makes Replicate cancel a prediction
// that runs past the task timeout (at least 5 s), rather than bill it on.
func replicateCreateHeaders(taskTimeout time.Duration) http.Header {
	h := http.Header{}
	if taskTimeout > 0 {
		h.Set("Cancel-After", fmt.Sprintf("%ds", int64(max(taskTimeout, 5*time.Second)/time.Second)))
	}
	return h
}

// decodeReplicate reads a prediction.
func decodeReplicate(status int, h http.Header, body []byte, now time.Time) (taskAnswer, error) {
	top := object(body)
	if top == nil {
		return taskAnswer{}, fmt.Errorf("%w: the body is not a JSON object", ErrMalformedResponse)
	}
	t := &Task{ID: top.str("id"), RequestID: clean(h.Get("X-Request-Id")), Status: StatusQueued}
	if urls := top.obj("urls"); urls != nil {
		t.URLs = TaskURLs{Status: urls.str("get"), Cancel: urls.str("cancel")}
	}
	raw := top.str("status")
	if raw != "" {
		st, ok := replicateStatus[raw]
		if !ok {
			return taskAnswer{}, fmt.Errorf("%w: unknown prediction status %q", ErrMalformedResponse, raw)
		}
		t.Status = st
	}
	var outputs []string
	if s := top.str("output"); s != "" {
		outputs = []string{s}
	} else {
		_ = json.Unmarshal(top["output"], &outputs)
	}
	switch {
	case t.Status == StatusFailed:
		msg := top.str("error")
		if msg == "" {
			msg = "the prediction " + raw
		}
		t.Error = &TaskError{Code: raw, Message: msg}
	case t.Status == StatusCompleted && len(outputs) > 0:
		t.VideoURL = outputs[0]
	case t.Status == StatusCompleted && string(top["data_removed"]) == "true":
		t.Status = StatusFailed
		t.Error = &TaskError{Code: "data_removed", Message: "the output was deleted an hour after the prediction ended"}
	}
	return taskAnswer{task: t}, nil
}

// parseReplicateError reads an RFC 7807 problem {type,title,status,detail}
// (or a bare {"detail":...}); it carries no code, so the status names it.
func parseReplicateError(status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{StatusCode: status, RequestID: clean(h.Get("X-Request-Id")),
		RetryAfter: parseRetryAfter(h.Get("Retry-After"), now), Code: replicateCodeByStatus[status]}
	if top := object(body); top != nil {
		e.Message = top.str("detail", "title")
	} else {
		e.Message = textOf(body)
	}
	if e.Code == "" && status >= 500 {
		e.Code = "server_error"
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}
