package ltx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file is the tolerant reader: it takes whatever a deployment of the
// API answers (either envelope, either status vocabulary, numbers sent as
// strings, fields of the wrong type) and never panics on a body it cannot read.

// fields is one JSON object, its values left raw so that each is read leniently.
type fields map[string]json.RawMessage

func object(raw []byte) fields {
	var f fields
	if json.Unmarshal(raw, &f) != nil {
		return nil
	}
	return f
}

// str reads a string, or a number as its text; "" for anything else.
func (f fields) str(names ...string) string {
	for _, n := range names {
		raw := bytes.TrimSpace(f[n])
		if len(raw) == 0 {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if s = clean(s); s != "" {
				return s
			}
			continue
		}
		var num json.Number
		if json.Unmarshal(raw, &num) == nil {
			return num.String()
		}
	}
	return ""
}

// num reads a number, or a string holding one ("42", "42.5", "42%").
func (f fields) num(names ...string) (float64, bool) {
	for _, n := range names {
		raw := f[n]
		if len(raw) == 0 {
			continue
		}
		var v float64
		if json.Unmarshal(raw, &v) == nil {
			return v, true
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			s = strings.TrimSuffix(strings.TrimSpace(s), "%")
			if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
				return v, true
			}
		}
	}
	return 0, false
}

func (f fields) obj(name string) fields {
	if raw, ok := f[name]; ok {
		return object(raw)
	}
	return nil
}

const maxTextRunes = 300

// clean makes server-provided text safe to print: valid UTF-8, no control
// characters (no terminal escapes), whitespace collapsed, bounded length.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= maxTextRunes {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

var codePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`) })

// asCode keeps s only if it looks like an error code, so that a number or a
// sentence in a code field is not mistaken for one.
func asCode(s string) string {
	if codePattern().MatchString(s) {
		return s
	}
	return ""
}

var titlePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`) })

// textOf salvages a message from a body that is not a JSON object: an HTML
// page's title, or the start of a plain-text body. JSON of another shape, or
// cut off at the read limit, is no message.
func textOf(body []byte) string {
	if m := titlePattern().FindSubmatch(body); m != nil {
		return clean(string(m[1]))
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || strings.IndexByte(`<{["`, trimmed[0]) >= 0 || json.Valid(trimmed) || !utf8.Valid(trimmed) {
		return ""
	}
	return clean(string(trimmed))
}

// parseAPIError reads a non-2xx answer (or a 2xx one that carries an error).
// It fills what it can and leaves the rest empty.
func parseAPIError(status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{StatusCode: status}
	top := object(body)
	if top == nil {
		e.Message = textOf(body)
	} else {
		if inner := top.obj("error"); inner != nil {
			e.Code = asCode(inner.str("code", "error_code"))
			e.Message = inner.str("message", "msg")
			if d := inner.obj("details"); d != nil {
				e.Field = d.str("field")
				e.Suggestion = d.str("suggestion")
			}
			e.RequestID = inner.str("request_id")
		} else if s := top.str("error"); s != "" {
			if e.Code = asCode(s); e.Code == "" {
				e.Message = s
			}
		}
		if e.Code == "" {
			e.Code = asCode(top.str("error_code", "code"))
		}
		if e.Message == "" {
			e.Message = top.str("message", "error_message", "msg")
		}
		if d := top.obj("details"); d != nil {
			if e.Field == "" {
				e.Field = d.str("field")
			}
			if e.Suggestion == "" {
				e.Suggestion = d.str("suggestion")
			}
		}
		if id := top.str("request_id"); id != "" {
			e.RequestID = id
		}
	}
	if e.RequestID == "" {
		e.RequestID = clean(h.Get("X-Request-Id"))
	}
	e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), now)
	return e
}

// maxRetryAfter bounds a server's Retry-After, so that a silly value cannot
// overflow a Duration or park a run for days.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads delay-seconds (RFC 9110; fractions tolerated) or an
// HTTP date. Anything unreadable, negative or past is 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(secs) || secs <= 0 {
			return 0
		}
		if secs >= maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// MaxPlausibleCost bounds a cost the service reports for one task.
const MaxPlausibleCost = 1e7

// taskAnswer is what a 2xx body turned out to be: a task, or an error that a
// deployment chose to send with a 2xx status.
type taskAnswer struct {
	task   *Task
	apiErr *APIError
}

// decodeTask reads a create's or a poll's 2xx answer.
func decodeTask(status int, h http.Header, body []byte, now time.Time) (taskAnswer, error) {
	top := object(body)
	if top == nil {
		return taskAnswer{}, fmt.Errorf("%w: the body is not a JSON object", ErrMalformedResponse)
	}
	requestID := top.str("request_id")
	hasTask := top.str("task_id", "id", "taskId") != ""

	// The other deployment wraps everything in {"code","message","data"}; a
	// code of 400 or more there is an error even under HTTP 200.
	if !hasTask {
		if c, ok := top.num("code"); ok && c >= 400 && c <= 599 {
			return taskAnswer{apiErr: parseAPIError(int(c), h, body, now)}, nil
		}
		if top.obj("error") != nil && top.str("status", "state") == "" {
			return taskAnswer{apiErr: parseAPIError(status, h, body, now)}, nil
		}
		if data := top.obj("data"); data != nil {
			top = data
			if id := top.str("request_id"); id != "" {
				requestID = id
			}
		}
	}

	t := &Task{
		ID:        top.str("task_id", "id", "taskId"),
		VideoURL:  videoURL(top),
		RequestID: requestID,
		Replayed:  strings.EqualFold(strings.TrimSpace(h.Get("Idempotent-Replayed")), "true"),
	}
	if t.RequestID == "" {
		t.RequestID = clean(h.Get("X-Request-Id"))
	}
	if p, ok := top.num("progress"); ok {
		p = min(max(p, 0), 100)
		t.Progress = &p
	}
	// A figure outside any plausible bill is the server's error, not a
	// cost: summed, 1e308 twice is +Inf and no record could be saved. The
	// task itself is kept (its id says what was bought); the figure is not.
	if c, ok := top.num("consumed_credits", "consumedCredits", "credits"); ok && c >= 0 && c <= MaxPlausibleCost {
		t.ConsumedCost = c
	}
	taskErr := taskError(top)
	t.Reported = reportedShape(top)

	raw := top.str("status", "state", "task_status")
	st, known := normaliseStatus(raw)
	switch {
	case raw != "" && !known:
		return taskAnswer{}, fmt.Errorf("%w: unknown task status %q", ErrMalformedResponse, raw)
	case raw == "" && t.VideoURL != "":
		st = StatusCompleted
	case raw == "" && taskErr != nil:
		st = StatusFailed
	case raw == "":
		st = StatusQueued
	}
	t.Status = st
	if st == StatusFailed {
		if taskErr == nil {
			taskErr = &TaskError{Code: CodeGenerationFailed, Message: "the task failed without giving a reason"}
		}
		t.Error = taskErr
	}
	return taskAnswer{task: t}, nil
}

// reportedShape reads what an answer says the task was asked for, where it
// says anything.
func reportedShape(f fields) TaskShape {
	var s TaskShape
	if d, ok := f.num("duration", "duration_seconds"); ok && d > 0 && d < 1e6 {
		s.Duration = int(math.Round(d))
	}
	s.Resolution = f.str("resolution", "size")
	s.Mode = f.str("mode", "task_type")
	return s
}

// videoURL reads video_url, else the first element of response.
func videoURL(f fields) string {
	if u := f.str("video_url", "videoUrl"); u != "" {
		return u
	}
	var list []json.RawMessage
	if json.Unmarshal(f["response"], &list) == nil {
		for _, item := range list {
			var s string
			if json.Unmarshal(item, &s) == nil && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	return f.str("response")
}

// taskError reads error{code,message}, a bare error string, or
// error_message/error_code. A failure with a message but no code is
// GENERATION_FAILED, as the other deployment reports it.
func taskError(f fields) *TaskError {
	var e TaskError
	if inner := f.obj("error"); inner != nil {
		e.Code = asCode(inner.str("code"))
		e.Message = inner.str("message", "msg")
	} else if s := f.str("error"); s != "" {
		if e.Code = asCode(s); e.Code == "" {
			e.Message = s
		}
	}
	if e.Code == "" {
		e.Code = asCode(f.str("error_code"))
	}
	if e.Message == "" {
		e.Message = f.str("error_message")
	}
	if e.Code == "" && e.Message == "" {
		return nil
	}
	if e.Code == "" {
		e.Code = CodeGenerationFailed
	}
	return &e
}

var statusWords = map[string]Status{
	"queued": StatusQueued, "pending": StatusQueued, "submitted": StatusQueued, "waiting": StatusQueued,
	"processing": StatusProcessing, "in_progress": StatusProcessing, "running": StatusProcessing, "generating": StatusProcessing,
	"completed": StatusCompleted, "success": StatusCompleted, "succeeded": StatusCompleted, "done": StatusCompleted,
	"failed": StatusFailed, "failure": StatusFailed, "error": StatusFailed, "cancelled": StatusFailed, "canceled": StatusFailed,
}

func normaliseStatus(s string) (Status, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("-", "_", " ", "_").Replace(s)
	st, ok := statusWords[s]
	return st, ok
}
