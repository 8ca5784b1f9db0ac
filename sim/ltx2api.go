package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// ltx2apiSpec is ltx-2api.com's API reference (providers.md §2):
//
//	POST /api/generate           → 200 {"code":200,"message":"success","data":{task_id,status:"IN_PROGRESS",consumed_credits},"request_id"}
//	GET  /api/status?task_id=ID  → 200, the same envelope; IN_PROGRESS | SUCCESS (response[0]) | FAILED (error_message)
//	GET  /videos/{task_id}.mp4   → the MP4 (no key)
//
// Errors in the v1 shape with v1's codes (the reference publishes none).
// Prices in credits (LTX2APICreditsPerSecond). No idempotency, no webhooks.
var ltx2apiSpec = providerSpec{
	name:         ProviderLTX2API,
	register:     registerLTX2API,
	writeError:   func(w http.ResponseWriter, rid string, e *apiError) { e.send(w, rid) },
	insufficient: creditsMessage,
	videoPath:    func(id string) string { return "/videos/" + id + ".mp4" },
}

// LTX2APICreditsPerSecond is ltx2api's price in credits per second of
// output. Documented: 10 s at 1080p = 36 (base) + 8 (1080p) = 44, so 1080p is
// 4.4 and the base 3.6. Assumed: 720p and 480p pay the base only.
var LTX2APICreditsPerSecond = map[string]float64{"480p": 3.6, "720p": 3.6, "1080p": 4.4}

// ltx2api's defaults for omitted fields (documented).
const (
	LTX2APIDefaultResolution = "720p"
	LTX2APIDefaultDuration   = 5
	ltx2apiDefaultAspect     = "16:9"
	ltx2apiDefaultSeed       = -1
)

var ltx2apiFields = map[string]bool{"prompt": true, "image": true, "resolution": true, "aspect_ratio": true, "duration": true, "seed": true}

func registerLTX2API(rt router) {
	s := rt.s
	rt.api("POST /api/generate", func(w http.ResponseWriter, r *http.Request, c call) {
		req, aerr := decodeLTX2API(r)
		if aerr != nil {
			s.fail(w, c, aerr)
			return
		}
		s.answerCreate(w, r, c, req, func(w http.ResponseWriter, t *task, now time.Time, _ bool) (int, any) {
			return http.StatusOK, envelopeOf(t.view(now, baseURL(r), c.requestID))
		})
	})
	rt.api("GET /api/status", func(w http.ResponseWriter, r *http.Request, c call) {
		id := r.URL.Query().Get("task_id")
		if id == "" {
			s.fail(w, c, badRequest(codeInvalidRequest, "task_id", "the query parameter task_id is required",
				"Call /api/status?task_id=ID with the task_id the generate call answered."))
			return
		}
		s.answerPoll(w, r, c, id, func(t *task, now time.Time) (any, *apiError) {
			return envelopeOf(t.view(now, baseURL(r), c.requestID)), nil
		})
	})
	rt.open("GET /videos/{file}", func(w http.ResponseWriter, r *http.Request, c call) {
		id, isMP4 := strings.CutSuffix(r.PathValue("file"), ".mp4")
		s.serveDownload(w, r, c, id, isMP4)
	})
}

// decodeLTX2API reads and validates a /api/generate body.
func decodeLTX2API(r *http.Request) (*createRequest, *apiError) {
	raw, aerr := readObject(r, maxBodyBytes, codeInvalidRequest)
	if aerr != nil {
		return nil, aerr
	}
	if name := firstUnknown(raw, ltx2apiFields); name != "" {
		return nil, badRequest(codeInvalidRequest, name, fmt.Sprintf("unknown field %q for /api/generate", name),
			"Remove the field; the API takes prompt, image, resolution, aspect_ratio, duration and seed.")
	}
	c := &createRequest{Mode: "text-to-video", Duration: LTX2APIDefaultDuration, Resolution: LTX2APIDefaultResolution,
		AspectRatio: ltx2apiDefaultAspect}

	if !present(raw, "prompt") || json.Unmarshal(raw["prompt"], &c.Prompt) != nil {
		return nil, badRequest(codeInvalidPrompt, "prompt", "prompt is required and must be a string", "Send a prompt of 1 to 2000 characters.")
	}
	if strings.TrimSpace(c.Prompt) == "" {
		return nil, badRequest(codeInvalidPrompt, "prompt", "prompt is empty", "Send a prompt of 1 to 2000 characters.")
	}
	if n := utf8.RuneCountInString(c.Prompt); n > 2000 {
		return nil, badRequest(codeInvalidPrompt, "prompt", fmt.Sprintf("prompt is %d characters long; the limit is 2000", n),
			"Shorten the prompt to at most 2000 characters.")
	}

	if present(raw, "image") {
		if json.Unmarshal(raw["image"], &c.ImageURL) != nil || !isHTTPURL(c.ImageURL) {
			return nil, badRequest(codeInvalidImageURL, "image", "image must be an absolute http(s) URL",
				"Give a publicly reachable http(s) URL of the image.")
		}
		c.Mode, c.imageField = "image-to-video", "image"
	}

	if present(raw, "resolution") {
		if json.Unmarshal(raw["resolution"], &c.Resolution) != nil {
			c.Resolution = string(raw["resolution"])
		}
	}
	if _, ok := LTX2APICreditsPerSecond[c.Resolution]; !ok {
		return nil, badRequest(codeInvalidRes, "resolution", fmt.Sprintf("resolution %q is not supported", c.Resolution),
			`Use "480p", "720p" or "1080p".`)
	}

	if present(raw, "aspect_ratio") {
		if c.ImageURL != "" {
			return nil, badRequest(codeInvalidRequest, "aspect_ratio", "aspect_ratio is accepted by text-to-video only",
				"Leave aspect_ratio out: the image sets the frame.")
		}
		if json.Unmarshal(raw["aspect_ratio"], &c.AspectRatio) != nil || (c.AspectRatio != "16:9" && c.AspectRatio != "9:16") {
			return nil, badRequest(codeInvalidRequest, "aspect_ratio", "aspect_ratio must be \"16:9\" or \"9:16\", got "+string(raw["aspect_ratio"]),
				`Use "16:9" or "9:16".`)
		}
	}
	if c.ImageURL != "" {
		c.AspectRatio = ""
	}

	if present(raw, "duration") {
		d, ok := wholeNumber(raw["duration"])
		if !ok {
			return nil, badRequest(codeInvalidDuration, "duration", "duration must be a whole number of seconds, got "+string(raw["duration"]),
				"Set duration to an integer from 5 to 20.")
		}
		c.Duration = d
	}
	if c.Duration < 5 || c.Duration > 20 {
		return nil, badRequest(codeInvalidDuration, "duration", fmt.Sprintf("duration %d is outside 5–20 seconds", c.Duration),
			"Set duration to an integer from 5 to 20.")
	}

	seed := int64(ltx2apiDefaultSeed)
	if present(raw, "seed") {
		v, ok := wholeNumber(raw["seed"])
		if !ok {
			return nil, badRequest(codeInvalidRequest, "seed", "seed must be an integer, got "+string(raw["seed"]), "Use a whole number, or -1 for random.")
		}
		seed = v
	}
	c.Seed = &seed

	c.cost = LTX2APICreditsPerSecond[c.Resolution] * float64(c.Duration)
	c.key = ProviderLTX2API + " " + c.normalized()
	return c, nil
}
