package ltx

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"time"
)

// lightricks: Lightricks' own API at api.ltx.video, asynchronous v2 (what its
// docs recommend for batches). Sizes, not resolution names; a model is
// required; no seed, aspect ratio, webhook or idempotency key; two
// generations at once; results live 24 h; billed in US dollars.
var providerLightricks = register(&Provider{
	Name:           "lightricks",
	Description:    "Lightricks' own API, api.ltx.video, async v2 (/v2/text-to-video, uploads)",
	DefaultBaseURL: "https://api.ltx.video",
	KeyEnv:         []string{"LTXV_API_KEY"}, // what the service's own clients read
	Unit:           UnitUSD,
	Statuses:       lightricksStatus,
	Capabilities: Capabilities{
		Attributes: []string{"image_url", "aspect_ratio", "model", "fps", "generate_audio",
			"camera_motion", "last_frame_url", "image_file"},
		MaxConcurrentTasks:    2,
		ResultRetention:       24 * time.Hour,
		GenerationTime:        time.Minute,
		GenerationTimeAssumed: true,
		PollInterval:          5 * time.Second, // "poll every 5 s"
	},
	Limits: Limits{
		PromptMax:        5000,
		PromptMaxAssumed: true,
		Resolutions:      []string{"720p", "1080p", "1440p", "4K"},
		ResolutionSizes:  lightricksSizes,
		AspectRatios:     []string{"16:9", "9:16"},
		Durations:        lightricksDurations,
		Models: []Model{
			{Name: "ltx-2-3-fast"},
			{Name: "ltx-2-3-pro"},
			// LTX-Desktop's model table (the vendor's own app).
			{Name: "ltx-2-5-fast"},
			{Name: "ltx-2-5-pro", Resolutions: []string{"720p", "1080p"}, FPS: []int{24, 25, 50}},
			{Name: "ltx-2-fast", Deprecated: "2026-07-15", Removed: "2026-08-15"},
			{Name: "ltx-2-pro", Deprecated: "2026-07-15", Removed: "2026-08-15"},
		},
		DefaultModel:    lightricksDefaultModel,
		FPS:             []int{24, 25, 48, 50},
		DefaultFPS:      24,
		AudioByDefault:  true, // "generate_audio: boolean, default true"
		CameraMotions:   []string{"dolly_in", "dolly_out", "dolly_left", "dolly_right", "jib_up", "jib_down", "static", "focus_shift"},
		ImageMaxBytes:   15 << 20,
		UploadMaxBytes:  100 << 20,
		LastFrameModels: []string{"ltx-2-3-fast", "ltx-2-3-pro"},
	},
	// US dollars per second. Published: ltx-2-3-fast 720p, ltx-2-3-pro 1440p,
	// and the LTX-2-era models. Assumed from resellers and client cost tables
	// (consistent with a 402 "Required: 36 cents" for 6 s at 1080p): the rest.
	Prices: []Price{
		{Model: "ltx-2-3-fast", Resolution: "720p", PerSecond: 0.03},
		{Model: "ltx-2-3-fast", Resolution: "1080p", PerSecond: 0.06, Assumed: true},
		{Model: "ltx-2-3-fast", Resolution: "1440p", PerSecond: 0.12, Assumed: true},
		{Model: "ltx-2-3-fast", Resolution: "4K", PerSecond: 0.24, Assumed: true},
		{Model: "ltx-2-3-pro", Resolution: "720p", PerSecond: 0.04, Assumed: true},
		{Model: "ltx-2-3-pro", Resolution: "1080p", PerSecond: 0.08, Assumed: true},
		{Model: "ltx-2-3-pro", Resolution: "1440p", PerSecond: 0.16},
		{Model: "ltx-2-3-pro", Resolution: "4K", PerSecond: 0.32, Assumed: true},
		// ltx-2-5: resellers quote only fast at 720p ($0.09) and pro at 4K
		// ($0.39, a size the vendor's own app does not offer); every other
		// row is assumed to be the dearest of those, so that an estimate
		// errs high. Override them in a pricing block.
		{Model: "ltx-2-5-fast", Resolution: "720p", PerSecond: 0.09, Assumed: true},
		{Model: "ltx-2-5-fast", Resolution: "1080p", PerSecond: 0.39, Assumed: true},
		{Model: "ltx-2-5-fast", Resolution: "1440p", PerSecond: 0.39, Assumed: true},
		{Model: "ltx-2-5-fast", Resolution: "4K", PerSecond: 0.39, Assumed: true},
		{Model: "ltx-2-5-pro", Resolution: "720p", PerSecond: 0.39, Assumed: true},
		{Model: "ltx-2-5-pro", Resolution: "1080p", PerSecond: 0.39, Assumed: true},
		{Model: "ltx-2-fast", Resolution: "1080p", PerSecond: 0.04},
		{Model: "ltx-2-fast", Resolution: "1440p", PerSecond: 0.08},
		{Model: "ltx-2-fast", Resolution: "4K", PerSecond: 0.16},
		{Model: "ltx-2-pro", Resolution: "1080p", PerSecond: 0.06},
		{Model: "ltx-2-pro", Resolution: "1440p", PerSecond: 0.12},
		{Model: "ltx-2-pro", Resolution: "4K", PerSecond: 0.24},
	},
	Codes: []CodeInfo{
		{"invalid_request_error", http.StatusBadRequest, "A parameter is invalid.",
			"Check the video's attributes against the lightricks limits (ltxform validate names them).", ClassTaskPermanent, ThrottleNone},
		{"authentication_error", http.StatusUnauthorized, "The API key is missing or invalid.",
			"Set LTX_API_KEY (or LTXV_API_KEY) to a key from the LTX console.", ClassRunFatal, ThrottleNone},
		{"insufficient_funds_error", http.StatusPaymentRequired, "The account's prepaid balance is too low.",
			"Add funds in the LTX console, then apply again; finished videos are kept.", ClassRunStop, ThrottleNone},
		{"not_found_error", http.StatusNotFound, "The job is unknown, or expired (results live 24 h).",
			"The next plan creates the video again.", ClassTaskLost, ThrottleNone},
		{"request_too_large", http.StatusRequestEntityTooLarge, "The request body is too large (refused before the API; the body may not be JSON).",
			"Send a smaller image: upload it as image_file rather than a data URI.", ClassTaskPermanent, ThrottleNone},
		{"content_filtered_error", http.StatusUnprocessableEntity, "The safety filters rejected the request.",
			"Reword the prompt (or change the image) to stay within the content guidelines.", ClassTaskPermanent, ThrottleNone},
		{"rate_limit_error", http.StatusTooManyRequests, "Too many requests in a time window.",
			"Lower requests_per_minute in the api block.", ClassRetry, ThrottleRate},
		{"concurrency_limit_error", http.StatusTooManyRequests, "Too many generations at once.",
			"Lower max_concurrent_tasks in the api block, or ask Lightricks for a higher limit.", ClassRetry, ThrottleConcurrency},
		{"api_error", http.StatusInternalServerError, "An unexpected server error.",
			"Apply again; if it persists, contact Lightricks with the request id.", ClassRetry, ThrottleNone},
		{"service_unavailable", http.StatusServiceUnavailable, "The service is temporarily unavailable.",
			"Apply again later.", ClassRetry, ThrottleNone},
		{"overloaded_error", 529, "The service is temporarily overloaded.",
			"Apply again later.", ClassRetry, ThrottleNone},
	},
	wire: wire{
		create:     createLightricks,
		poll:       func(ref TaskRef) string { return lightricksEndpoint(ref.Mode) + "/" + url.PathEscape(ref.ID) },
		decode:     decodeLightricks,
		parseError: parseLightricksError,
		upload:     "/v1/upload",
	},
})

var lightricksSizes = map[string]string{
	"720p": "1280x720", "1080p": "1920x1080", "1440p": "2560x1440", "4K": "3840x2160",
}

const lightricksDefaultModel = "ltx-2-3-fast"

// lightricksDurations is the desktop app's model table: 2–10 s for every
// model; 12–20 s only for the fast models at 720p or 1080p and 24 or 25 fps.
func lightricksDurations(model, resolution string, fps int) []int {
	d := []int{2, 3, 4, 5, 6, 8, 10}
	if (model == "ltx-2-3-fast" || model == "ltx-2-5-fast") && (resolution == "720p" || resolution == "1080p") && (fps == 0 || fps == 24 || fps == 25) {
		d = append(d, 12, 13, 14, 15, 16, 17, 18, 19, 20)
	}
	return d
}

func lightricksEndpoint(m Mode) string {
	if m == ImageToVideo {
		return "/v2/image-to-video"
	}
	return "/v2/text-to-video"
}

// lightricksBody is the body of POST /v2/text-to-video and /v2/image-to-video.
type lightricksBody struct {
	Prompt        string `json:"prompt"`
	Model         string `json:"model"`
	Duration      int    `json:"duration"`
	Resolution    string `json:"resolution"`
	FPS           int    `json:"fps,omitempty"`
	GenerateAudio *bool  `json:"generate_audio,omitempty"`
	CameraMotion  string `json:"camera_motion,omitempty"`
	ImageURI      string `json:"image_uri,omitempty"`
	LastFrameURI  string `json:"last_frame_uri,omitempty"`
}

func createLightricks(req CreateRequest, imageURI string) (string, []byte, error) {
	b := lightricksBody{
		Prompt:        req.Prompt,
		Model:         req.Model,
		Duration:      req.Duration,
		Resolution:    sizeFor(lightricksSizes, req.Resolution, req.AspectRatio),
		FPS:           req.FPS,
		GenerateAudio: req.GenerateAudio,
		CameraMotion:  req.CameraMotion,
		ImageURI:      req.ImageURL,
		LastFrameURI:  req.LastFrameURL,
	}
	if imageURI != "" {
		b.ImageURI = imageURI
	}
	if b.Model == "" {
		b.Model = lightricksDefaultModel
	}
	body, err := json.Marshal(b)
	if err != nil {
		return "", nil, fmt.Errorf("ltx: encoding the create request: %w", err)
	}
	return lightricksEndpoint(req.Mode()), body, nil
}

var typePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`) })

// parseLightricksError reads {"type":"error","error":{"type","message"}}; the
// request id is only in the x-request-id header. Another shape (a gateway's
// page) falls back to the tolerant reader, but keeps the header's request
// id: a request_id in such a body is not one the service's support knows.
func parseLightricksError(status int, h http.Header, body []byte, now time.Time) *APIError {
	top := object(body)
	if inner := top.obj("error"); inner != nil {
		if typ := inner.str("type"); typePattern().MatchString(typ) {
			return &APIError{
				StatusCode: status,
				Code:       typ,
				Message:    inner.str("message"),
				RequestID:  clean(h.Get("X-Request-Id")),
				RetryAfter: parseRetryAfter(h.Get("Retry-After"), now),
			}
		}
	}
	e := parseAPIError(status, h, body, now)
	e.RequestID = clean(h.Get("X-Request-Id"))
	if status == http.StatusRequestEntityTooLarge && e.Code == "" {
		// From the infrastructure in front of the API, in whatever shape.
		e.Code = "request_too_large"
	}
	return e
}

// lightricksStatus is the v2 job's status vocabulary.
var lightricksStatus = map[string]Status{
	"pending": StatusQueued, "processing": StatusProcessing,
	"completed": StatusCompleted, "failed": StatusFailed,
}

// decodeLightricks reads a submit's 202 {"id","created_at"} or a poll's
// {"id","status","result":{"video_url"},"error":{"type","message"}}.
func decodeLightricks(status int, h http.Header, body []byte, now time.Time) (taskAnswer, error) {
	top := object(body)
	if top == nil {
		return taskAnswer{}, fmt.Errorf("%w: the body is not a JSON object", ErrMalformedResponse)
	}
	if top.str("type") == "error" && top.obj("error") != nil {
		return taskAnswer{apiErr: parseLightricksError(status, h, body, now)}, nil
	}
	t := &Task{ID: top.str("id"), RequestID: clean(h.Get("X-Request-Id")), Status: StatusQueued}
	if raw := top.str("status"); raw != "" {
		st, ok := lightricksStatus[raw]
		if !ok {
			return taskAnswer{}, fmt.Errorf("%w: unknown task status %q", ErrMalformedResponse, raw)
		}
		t.Status = st
	}
	if res := top.obj("result"); res != nil {
		t.VideoURL = res.str("video_url")
	}
	if t.Status == StatusCompleted && t.VideoURL == "" {
		t.VideoURL = top.str("video_url")
	}
	if t.Status == StatusFailed {
		e := &TaskError{Code: "api_error", Message: "the job failed without giving a reason"}
		if inner := top.obj("error"); inner != nil {
			if typ := inner.str("type"); typePattern().MatchString(typ) {
				e.Code = typ
			}
			if msg := inner.str("message"); msg != "" {
				e.Message = msg
			}
		}
		t.Error = e
	}
	return taskAnswer{task: t}, nil
}

// Model returns the provider's entry for a model name.
func (p *Provider) Model(name string) (Model, bool) {
	i := slices.IndexFunc(p.Limits.Models, func(m Model) bool { return m.Name == name })
	if i < 0 {
		return Model{}, false
	}
	return p.Limits.Models[i], true
}
