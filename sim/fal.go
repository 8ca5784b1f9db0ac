package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// falSpec is fal.ai's queue API (providers.md §4):
//
//	POST /fal-ai/{app}/{mode}[/fast]              → 200 {request_id,response_url,status_url,cancel_url,queue_position}
//	GET  /fal-ai/{app}/requests/{id}/status        → 202 {status: IN_QUEUE|IN_PROGRESS, queue_position}
//	                                                  200 {status: COMPLETED, error?, error_type?}
//	GET  /fal-ai/{app}/requests/{id}               → 200 {video:{url,content_type}}, or the failure
//	PUT  /fal-ai/{app}/requests/{id}/cancel        → 202 CANCELLATION_REQUESTED | 400 ALREADY_COMPLETED | 404 NOT_FOUND
//	GET  /files/{id}/video.mp4                     → the MP4 (no key)
//
// "Authorization: Key KEY"; the request id is in x-fal-request-id; errors
// are {"detail":[{loc,msg,type}]} or {"detail":"..."}. fal never refuses on
// concurrency: past the account's 2 at once, requests wait IN_QUEUE. A
// request cancelled while queued never started and is not billed. X-Fal-Request-Timeout: a request not
// started within it fails with request_timeout, never billed.
var falSpec = providerSpec{
	name:       ProviderFal,
	authScheme: "Key",
	register:   registerFal,
	writeError: writeFalError,
	insufficient: func(cost, _ float64) string {
		return "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."
	},
	videoPath: func(id string) string { return "/files/" + id + "/video.mp4" },
	// A new account runs 2 at once; past that, requests wait IN_QUEUE.
	maxConcurrent:   2,
	queuesPastLimit: true,
}

// FalDollarsPerSecond is the price per endpoint id and resolution (fal's
// pricing page; the endpoints it does not list cost what the model's other
// mode costs).
var FalDollarsPerSecond = map[string]map[string]float64{
	"fal-ai/ltx-2.3/text-to-video":       {"1080p": 0.08, "1440p": 0.16, "2160p": 0.32},
	"fal-ai/ltx-2.3/image-to-video":      {"1080p": 0.06, "1440p": 0.12, "2160p": 0.24},
	"fal-ai/ltx-2.3/text-to-video/fast":  {"1080p": 0.04, "1440p": 0.08, "2160p": 0.16},
	"fal-ai/ltx-2.3/image-to-video/fast": {"1080p": 0.04, "1440p": 0.08, "2160p": 0.16},
	"fal-ai/ltx-2/text-to-video/fast":    {"1080p": 0.04, "1440p": 0.08, "2160p": 0.16},
	"fal-ai/ltx-2/image-to-video/fast":   {"1080p": 0.04, "1440p": 0.08, "2160p": 0.16},
	"fal-ai/ltx-2/text-to-video":         {"1080p": 0.06, "1440p": 0.12, "2160p": 0.24},
	"fal-ai/ltx-2/image-to-video":        {"1080p": 0.06, "1440p": 0.12, "2160p": 0.24},
}

var falTiers = map[string]string{"1080p": "1080p", "1440p": "1440p", "2160p": "4K"}

type falDetail struct {
	Loc  []string `json:"loc,omitempty"`
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

// falErrorTypes maps the shared errors to fal's words where it has them.
var falErrorTypes = map[string]string{codeContentPolicy: "content_policy_violation"}

func writeFalError(w http.ResponseWriter, requestID string, e *apiError) {
	w.Header().Set("X-Fal-Request-Id", requestID)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	status := e.Status
	if e.Code == codeContentPolicy {
		status = http.StatusUnprocessableEntity
	}
	if e.Code == codeInsufficient {
		status = http.StatusForbidden
	}
	typ := e.Type
	if typ == "" {
		typ = falErrorTypes[e.Code]
	}
	if status == http.StatusBadRequest || status == http.StatusUnprocessableEntity {
		status = http.StatusUnprocessableEntity
		if typ == "" {
			typ = "value_error"
		}
		d := falDetail{Msg: e.Message, Type: typ}
		if e.Field != "" {
			d.Loc = []string{"body", e.Field}
		}
		writeJSON(w, status, map[string]any{"detail": []falDetail{d}})
		return
	}
	if typ != "" {
		w.Header().Set("X-Fal-Error-Type", typ)
	}
	writeJSON(w, status, map[string]any{"detail": e.Message})
}

// falEndpoints lists every endpoint id the simulator serves.
func falEndpoints() []string {
	ids := make([]string, 0, len(FalDollarsPerSecond))
	for id := range FalDollarsPerSecond {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func registerFal(rt router) {
	s := rt.s
	for _, id := range falEndpoints() {
		rt.api("POST /"+id, func(w http.ResponseWriter, r *http.Request, c call) {
			req, aerr := s.decodeFal(r, id)
			if aerr != nil {
				s.fail(w, c, aerr)
				return
			}
			app := falApp(id)
			timeout := falRequestTimeout(r)
			s.answerCreate(w, r, c, req, func(w http.ResponseWriter, t *task, now time.Time, _ bool) (int, any) {
				if timeout > 0 && t.startedAt.Sub(t.created) > timeout {
					// It will not start in time: fal gives up on it then,
					// and nothing is billed.
					t.failCode, t.endsAt, t.startedAt = "request_timeout", t.created.Add(timeout), t.created.Add(timeout)
					s.refund(t)
				}
				w.Header().Set("X-Fal-Request-Id", c.requestID)
				base := baseURL(r) + "/" + app + "/requests/" + t.id
				return http.StatusOK, map[string]any{"request_id": t.id, "response_url": base,
					"status_url": base + "/status", "cancel_url": base + "/cancel", "queue_position": 0}
			})
		})
	}
	for _, app := range []string{"fal-ai/ltx-2.3", "fal-ai/ltx-2"} {
		rt.api("GET /"+app+"/requests/{id}/status", s.serveFalStatus)
		rt.api("GET /"+app+"/requests/{id}", s.serveFalResult)
		rt.api("PUT /"+app+"/requests/{id}/cancel", s.serveFalCancel)
	}
	rt.open("GET /files/{id}/{file}", func(w http.ResponseWriter, r *http.Request, c call) {
		s.serveDownload(w, r, c, r.PathValue("id"), r.PathValue("file") == "video.mp4")
	})
}

// falApp is the owner/app part of an endpoint id, where its requests live.
func falApp(id string) string {
	parts := strings.SplitN(id, "/", 3)
	return parts[0] + "/" + parts[1]
}

func falRequestTimeout(r *http.Request) time.Duration {
	n, err := strconv.Atoi(r.Header.Get("X-Fal-Request-Timeout"))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// falFailure is what a failed task says in its COMPLETED status.
func falFailure(t *task) (msg, typ string) {
	switch t.failCode {
	case "request_timeout":
		return "the request did not start within X-Fal-Request-Timeout", "request_timeout"
	case "cancelled":
		return "the request was cancelled", "request_cancelled"
	}
	return t.failMsg, "runner_disconnected"
}

func (s *Server) serveFalStatus(w http.ResponseWriter, r *http.Request, c call) {
	w.Header().Set("X-Fal-Request-Id", c.requestID)
	s.answerPollStatus(w, r, c, r.PathValue("id"), func(t *task, now time.Time) (int, any, *apiError) {
		status, body := 0, map[string]any{}
		st, _ := t.statusAt(now)
		switch st {
		case statusQueued:
			status, body["status"], body["queue_position"] = http.StatusAccepted, "IN_QUEUE", s.queuePosition(t, now)
		case statusProcessing:
			status, body["status"] = http.StatusAccepted, "IN_PROGRESS"
		default:
			status, body["status"] = http.StatusOK, "COMPLETED"
			if st == statusFailed {
				body["error"], body["error_type"] = falFailure(t)
			}
		}
		body["request_id"] = t.id
		body["response_url"] = baseURL(r) + strings.TrimSuffix(r.URL.Path, "/status")
		return status, body, nil
	})
}

// queuePosition counts the tasks queued before t. Caller holds s.mu.
func (s *Server) queuePosition(t *task, now time.Time) int {
	n := 0
	for _, o := range s.active {
		if o.seq < t.seq && now.Before(o.startedAt) {
			n++
		}
	}
	return n
}

func (s *Server) serveFalResult(w http.ResponseWriter, r *http.Request, c call) {
	w.Header().Set("X-Fal-Request-Id", c.requestID)
	s.answerPoll(w, r, c, r.PathValue("id"), func(t *task, now time.Time) (any, *apiError) {
		switch st, _ := t.statusAt(now); st {
		case statusCompleted:
			return map[string]any{"video": map[string]any{"url": baseURL(r) + t.videoPath, "content_type": "video/mp4"}}, nil
		case statusFailed:
			msg, typ := falFailure(t)
			aerr := &apiError{Status: http.StatusInternalServerError, Type: typ, Message: msg}
			if typ == "request_timeout" {
				aerr.Status = http.StatusGatewayTimeout
			}
			return nil, aerr
		default:
			return nil, &apiError{Status: http.StatusBadRequest, Message: "Request is still in progress"}
		}
	})
}

// serveFalCancel cancels a queued request (never started: refunded); one
// that started is not stopped here, as fal's cancel is only a request.
func (s *Server) serveFalCancel(w http.ResponseWriter, r *http.Request, c call) {
	w.Header().Set("X-Fal-Request-Id", c.requestID)
	now := s.opts.Now()
	s.mu.Lock()
	t := s.tasks[r.PathValue("id")]
	answer, status := "NOT_FOUND", http.StatusNotFound
	if t != nil && !t.lost {
		answer, status = "ALREADY_COMPLETED", http.StatusBadRequest
		if st, _ := t.statusAt(now); st == statusQueued {
			t.failCode, t.startedAt, t.endsAt = "cancelled", now, now
			s.refund(t)
			s.counters.Cancelled.Add(1)
			answer, status = "CANCELLATION_REQUESTED", http.StatusAccepted
		}
	}
	s.mu.Unlock()
	writeJSON(w, status, map[string]string{"status": answer})
}

// refund undoes the charge of a task that never started. Caller holds s.mu.
func (s *Server) refund(t *task) {
	s.spent -= t.credits
	if s.creditsLimited {
		s.balance += t.credits
	}
	if s.byPrompt[t.req.Prompt] > 0 {
		s.byPrompt[t.req.Prompt]--
	}
	t.credits = 0
}

var falFields = map[string]bool{"prompt": true, "duration": true, "resolution": true, "fps": true,
	"aspect_ratio": true, "generate_audio": true, "image_url": true, "end_image_url": true}

// decodeFal reads and validates a submit to endpoint id.
func (s *Server) decodeFal(r *http.Request, id string) (*createRequest, *apiError) {
	raw, aerr := readObject(r, maxBodyBytes, codeInvalidRequest)
	if aerr != nil {
		return nil, aerr
	}
	if name := firstUnknown(raw, falFields); name != "" {
		return nil, invalidField(name, "extra inputs are not permitted")
	}
	image := strings.Contains(id, "image-to-video")
	ltx23, fast := strings.Contains(id, "ltx-2.3"), strings.HasSuffix(id, "/fast")
	str := func(name string, dst *string) bool { return json.Unmarshal(raw[name], dst) == nil }
	c := &createRequest{Mode: "text-to-video"}
	if image {
		c.Mode = "image-to-video"
	}
	if !str("prompt", &c.Prompt) || strings.TrimSpace(c.Prompt) == "" || utf8.RuneCountInString(c.Prompt) > 10000 {
		return nil, invalidField("prompt", "prompt is required: 1 to 10000 characters")
	}
	res := "1080p"
	if present(raw, "resolution") && !str("resolution", &res) {
		return nil, invalidField("resolution", "resolution must be a string")
	}
	tier, ok := falTiers[res]
	if !ok {
		return nil, invalidField("resolution", "resolution must be one of 1080p, 1440p, 2160p")
	}
	c.Resolution = tier
	fps, d, aerr := fpsAndDuration(raw, !ltx23)
	if aerr != nil {
		return nil, aerr
	}
	long := fast && res == "1080p" && fps == 25 && d >= 12 && d <= 20 && d%2 == 0
	if d != 6 && d != 8 && d != 10 && !long {
		return nil, invalidField("duration", "duration %d is not allowed: 6, 8 or 10 s (12–20 s on fast endpoints at 1080p and 25 fps)", d)
	}
	c.Duration = d
	if present(raw, "aspect_ratio") {
		if !ltx23 || image || !str("aspect_ratio", &c.AspectRatio) || (c.AspectRatio != "16:9" && c.AspectRatio != "9:16") {
			return nil, invalidField("aspect_ratio", "aspect_ratio is 16:9 or 9:16, on LTX-2.3 text-to-video only")
		}
	}
	if image {
		if !str("image_url", &c.ImageURL) || !strings.HasPrefix(c.ImageURL, "http") {
			return nil, invalidField("image_url", "image_url is required: an http(s) URL")
		}
	} else if present(raw, "image_url") || present(raw, "end_image_url") {
		return nil, invalidField("image_url", "images go to an image-to-video endpoint")
	}
	if present(raw, "end_image_url") && !ltx23 {
		return nil, invalidField("end_image_url", "end_image_url is taken by LTX-2.3 only")
	}
	c.cost = FalDollarsPerSecond[id][res] * float64(d)
	norm, _ := json.Marshal(raw)
	c.key = ProviderFal + " " + id + " " + string(norm)
	return c, nil
}
