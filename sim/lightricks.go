package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// lightricksSpec is Lightricks' own API, api.ltx.video, async v2
// (providers.md §3):
//
//	POST /v2/text-to-video, POST /v2/image-to-video → 202 {"id","created_at"}
//	GET  /v2/{endpoint}/{id}   → 200 {id,status,created_at,completed_at?,result?:{video_url},error?:{type,message}}
//	                             (the submit's endpoint; the other one answers 404)
//	POST /v1/upload            → 200 {upload_url,storage_uri,expires_at,required_headers}
//	PUT  /uploads/{id}         → 200 (the upload_url; no key)
//	GET  /outputs/{id}/video.mp4 → the MP4 (the result URL; no key)
//
// The request id is only in the x-request-id header. Errors are
// {"type":"error","error":{"type","message"}}. Prices in US dollars
// (LightricksDollarsPerSecond); at most 2 generations at once and 24 h of
// retention by default; no idempotency key.
var lightricksSpec = providerSpec{
	name:       ProviderLightricks,
	register:   registerLightricks,
	writeError: writeLightricksError,
	insufficient: func(cost, _ float64) string {
		return fmt.Sprintf("Insufficient funds. Required: %d cents", int(math.Round(cost*100)))
	},
	maxConcurrent: 2,
	retention:     24 * time.Hour,
	videoPath:     func(id string) string { return "/outputs/" + id + "/video.mp4" },
}

// Lightricks models.
const (
	ModelLTX23Fast = "ltx-2-3-fast"
	ModelLTX23Pro  = "ltx-2-3-pro"
	ModelLTX25Fast = "ltx-2-5-fast"
	ModelLTX25Pro  = "ltx-2-5-pro"
)

// LightricksDollarsPerSecond is the price in US dollars per second of output
// by model and resolution tier. Documented: ltx-2-3-fast 720p $0.03,
// ltx-2-3-pro 1440p $0.16. Assumed (resellers and client cost tables, and
// the vendor's 402 example: 6 s × $0.06 = 36 cents): ltx-2-3-fast
// 1080p/1440p/4K $0.06/$0.12/$0.24, ltx-2-3-pro 1080p/4K $0.08/$0.32. The pro
// model at 720p is served (Lightricks' own desktop app lists Pro 2.3 at
// 720p) at a price nobody publishes: $0.04, half its 1080p price as for the
// fast model, the same figure ltxform's price table assumes.
var LightricksDollarsPerSecond = map[string]map[string]float64{
	ModelLTX23Fast: {"720p": 0.03, "1080p": 0.06, "1440p": 0.12, "4K": 0.24},
	ModelLTX23Pro:  {"720p": 0.04, "1080p": 0.08, "1440p": 0.16, "4K": 0.32},
	// ltx-2-5 (LTX-Desktop's table; prices [2nd] 720p fast $0.09, the
	// rest assumed): the pro model at 720p and 1080p only.
	ModelLTX25Fast: {"720p": 0.09, "1080p": 0.39, "1440p": 0.39, "4K": 0.39},
	ModelLTX25Pro:  {"720p": 0.39, "1080p": 0.39},
}

// lightricksModelFPS narrows the frame rates for a model.
var lightricksModelFPS = map[string][]int64{ModelLTX25Pro: {24, 25, 50}}

// lightricksTiers maps a WIDTHxHEIGHT (landscape or portrait) to its tier.
var lightricksTiers = map[string]string{
	"1280x720": "720p", "1920x1080": "1080p", "2560x1440": "1440p", "3840x2160": "4K",
	"720x1280": "720p", "1080x1920": "1080p", "1440x2560": "1440p", "2160x3840": "4K",
}

var (
	lightricksFPS           = []int64{24, 25, 48, 50}
	lightricksDurations     = []int64{2, 3, 4, 5, 6, 8, 10}
	lightricksCameraMotions = []string{"dolly_in", "dolly_out", "dolly_left", "dolly_right", "jib_up", "jib_down", "static", "focus_shift"}
	lightricksRemovedModels = map[string]bool{"ltx-2-fast": true, "ltx-2-pro": true}
	lightricksFields        = map[string]map[string]bool{
		"text-to-video": {"prompt": true, "model": true, "duration": true, "resolution": true, "fps": true,
			"generate_audio": true, "camera_motion": true},
		"image-to-video": {"prompt": true, "model": true, "duration": true, "resolution": true, "fps": true,
			"generate_audio": true, "camera_motion": true, "image_uri": true, "last_frame_uri": true},
	}
)

const (
	lightricksMaxBody    = 16 << 20 // two data URIs of up to 7 MB each
	lightricksMaxDataURI = 7 << 20
	lightricksMaxPrompt  = 10000 // assumed: clients check 1–5000 or 1–10000
)

// Lightricks error types.
const (
	typeInvalidRequest   = "invalid_request_error"
	typeAuthentication   = "authentication_error"
	typeInsufficient     = "insufficient_funds_error"
	typeNotFound         = "not_found_error"
	typeContentFiltered  = "content_filtered_error"
	typeRateLimit        = "rate_limit_error"
	typeConcurrencyLimit = "concurrency_limit_error"
	typeAPI              = "api_error"
	typeUnavailable      = "service_unavailable"
	typeOverloaded       = "overloaded_error"
)

// lightricksByCode maps the shared errors' v1 codes to a type and, where it
// differs from the v1 status, a status.
var lightricksByCode = map[string]struct {
	typ    string
	status int
}{
	codeMissingAPIKey: {typeAuthentication, 0}, codeInvalidAPIKey: {typeAuthentication, 0}, codeAPIKeyExpired: {typeAuthentication, 0},
	codeInsufficient: {typeInsufficient, 0}, codePlanLimit: {typeInsufficient, http.StatusPaymentRequired},
	codeRateLimited: {typeRateLimit, 0}, codeTaskNotFound: {typeNotFound, 0}, codeNotFound: {typeNotFound, 0},
	codeContentPolicy: {typeContentFiltered, http.StatusUnprocessableEntity},
}

var lightricksByStatus = map[int]string{
	http.StatusInternalServerError: typeAPI, http.StatusServiceUnavailable: typeUnavailable, statusOverloaded: typeOverloaded,
	http.StatusNotFound: typeNotFound, http.StatusTooManyRequests: typeRateLimit,
}

type lightricksErrorBody struct {
	Type  string          `json:"type"`
	Error lightricksError `json:"error"`
}

type lightricksError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

func writeLightricksError(w http.ResponseWriter, _ string, e *apiError) {
	if e.Status == http.StatusRequestEntityTooLarge {
		// From the infrastructure before the API: not the JSON envelope.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(e.Status)
		_, _ = w.Write([]byte("<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center></body></html>\n"))
		return
	}
	typ, status := e.Type, e.Status
	if m, ok := lightricksByCode[e.Code]; ok {
		if typ == "" {
			typ = m.typ
		}
		if m.status != 0 {
			status = m.status
		}
	}
	if typ == "" {
		typ = lightricksByStatus[status]
	}
	if typ == "" {
		typ = typeInvalidRequest
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	msg := e.Message
	if e.Field != "" && !strings.Contains(msg, e.Field) {
		msg = e.Field + ": " + msg
	}
	writeJSON(w, status, lightricksErrorBody{Type: "error", Error: lightricksError{Type: typ, Message: msg}})
}

func lightricksInvalid(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeInvalidRequest, Type: typeInvalidRequest,
		Field: field, Message: fmt.Sprintf(format, args...)}
}

// lightricksTask is a poll's body.
type lightricksTask struct {
	ID          string            `json:"id"`
	Status      string            `json:"status"`
	CreatedAt   string            `json:"created_at"`
	CompletedAt string            `json:"completed_at,omitempty"`
	Result      map[string]string `json:"result,omitempty"`
	Error       *lightricksError  `json:"error,omitempty"`
}

var lightricksStatus = map[string]string{
	statusQueued: "pending", statusProcessing: "processing", statusCompleted: "completed", statusFailed: "failed",
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func registerLightricks(rt router) {
	s := rt.s
	for _, mode := range []string{"text-to-video", "image-to-video"} {
		rt.api("POST /v2/"+mode, func(w http.ResponseWriter, r *http.Request, c call) {
			req, aerr := s.decodeLightricks(r, mode)
			if aerr != nil {
				s.fail(w, c, aerr)
				return
			}
			s.answerCreate(w, r, c, req, func(_ http.ResponseWriter, t *task, _ time.Time, _ bool) (int, any) {
				return http.StatusAccepted, map[string]string{"id": t.id, "created_at": stamp(t.created)}
			})
		})
		rt.api("GET /v2/"+mode+"/{id}", func(w http.ResponseWriter, r *http.Request, c call) {
			id := r.PathValue("id")
			s.answerPoll(w, r, c, id, func(t *task, now time.Time) (any, *apiError) {
				if t.req.Mode != mode {
					return nil, taskNotFound(id)
				}
				status, _ := t.statusAt(now)
				v := lightricksTask{ID: t.id, Status: lightricksStatus[status], CreatedAt: stamp(t.created)}
				switch status {
				case statusCompleted:
					v.CompletedAt = stamp(t.endsAt)
					v.Result = map[string]string{"video_url": baseURL(r) + t.videoPath}
				case statusFailed:
					// The spec requires completed_at of every terminal job.
					v.CompletedAt = stamp(t.endsAt)
					v.Error = &lightricksError{Type: typeAPI, Message: t.failMsg}
				}
				return v, nil
			})
		})
	}
	rt.api("POST /v1/upload", s.serveUploadStart)
	rt.open("PUT /uploads/{id}", s.serveUploadPut)
	rt.open("GET /outputs/{id}/{file}", func(w http.ResponseWriter, r *http.Request, c call) {
		s.serveDownload(w, r, c, r.PathValue("id"), r.PathValue("file") == "video.mp4")
	})
}

// decodeLightricks reads and validates a /v2/{mode} body.
func (s *Server) decodeLightricks(r *http.Request, mode string) (*createRequest, *apiError) {
	raw, aerr := readObject(r, lightricksMaxBody, codeInvalidRequest)
	if aerr != nil {
		return nil, aerr
	}
	if name := firstUnknown(raw, lightricksFields[mode]); name != "" {
		hint := ""
		switch name {
		case "seed":
			hint = "; the API takes no seed"
		case "aspect_ratio":
			hint = "; ask for a portrait resolution such as 1080x1920 instead"
		case "webhook_url", "webhook", "callback_url":
			hint = "; the API has no webhooks: poll the job"
		case "image_uri", "last_frame_uri":
			hint = "; images go to /v2/image-to-video"
		}
		return nil, lightricksInvalid(name, "unknown field %q for /v2/%s%s", name, mode, hint)
	}
	str := func(name string, dst *string) bool { return json.Unmarshal(raw[name], dst) == nil }

	c := &createRequest{Mode: mode}
	if !present(raw, "prompt") || !str("prompt", &c.Prompt) || strings.TrimSpace(c.Prompt) == "" {
		return nil, lightricksInvalid("prompt", "prompt is required: a non-empty string")
	}
	if n := utf8.RuneCountInString(c.Prompt); n > lightricksMaxPrompt {
		return nil, lightricksInvalid("prompt", "prompt is %d characters long; the limit is %d", n, lightricksMaxPrompt)
	}

	var model string
	if !present(raw, "model") || !str("model", &model) {
		return nil, lightricksInvalid("model", "model is required: %s or %s", ModelLTX23Fast, ModelLTX23Pro)
	}
	if lightricksRemovedModels[model] {
		return nil, lightricksInvalid("model", "model %q was removed on 2026-08-15; use %s or %s", model, ModelLTX23Fast, ModelLTX23Pro)
	}
	prices, ok := LightricksDollarsPerSecond[model]
	if !ok {
		return nil, lightricksInvalid("model", "model %q is not supported; use %s or %s", model, ModelLTX23Fast, ModelLTX23Pro)
	}

	var resolution string
	if !present(raw, "resolution") || !str("resolution", &resolution) {
		return nil, lightricksInvalid("resolution", "resolution is required: WIDTHxHEIGHT such as 1920x1080 or 1080x1920")
	}
	tier, ok := lightricksTiers[resolution]
	if !ok {
		return nil, lightricksInvalid("resolution", "resolution %q is not supported; use 1280x720, 1920x1080, 2560x1440, 3840x2160 or a portrait swap", resolution)
	}
	if _, ok := prices[tier]; !ok {
		return nil, lightricksInvalid("resolution", "model %s does not support %s", model, resolution)
	}
	c.Resolution = tier

	fps := int64(24)
	if present(raw, "fps") {
		v, ok := wholeNumber(raw["fps"])
		if !ok || !slices.Contains(lightricksFPS, v) {
			return nil, lightricksInvalid("fps", "fps must be 24, 25, 48 or 50, got %s", raw["fps"])
		}
		if only, narrowed := lightricksModelFPS[model]; narrowed && !slices.Contains(only, v) {
			return nil, lightricksInvalid("fps", "model %s does not support %d fps", model, v)
		}
		fps = v
	}

	if !present(raw, "duration") {
		return nil, lightricksInvalid("duration", "duration is required: whole seconds")
	}
	d, ok := wholeNumber(raw["duration"])
	if !ok {
		return nil, lightricksInvalid("duration", "duration must be whole seconds, got %s", raw["duration"])
	}
	if aerr := lightricksDurationAllowed(model, tier, fps, d); aerr != nil {
		return nil, aerr
	}
	c.Duration = d

	audio := true
	if present(raw, "generate_audio") && json.Unmarshal(raw["generate_audio"], &audio) != nil {
		return nil, lightricksInvalid("generate_audio", "generate_audio must be true or false, got %s", raw["generate_audio"])
	}
	var motion string
	if present(raw, "camera_motion") && (!str("camera_motion", &motion) || !slices.Contains(lightricksCameraMotions, motion)) {
		return nil, lightricksInvalid("camera_motion", "camera_motion must be one of %s, got %s", strings.Join(lightricksCameraMotions, ", "), raw["camera_motion"])
	}

	var image, lastFrame string
	if mode == "image-to-video" {
		if !present(raw, "image_uri") || !str("image_uri", &image) {
			return nil, lightricksInvalid("image_uri", "image_uri is required: an https URL, a data URI or a storage_uri from /v1/upload")
		}
		if aerr := s.checkImageURI("image_uri", image, c); aerr != nil {
			return nil, aerr
		}
		if present(raw, "last_frame_uri") {
			// Both models accepted here are ltx-2-3 ones, the only ones that take it.
			if !str("last_frame_uri", &lastFrame) {
				return nil, lightricksInvalid("last_frame_uri", "last_frame_uri must be a string")
			}
			if aerr := s.checkImageURI("last_frame_uri", lastFrame, nil); aerr != nil {
				return nil, aerr
			}
		}
	}

	c.cost = prices[tier] * float64(d)
	fmt.Sscanf(resolution, "%dx%d", &c.width, &c.height)
	c.fps, c.audio = int(fps), audio
	norm, _ := json.Marshal([]any{mode, c.Prompt, model, resolution, d, fps, audio, motion, image, lastFrame})
	c.key = ProviderLightricks + " " + string(norm)
	return c, nil
}

// lightricksDurationAllowed applies the model table: 2, 3, 4, 5, 6, 8, 10 s
// everywhere; 12–20 s only for the fast model at 720p/1080p and 24/25 fps.
func lightricksDurationAllowed(model, tier string, fps, d int64) *apiError {
	if slices.Contains(lightricksDurations, d) {
		return nil
	}
	if d >= 12 && d <= 20 {
		switch {
		case model != ModelLTX23Fast && model != ModelLTX25Fast:
			return lightricksInvalid("duration", "duration %d s is not available for %s: at most 10 s", d, model)
		case tier != "720p" && tier != "1080p":
			return lightricksInvalid("duration", "duration %d s is available at 720p and 1080p only, not %s", d, tier)
		case fps != 24 && fps != 25:
			return lightricksInvalid("duration", "duration %d s is available at 24 or 25 fps only, not %d", d, fps)
		}
		return nil
	}
	return lightricksInvalid("duration", "duration %d s is not allowed; use 2, 3, 4, 5, 6, 8 or 10 (12–20 with %s at 720p/1080p, 24/25 fps)", d, ModelLTX23Fast)
}

// checkImageURI validates an image reference: an https URL on a domain name,
// a data URI of at most 7 MB, or a storage_uri uploaded here and not
// expired. An https URL becomes c.ImageURL (for the image-host knobs) when c
// is given. Caller does not hold s.mu.
func (s *Server) checkImageURI(field, v string, c *createRequest) *apiError {
	switch {
	case strings.HasPrefix(v, "data:"):
		if len(v) > lightricksMaxDataURI {
			return lightricksInvalid(field, "the data URI is %d bytes; the limit is 7 MB (upload larger images with /v1/upload)", len(v))
		}
		if !strings.Contains(v, ";base64,") {
			return lightricksInvalid(field, "a data URI must be base64-encoded (data:image/png;base64,…)")
		}
		return nil
	case strings.HasPrefix(v, storagePrefix):
		s.mu.Lock()
		defer s.mu.Unlock()
		u := s.uploads[strings.TrimPrefix(v, storagePrefix)]
		now := s.opts.Now()
		switch {
		case u == nil || !u.stored:
			return lightricksInvalid(field, "%s was never uploaded", v)
		case !now.Before(u.usableUntil):
			return lightricksInvalid(field, "%s has expired: a storage_uri is usable for 24 h", v)
		}
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return lightricksInvalid(field, "%s must be an https URL, a data URI or a storage_uri, got %q", field, v)
	}
	if net.ParseIP(u.Hostname()) != nil {
		return lightricksInvalid(field, "the image URL must name a domain, not an IP address")
	}
	if c != nil {
		c.ImageURL, c.imageField = v, field
	}
	return nil
}
