package sim

import (
	"net/http"
	"strings"
	"time"
)

// ltx2apiV1Spec is ARCHITECTURE.md's "The ltx2api-v1 contract" (the default):
//
//	POST /v1/text-to-video, POST /v1/image-to-video → 201 {task_id,status,consumed_credits,request_id}
//	GET  /v1/tasks/{task_id}                        → 200 {task_id,status,progress?,video_url?,consumed_credits,error?,request_id}
//	GET  /v1/videos/{task_id}.mp4                   → the MP4 (no key)
//
// Errors {"error":{"code","message","details"},"request_id"}; the request id
// also in X-Request-Id. Prices in credits (CreditsPerSecond). The
// Idempotency-Key is honoured unless IgnoreIdempotencyKey.
var ltx2apiV1Spec = providerSpec{
	name:                  ProviderLTX2APIv1,
	register:              registerV1,
	writeError:            func(w http.ResponseWriter, rid string, e *apiError) { e.send(w, rid) },
	insufficient:          creditsMessage,
	honoursIdempotencyKey: true,
	videoPath:             func(id string) string { return "/v1/videos/" + id + ".mp4" },
}

func registerV1(rt router) {
	s := rt.s
	for _, mode := range []string{"text-to-video", "image-to-video"} {
		rt.api("POST /v1/"+mode, func(w http.ResponseWriter, r *http.Request, c call) {
			req, aerr := decodeCreate(r, mode)
			if aerr != nil {
				s.fail(w, c, aerr)
				return
			}
			s.answerCreate(w, r, c, req, func(w http.ResponseWriter, t *task, now time.Time, replayed bool) (int, any) {
				if replayed {
					w.Header().Set("Idempotent-Replayed", "true")
				}
				return s.taskBody(http.StatusCreated, t.view(now, baseURL(r), c.requestID))
			})
		})
	}
	rt.api("GET /v1/tasks/{task_id}", func(w http.ResponseWriter, r *http.Request, c call) {
		s.answerPoll(w, r, c, r.PathValue("task_id"), func(t *task, now time.Time) (any, *apiError) {
			_, body := s.taskBody(http.StatusOK, t.view(now, baseURL(r), c.requestID))
			return body, nil
		})
	})
	rt.open("GET /v1/videos/{file}", func(w http.ResponseWriter, r *http.Request, c call) {
		id, isMP4 := strings.CutSuffix(r.PathValue("file"), ".mp4")
		s.serveDownload(w, r, c, id, isMP4)
	})
}
