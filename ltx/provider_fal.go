package ltx

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// fal: fal.ai's queue API (providers.md §4). "Authorization: Key"; a model
// and a mode are an endpoint id (fal-ai/ltx-2.3/text-to-video/fast); the
// submit answers the request's own status, result and cancel URLs, which are
// stored and used. IN_QUEUE is waiting: fal never refuses on concurrency.
// COMPLETED is not success: it may carry an error, and the video comes from
// the result URL. No idempotency key; prices per endpoint in US dollars.
var providerFal = register(&Provider{
	Name:           "fal",
	Description:    "fal.ai's queue API, queue.fal.run (submit, status, result, cancel)",
	DefaultBaseURL: "https://queue.fal.run",
	KeyEnv:         []string{"FAL_KEY"},
	Auth:           AuthKey,
	Unit:           UnitUSD,
	Statuses:       falStatus,
	Capabilities: Capabilities{
		Attributes: []string{"image_url", "aspect_ratio", "model", "fps", "generate_audio", "last_frame_url"},
		// fal queues past the account's limit instead of refusing: this
		// bounds what ltxform keeps queued there.
		MaxConcurrentTasks:    2,
		CancelQueued:          true,
		GenerationTime:        time.Minute,
		GenerationTimeAssumed: true,
	},
	Limits: Limits{
		PromptMax:        5000,
		PromptMaxAssumed: true,
		Resolutions:      []string{"1080p", "1440p", "4K"},
		AspectRatios:     []string{"16:9", "9:16"},
		Durations:        falDurations,
		Models: []Model{
			{Name: "ltx-2.3-fast"},
			{Name: "ltx-2.3-pro"},
			{Name: "ltx-2-fast", FPS: []int{25, 50}, NoAspectRatio: true},
			{Name: "ltx-2-pro", FPS: []int{25, 50}, NoAspectRatio: true},
		},
		DefaultModel:    falDefaultModel,
		FPS:             []int{24, 25, 48, 50},
		DefaultFPS:      25,
		ImageMaxBytes:   10 << 20, // assumed: fal documents no limit for an image URL
		LastFrameModels: []string{"ltx-2.3-fast", "ltx-2.3-pro"},
	},
	// US dollars per second at 1080p / 1440p / 2160p, per endpoint. The
	// endpoints fal's pricing page does not list are assumed to cost what
	// their model's other mode costs.
	Prices: slices.Concat(
		falPriceRows("ltx-2.3-pro", TextToVideo, false, 0.08, 0.16, 0.32),
		falPriceRows("ltx-2.3-pro", ImageToVideo, false, 0.06, 0.12, 0.24),
		falPriceRows("ltx-2.3-fast", TextToVideo, false, 0.04, 0.08, 0.16),
		falPriceRows("ltx-2.3-fast", ImageToVideo, true, 0.04, 0.08, 0.16),
		falPriceRows("ltx-2-fast", TextToVideo, false, 0.04, 0.08, 0.16),
		falPriceRows("ltx-2-fast", ImageToVideo, true, 0.04, 0.08, 0.16),
		falPriceRows("ltx-2-pro", TextToVideo, true, 0.06, 0.12, 0.24),
		falPriceRows("ltx-2-pro", ImageToVideo, false, 0.06, 0.12, 0.24),
	),
	Codes: falCodes,
	wire: wire{
		create:        createFal,
		poll:          func(ref TaskRef) string { return falRequestPath(ref.ID) + "/status" },
		result:        func(ref TaskRef) string { return falRequestPath(ref.ID) },
		cancel:        func(ref TaskRef) (string, string) { return http.MethodPut, falRequestPath(ref.ID) + "/cancel" },
		createHeaders: falCreateHeaders,
		decode:        decodeFal,
		parseError:    parseFalError,
	},
})

// falCodes are the error types fal documents, and its HTTP statuses that
// carry none, under ltxform's name "http_STATUS".
var falCodes = []CodeInfo{
	{"content_policy_violation", http.StatusUnprocessableEntity, "The content checker refused the prompt or the image.",
		"Reword the prompt (or change the image).", ClassTaskPermanent, ThrottleNone},
	{"request_timeout", http.StatusGatewayTimeout, "The request did not start within X-Fal-Request-Timeout (the task timeout): never started, never billed.",
		"The next apply creates it again; raise task_timeout if fal's queue is long.", ClassTaskLost, ThrottleNone},
	{"runner_disconnected", http.StatusServiceUnavailable, "The machine running the request went away (a 5xx failure: not billed).",
		"Nothing to do: a new task is created, up to max_attempts.", ClassTaskRetry, ThrottleNone},
	{"http_401", http.StatusUnauthorized, "The key is missing or invalid.",
		"Set FAL_KEY (or LTX_API_KEY) to a key from fal's dashboard.", ClassRunFatal, ThrottleNone},
	{"http_422", http.StatusUnprocessableEntity, "An input was refused (the detail names it).",
		"Check the video's attributes against the fal limits (ltxform validate names them).", ClassTaskPermanent, ThrottleNone},
}

// falStatus is the queue's status vocabulary.
var falStatus = map[string]Status{
	"IN_QUEUE": StatusQueued, "IN_PROGRESS": StatusProcessing, "COMPLETED": StatusCompleted,
}

const falDefaultModel = "ltx-2.3-fast"

var falWireResolution = map[string]string{"1080p": "1080p", "1440p": "1440p", "4K": "2160p"}

func falPriceRows(model string, mode Mode, assumed bool, p1080, p1440, p2160 float64) []Price {
	return []Price{
		{Model: model, Mode: mode, Resolution: "1080p", PerSecond: p1080, Assumed: assumed},
		{Model: model, Mode: mode, Resolution: "1440p", PerSecond: p1440, Assumed: assumed},
		{Model: model, Mode: mode, Resolution: "4K", PerSecond: p2160, Assumed: assumed},
	}
}

// falDurations: the pro endpoints 6, 8 or 10 s; the fast ones up to 20 s,
// past 10 s only at 1080p and 25 fps (fal's default).
func falDurations(model, resolution string, fps int) []int {
	d := []int{6, 8, 10}
	fast := model == "ltx-2.3-fast" || model == "ltx-2-fast"
	if fast && resolution == "1080p" && (fps == 0 || fps == 25) {
		d = append(d, 12, 14, 16, 18, 20)
	}
	return d
}

// FalEndpoint is the endpoint id a model and a mode are sent to.
func FalEndpoint(model string, mode Mode) string {
	if model == "" {
		model = falDefaultModel
	}
	app, variant := "fal-ai/ltx-2.3", ""
	switch model {
	case "ltx-2.3-fast":
		variant = "/fast"
	case "ltx-2-fast":
		app, variant = "fal-ai/ltx-2", "/fast"
	case "ltx-2-pro":
		app = "fal-ai/ltx-2"
	}
	m := "/text-to-video"
	if mode == ImageToVideo {
		m = "/image-to-video"
	}
	return app + m + variant
}

// falRequestPath is where a request of the default model's app is found when
// the submit's URLs were not kept (a task imported by id).
func falRequestPath(id string) string {
	return "/fal-ai/ltx-2.3/requests/" + url.PathEscape(id)
}

type falBody struct {
	Prompt        string `json:"prompt"`
	Duration      int    `json:"duration"`
	Resolution    string `json:"resolution"`
	FPS           int    `json:"fps,omitempty"`
	AspectRatio   string `json:"aspect_ratio,omitempty"`
	GenerateAudio *bool  `json:"generate_audio,omitempty"`
	ImageURL      string `json:"image_url,omitempty"`
	EndImageURL   string `json:"end_image_url,omitempty"`
}

func createFal(req CreateRequest, _ string) (string, []byte, error) {
	res, ok := falWireResolution[req.Resolution]
	if !ok {
		res = req.Resolution
	}
	b := falBody{Prompt: req.Prompt, Duration: req.Duration, Resolution: res, FPS: req.FPS,
		GenerateAudio: req.GenerateAudio, ImageURL: req.ImageURL, EndImageURL: req.LastFrameURL}
	if req.Mode() == TextToVideo {
		b.AspectRatio = req.AspectRatio
	}
	body, err := json.Marshal(b)
	if err != nil {
		return "", nil, fmt.Errorf("ltx: encoding the create request: %w", err)
	}
	return "/" + FalEndpoint(req.Model, req.Mode()), body, nil
}

// falCreateHeaders: a request that has not started within the task timeout
// is given up by fal itself (504, never started, never billed) rather than
// run after ltxform has stopped following it.
func falCreateHeaders(taskTimeout time.Duration) http.Header {
	h := http.Header{}
	if s := int64(taskTimeout / time.Second); s > 0 {
		h.Set("X-Fal-Request-Timeout", strconv.FormatInt(s, 10))
	}
	return h
}

func falRequestID(h http.Header) string {
	if id := clean(h.Get("X-Fal-Request-Id")); id != "" {
		return id
	}
	return clean(h.Get("X-Request-Id"))
}

// decodeFal reads a submit's {request_id, status_url, response_url,
// cancel_url}, a status {status, queue_position, error, error_type} or a
// result {video:{url}}.
func decodeFal(status int, h http.Header, body []byte, now time.Time) (taskAnswer, error) {
	top := object(body)
	if top == nil {
		return taskAnswer{}, fmt.Errorf("%w: the body is not a JSON object", ErrMalformedResponse)
	}
	t := &Task{ID: top.str("request_id"), RequestID: falRequestID(h), Status: StatusQueued}
	t.URLs = TaskURLs{Status: top.str("status_url"), Result: top.str("response_url"), Cancel: top.str("cancel_url")}
	if video := top.obj("video"); video != nil {
		t.Status, t.VideoURL = StatusCompleted, video.str("url")
		return taskAnswer{task: t}, nil
	}
	if raw := top.str("status"); raw != "" {
		st, ok := falStatus[raw]
		if !ok {
			return taskAnswer{}, fmt.Errorf("%w: unknown request status %q", ErrMalformedResponse, raw)
		}
		t.Status = st
	}
	if t.Status == StatusCompleted {
		if msg, typ := top.str("error"), top.str("error_type"); msg != "" || typ != "" {
			if typ == "" {
				typ = "runner_disconnected"
			}
			t.Status = StatusFailed
			t.Error = &TaskError{Code: typ, Message: firstNonEmptyString(msg, "the request failed")}
		}
	}
	return taskAnswer{task: t}, nil
}

func falKnown(code string) bool {
	return slices.ContainsFunc(falCodes, func(c CodeInfo) bool { return c.Code == code })
}

func firstNonEmptyString(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseFalError reads {"detail":[{"loc","msg","type"}]} or {"detail":"..."};
// the type is the X-Fal-Error-Type header, the body's error_type, or the
// first detail's type, else "http_STATUS".
func parseFalError(status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{StatusCode: status, RequestID: falRequestID(h), RetryAfter: parseRetryAfter(h.Get("Retry-After"), now)}
	top := object(body)
	var first fields
	if top != nil {
		var details []json.RawMessage
		if json.Unmarshal(top["detail"], &details) == nil && len(details) > 0 {
			first = object(details[0])
		} else {
			e.Message = top.str("detail", "error", "message")
		}
	}
	if first != nil {
		e.Message = first.str("msg")
		var loc []any
		if json.Unmarshal(first["loc"], &loc) == nil && len(loc) > 0 {
			e.Field = fmt.Sprint(loc[len(loc)-1])
		}
	}
	e.Code = clean(h.Get("X-Fal-Error-Type"))
	if e.Code == "" && top != nil {
		e.Code = top.str("error_type")
	}
	if typ := first.str("type"); e.Code == "" && first != nil && typePattern().MatchString(typ) {
		if falKnown(typ) {
			e.Code = typ
		} else {
			// A validation type (value_error, ...): kept in the message,
			// classified by the status.
			e.Message = typ + ": " + e.Message
		}
	}
	if byStatus := fmt.Sprintf("http_%d", status); e.Code == "" && falKnown(byStatus) {
		e.Code = byStatus
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}
