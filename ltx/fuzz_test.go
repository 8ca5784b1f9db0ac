package ltx

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
)

var fuzzNow = time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)

var taskSeeds = []string{
	`{"task_id":"t1","status":"completed","progress":100,"video_url":"https://cdn/x.mp4","consumed_credits":32,"request_id":"r"}`,
	`{"code":200,"message":"success","data":{"task_id":"t","status":"SUCCESS","response":["https://cdn/x.mp4"],"consumed_credits":"32"}}`,
	`{"code":200,"message":"success","data":{"task_id":"t","status":"FAILED","error_message":"boom"}}`,
	`{"task_id":"t","status":"failed","error":{"code":"TIMEOUT","message":"slow"}}`,
	`{"code":404,"message":"not found","data":null}`,
	`{"error":{"code":"TASK_NOT_FOUND"}}`,
	`{"task_id":"t","status":"IN_PROGRESS","progress":"45%"}`,
	`{"task_id":1e400,"progress":-1e400,"response":[null,7,"u"]}`,
	`{"data":{"data":{"task_id":"deep"}}}`,
	`null`, `[]`, `""`, ``, `{`, "\xff\xfe", `<html></html>`,
}

func FuzzDecodeTask(f *testing.F) {
	for _, s := range taskSeeds {
		f.Add(s, "true")
	}
	f.Fuzz(func(t *testing.T, body, replayed string) {
		h := http.Header{"Idempotent-Replayed": {replayed}, "X-Request-Id": {"req_h"}}
		ans, err := decodeTask(200, h, []byte(body), fuzzNow)
		if err != nil {
			return
		}
		switch {
		case ans.apiErr != nil:
			checkAPIError(t, ans.apiErr)
		case ans.task == nil:
			t.Fatal("neither a task nor an error")
		default:
			task := ans.task
			if _, ok := map[Status]bool{StatusQueued: true, StatusProcessing: true, StatusCompleted: true, StatusFailed: true}[task.Status]; !ok {
				t.Fatalf("status %q outside the vocabulary", task.Status)
			}
			if (task.Status == StatusFailed) != (task.Error != nil) {
				t.Fatalf("status %s with error %+v", task.Status, task.Error)
			}
			if task.Progress != nil && (*task.Progress < 0 || *task.Progress > 100) {
				t.Fatalf("progress %v", *task.Progress)
			}
			if task.ConsumedCost < 0 || task.RequestID == "" {
				t.Fatalf("task %+v", task)
			}
		}
	})
}

var errorSeeds = []string{
	`{"error":{"code":"INVALID_DURATION","message":"6 to 20","details":{"field":"duration","suggestion":"use 10"}},"request_id":"req_1"}`,
	`{"error":"RATE_LIMIT_EXCEEDED"}`,
	`{"error":{"code":42,"message":["x"],"details":"nope"},"request_id":7}`,
	`{"code":"INVALID_PROMPT","message":"long"}`,
	`<html><head><title>502 Bad Gateway</title></head></html>`,
	"", "null", `{"error":{"message":"\u001b[31mred"}}`, "\x00\x01\x02",
}

func FuzzDecodeError(f *testing.F) {
	for _, s := range errorSeeds {
		f.Add(400, s, "3", "req_h")
	}
	f.Add(429, `{}`, "Wed, 25 Nov 2026 22:01:00 GMT", "")
	f.Add(503, `{}`, "1e308", "")
	f.Fuzz(func(t *testing.T, status int, body, retryAfter, requestID string) {
		h := http.Header{"Retry-After": {retryAfter}, "X-Request-Id": {requestID}}
		e := parseAPIError(status, h, []byte(body), fuzzNow)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		checkAPIError(t, e)
		_ = e.Error()
		_ = e.Class()
		_ = e.SuggestionOrCatalogue()
	})
}

func checkAPIError(t *testing.T, e *APIError) {
	t.Helper()
	if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
		t.Fatalf("Retry-After %v", e.RetryAfter)
	}
	if e.Code != "" && !codePattern().MatchString(e.Code) {
		t.Fatalf("code %q", e.Code)
	}
	for _, s := range []string{e.Message, e.Field, e.Suggestion, e.RequestID} {
		if strings.IndexFunc(s, unicode.IsControl) >= 0 {
			t.Fatalf("control character in %q", s)
		}
	}
}

// The lightricks wire (issue 14: every provider's decoders are fuzzed).
var lightricksSeeds = []string{
	`{"id":"job_1","created_at":"2026-11-25T22:00:00Z"}`,
	`{"id":"job_1","status":"processing"}`,
	`{"id":"job_1","status":"completed","result":{"video_url":"https://cdn/out.mp4"},"completed_at":"2026-11-25T22:01:00Z"}`,
	`{"id":"job_1","status":"completed","video_url":"https://cdn/out.mp4"}`,
	`{"id":"job_1","status":"failed","error":{"type":"api_error","message":"the job failed"}}`,
	`{"id":"job_1","status":"failed","error":{"type":"Not A Type","message":"\u001b[2J"}}`,
	`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`,
	`{"type":"error","error":"flat"}`,
	`{"id":7,"status":["completed"],"result":"x"}`,
	`{"id":"j","status":"SUCCESS"}`,
	`null`, `[]`, ``, `{`, "\xff\xfe", `<html><title>502</title></html>`,
}

func FuzzDecodeLightricks(f *testing.F) {
	for _, s := range lightricksSeeds {
		f.Add(202, s, "req_h")
	}
	f.Fuzz(func(t *testing.T, status int, body, requestID string) {
		h := http.Header{"X-Request-Id": {requestID}, "Retry-After": {"2"}}
		ans, err := decodeLightricks(status, h, []byte(body), fuzzNow)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("error %v is not ErrMalformedResponse", err)
			}
			return
		}
		switch {
		case ans.apiErr != nil:
			checkLightricksError(t, ans.apiErr)
		case ans.task == nil:
			t.Fatal("neither a task nor an error")
		default:
			task := ans.task
			if _, ok := map[Status]bool{StatusQueued: true, StatusProcessing: true, StatusCompleted: true, StatusFailed: true}[task.Status]; !ok {
				t.Fatalf("status %q outside the vocabulary", task.Status)
			}
			if (task.Status == StatusFailed) != (task.Error != nil) {
				t.Fatalf("status %s with error %+v", task.Status, task.Error)
			}
			if task.Error != nil && !typePattern().MatchString(task.Error.Code) {
				t.Fatalf("task error code %q", task.Error.Code)
			}
			for _, s := range []string{task.ID, task.RequestID, task.VideoURL, errorMessage(task.Error)} {
				if strings.IndexFunc(s, unicode.IsControl) >= 0 {
					t.Fatalf("control character in %q", s)
				}
			}
			if task.ConsumedCost < 0 {
				t.Fatalf("task %+v", task)
			}
		}
	})
}

func FuzzParseLightricksError(f *testing.F) {
	for _, s := range append(lightricksSeeds, errorSeeds...) {
		f.Add(429, s, "3", "req_h")
	}
	f.Add(529, `{"type":"error","error":{"type":"overloaded_error","message":"busy"}}`, "Wed, 25 Nov 2026 22:01:00 GMT", "")
	f.Add(404, `{"type":"error","error":{"type":"not_found_error"}}`, "-5", "\x1b[31m")
	f.Fuzz(func(t *testing.T, status int, body, retryAfter, requestID string) {
		h := http.Header{"Retry-After": {retryAfter}, "X-Request-Id": {requestID}}
		e := parseLightricksError(status, h, []byte(body), fuzzNow)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		checkLightricksError(t, e)
		_ = e.Error()
		_ = e.Class()
		_ = e.SuggestionOrCatalogue()
	})
}

// checkLightricksError is checkAPIError for a wire whose codes are the
// lower-case error types, or the tolerant reader's upper-case codes.
func checkLightricksError(t *testing.T, e *APIError) {
	t.Helper()
	if e.Code != "" && !typePattern().MatchString(e.Code) && !codePattern().MatchString(e.Code) {
		t.Fatalf("code %q", e.Code)
	}
	code := e.Code
	e.Code = ""
	checkAPIError(t, e)
	e.Code = code
}

func errorMessage(e *TaskError) string {
	if e == nil {
		return ""
	}
	return e.Message
}
