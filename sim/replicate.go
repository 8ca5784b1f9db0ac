package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// replicateSpec is Replicate's predictions API (providers.md §5):
//
//	POST /v1/models/lightricks/{name}/predictions → 202 prediction (201 with Prefer: wait)
//	GET  /v1/predictions/{id}                     → 200 prediction
//	POST /v1/predictions/{id}/cancel              → 200 prediction
//	GET  /delivery/{id}/output.mp4                → the MP4 (no key)
//
// A prediction is {id,model,version,input,output,error,status,created_at,
// started_at,completed_at,data_removed,metrics,urls{get,cancel,web}}; its
// status is starting, processing, succeeded, failed, canceled or aborted.
// Inputs and outputs are deleted an hour after it ends (scaled by
// TimeScale; Options.Retention overrides): output becomes null and
// data_removed true, and the file answers 404. Errors are RFC 7807
// problems; a 429 on create means nothing was created. Cancel-After cancels
// a prediction that runs too long. No idempotency key.
var replicateSpec = providerSpec{
	name:        ProviderReplicate,
	register:    registerReplicate,
	writeError:  writeReplicateError,
	keepsStatus: true,
	insufficient: func(cost, _ float64) string {
		return "You have insufficient credit to run this model. Go to https://replicate.com/account/billing to add credit."
	},
	retention: time.Hour,
	videoPath: func(id string) string { return "/delivery/" + id + "/output.mp4" },
}

// ReplicateDollarsPerSecond is the simulator's price by model and wire
// resolution (not published: the client's assumed table).
var ReplicateDollarsPerSecond = map[string]map[string]float64{
	"lightricks/ltx-2.5-fast": {"720p": 0.04, "1080p": 0.04, "2k": 0.08, "4k": 0.16},
	"lightricks/ltx-2-fast":   {"1080p": 0.04, "2k": 0.08, "4k": 0.16},
}

var replicateTiers = map[string]string{"720p": "720p", "1080p": "1080p", "2k": "1440p", "4k": "4K"}

var replicateTitles = map[int]string{
	http.StatusUnauthorized: "Unauthenticated", http.StatusPaymentRequired: "Insufficient credit",
	http.StatusNotFound: "Not found", http.StatusUnprocessableEntity: "Input validation failed",
	http.StatusTooManyRequests: "Request was throttled", http.StatusInternalServerError: "Internal server error",
}

func writeReplicateError(w http.ResponseWriter, _ string, e *apiError) {
	status := e.Status
	switch {
	case e.Code == codeContentPolicy, status == http.StatusBadRequest:
		status = http.StatusUnprocessableEntity
	case e.Code == codePlanLimit:
		status = http.StatusPaymentRequired
	}
	retry := e.RetryAfter
	detail := e.Message
	if e.Field != "" && !strings.Contains(detail, e.Field) {
		detail = "input." + e.Field + ": " + detail
	}
	if status == http.StatusTooManyRequests {
		retry = max(retry, 1)
		detail = fmt.Sprintf("Request was throttled. Your rate limit resets in ~%ds.", retry)
	}
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	title := replicateTitles[status]
	if title == "" {
		title = http.StatusText(status)
	}
	body, _ := json.Marshal(map[string]any{"type": "about:blank", "title": title, "status": status, "detail": detail})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

type replicatePrediction struct {
	ID          string            `json:"id"`
	Model       string            `json:"model"`
	Version     string            `json:"version"`
	Input       json.RawMessage   `json:"input"`
	Output      *string           `json:"output"`
	Error       *string           `json:"error"`
	Status      string            `json:"status"`
	CreatedAt   string            `json:"created_at"`
	StartedAt   *string           `json:"started_at"`
	CompletedAt *string           `json:"completed_at"`
	DataRemoved bool              `json:"data_removed"`
	Metrics     map[string]any    `json:"metrics"`
	URLs        map[string]string `json:"urls"`
}

// replicateStatusAt is a prediction's status at now.
func replicateStatusAt(t *task, now time.Time) string {
	st, _ := t.statusAt(now)
	switch {
	case st == statusQueued:
		return "starting"
	case st == statusProcessing:
		return "processing"
	case st == statusCompleted:
		return "succeeded"
	case t.failCode == "canceled", t.failCode == "aborted":
		return t.failCode
	}
	return "failed"
}

// prediction renders t at now. Caller holds s.mu.
func (s *Server) prediction(r *http.Request, t *task, now time.Time) replicatePrediction {
	base := baseURL(r)
	p := replicatePrediction{ID: t.id, Model: t.req.model, Version: "official", Input: t.req.input,
		Status: replicateStatusAt(t, now), CreatedAt: stamp(t.created), Metrics: map[string]any{},
		URLs: map[string]string{"get": base + "/v1/predictions/" + t.id, "cancel": base + "/v1/predictions/" + t.id + "/cancel",
			"web": "https://replicate.com/p/" + t.id}}
	if !now.Before(t.startedAt) && t.failCode != "aborted" {
		started := stamp(t.startedAt)
		p.StartedAt = &started
	}
	if !now.Before(t.endsAt) {
		done := stamp(t.endsAt)
		p.CompletedAt = &done
		p.Metrics["predict_time"] = t.endsAt.Sub(t.startedAt).Seconds()
		if t.expiredAt(now, s.retention) {
			p.DataRemoved, p.Input = true, json.RawMessage("{}")
		} else if p.Status == "succeeded" {
			out := base + t.videoPath
			p.Output = &out
		}
		if p.Status == "failed" {
			msg := t.failMsg
			p.Error = &msg
		}
	}
	return p
}

func registerReplicate(rt router) {
	s := rt.s
	for model := range ReplicateDollarsPerSecond {
		rt.api("POST /v1/models/"+model+"/predictions", func(w http.ResponseWriter, r *http.Request, c call) {
			req, aerr := s.decodeReplicate(r, model)
			if aerr != nil {
				s.fail(w, c, aerr)
				return
			}
			cancelAfter, _ := time.ParseDuration(r.Header.Get("Cancel-After"))
			wait := strings.Contains(r.Header.Get("Prefer"), "wait")
			s.answerCreate(w, r, c, req, func(w http.ResponseWriter, t *task, now time.Time, _ bool) (int, any) {
				if cancelAfter >= 5*time.Second && t.endsAt.Sub(t.created) > cancelAfter {
					t.failCode, t.endsAt = "canceled", t.created.Add(cancelAfter)
					t.failMsg = "canceled by Cancel-After"
					if !t.endsAt.After(t.startedAt) {
						t.failCode, t.startedAt = "aborted", t.endsAt
						s.refund(t)
					}
				}
				status := http.StatusAccepted
				if wait {
					status = http.StatusCreated
				}
				return status, s.prediction(r, t, now)
			})
		})
	}
	rt.api("GET /v1/predictions/{id}", func(w http.ResponseWriter, r *http.Request, c call) {
		s.answerPoll(w, r, c, r.PathValue("id"), func(t *task, now time.Time) (any, *apiError) {
			return s.prediction(r, t, now), nil
		})
	})
	rt.api("POST /v1/predictions/{id}/cancel", func(w http.ResponseWriter, r *http.Request, c call) {
		s.answerPoll(w, r, c, r.PathValue("id"), func(t *task, now time.Time) (any, *apiError) {
			switch st, _ := t.statusAt(now); st {
			case statusQueued:
				t.failCode, t.startedAt, t.endsAt = "aborted", now, now
				s.refund(t)
				s.counters.Cancelled.Add(1)
			case statusProcessing:
				t.failCode, t.endsAt = "canceled", now
			}
			return s.prediction(r, t, now), nil
		})
	})
	rt.open("GET /delivery/{id}/{file}", func(w http.ResponseWriter, r *http.Request, c call) {
		s.serveDownload(w, r, c, r.PathValue("id"), r.PathValue("file") == "output.mp4")
	})
}

var replicateInputFields = map[string]bool{"prompt": true, "duration": true, "resolution": true, "fps": true,
	"aspect_ratio": true, "generate_audio": true, "image": true, "last_frame_image": true}

// decodeReplicate reads and validates {"input":{...}} for model.
func (s *Server) decodeReplicate(r *http.Request, model string) (*createRequest, *apiError) {
	top, aerr := readObject(r, maxBodyBytes, codeInvalidRequest)
	if aerr != nil {
		return nil, aerr
	}
	if name := firstUnknown(top, map[string]bool{"input": true, "webhook": true, "webhook_events_filter": true}); name != "" {
		return nil, invalidField(name, "unknown top-level field %q", name)
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(top["input"], &raw) != nil || raw == nil {
		return nil, invalidField("input", "input is required: an object")
	}
	if name := firstUnknown(raw, replicateInputFields); name != "" {
		return nil, invalidField(name, "Additional property %s is not allowed", name)
	}
	str := func(name string, dst *string) bool { return json.Unmarshal(raw[name], dst) == nil }
	c := &createRequest{Mode: "text-to-video", model: model, input: top["input"]}
	if !str("prompt", &c.Prompt) || strings.TrimSpace(c.Prompt) == "" || utf8.RuneCountInString(c.Prompt) > 10000 {
		return nil, invalidField("prompt", "prompt is required")
	}
	res := "1080p"
	if present(raw, "resolution") && !str("resolution", &res) {
		return nil, invalidField("resolution", "resolution must be a string")
	}
	price, ok := ReplicateDollarsPerSecond[model][res]
	if !ok {
		return nil, invalidField("resolution", "resolution must be one of the model's: %s", strings.Join(slices.Sorted(maps.Keys(ReplicateDollarsPerSecond[model])), ", "))
	}
	c.Resolution = replicateTiers[res]
	fps, d, aerr := fpsAndDuration(raw, model == "lightricks/ltx-2-fast")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := replicateDurationAllowed(model, res, fps, d); aerr != nil {
		return nil, aerr
	}
	c.Duration = d
	if present(raw, "aspect_ratio") && (!str("aspect_ratio", &c.AspectRatio) || (c.AspectRatio != "16:9" && c.AspectRatio != "9:16")) {
		return nil, invalidField("aspect_ratio", "aspect_ratio must be 16:9 or 9:16")
	}
	if present(raw, "image") {
		if !str("image", &c.ImageURL) || !strings.HasPrefix(c.ImageURL, "http") {
			return nil, invalidField("image", "image must be a URL")
		}
		c.Mode, c.imageField = "image-to-video", "image"
	}
	c.cost = price * float64(d)
	norm, _ := json.Marshal(raw)
	c.key = ProviderReplicate + " " + model + " " + string(norm)
	return c, nil
}

func replicateDurationAllowed(model, res string, fps, d int64) *apiError {
	short := []int64{2, 3, 4, 5, 6, 8, 10}
	if model == "lightricks/ltx-2-fast" {
		short = []int64{6, 8, 10}
	}
	if slices.Contains(short, d) {
		return nil
	}
	long := model == "lightricks/ltx-2.5-fast" && d >= 12 && d <= 20 && d%2 == 0
	if long && (res == "720p" || res == "1080p") && (fps == 24 || fps == 25) {
		return nil
	}
	return invalidField("duration", "duration %d is not allowed for %s at %s and %d fps", d, model, res, fps)
}
