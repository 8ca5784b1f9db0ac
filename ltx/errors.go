package ltx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Errors of Download, matched with errors.Is.
var (
	// ErrTooLarge: the video is larger than Options.MaxDownloadBytes.
	ErrTooLarge = errors.New("video larger than the download size cap")
	// ErrTruncated: the connection ended before Content-Length bytes arrived.
	ErrTruncated = errors.New("download truncated")
)

// ErrPostRedirected: a create (or an upload's POST) was answered with a
// redirect, which is never followed. For a create the outcome is unknown.
var ErrPostRedirected = errors.New("the POST was answered with a redirect, which ltxform does not follow")

// ErrMalformedResponse is wrapped in a *RequestError (with Sent true) when a
// 2xx answer cannot be read as a task: the server did act, but the client
// cannot tell what it did, which for a create is the same as an unknown outcome.
var ErrMalformedResponse = errors.New("malformed response")

// Error reads like
//
//	INVALID_DURATION (400): Duration must be between 6 and 20 seconds [field duration] (request_id req_123)
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Download {
		fmt.Fprintf(&b, "download %s: ", e.Path)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "%s (%d)", e.Code, e.StatusCode)
	} else {
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteString(" " + t)
		}
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Field != "" {
		b.WriteString(" [field " + e.Field + "]")
	}
	if e.RequestID != "" {
		b.WriteString(" (request_id " + e.RequestID + ")")
	}
	return b.String()
}

// Class is what the runner does about this error, by the vocabulary of the
// provider that answered (see Provider.Classify). A failed download without
// a known code is judged differently, because the file's host is not the
// API: a 401/403/404/410 there means the video URL expired or is gone (the
// task is lost for us), not that the API key is bad.
func (e *APIError) Class() Class {
	if e.Download && !e.knownCode {
		if e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500 {
			return ClassRetry
		}
		return ClassTaskLost
	}
	if e.class != "" {
		return e.class
	}
	return Classify(e.Code, e.StatusCode)
}

// Throttle says which limit a retry-class error reports: the request rate,
// the number of generations at once, or neither.
func (e *APIError) Throttle() Throttle {
	if e.throttle != "" {
		return e.throttle
	}
	if e.StatusCode == http.StatusTooManyRequests || e.Code == CodeRateLimitExceeded {
		return ThrottleRate
	}
	return ThrottleNone
}

// SuggestionOrCatalogue is the server's details.suggestion, else the
// provider's suggestion for the code (filled in by the Client), else "".
func (e *APIError) SuggestionOrCatalogue() string {
	if e.Suggestion != "" {
		return e.Suggestion
	}
	if e.class != "" {
		return e.catalogueSuggestion
	}
	if c, ok := LookupCode(e.Code); ok {
		return c.Suggestion
	}
	return ""
}

// RequestError is a transport failure: no HTTP answer could be read.
type RequestError struct {
	Method, URL string
	// Sent is true when the request had been written to the connection before
	// the failure. For a create it means the outcome is unknown: the task may
	// exist, so retry only with the same Idempotency-Key.
	Sent bool
	// RequestID is the server's, when a response arrived but could not be read.
	RequestID string
	Err       error
}

func (e *RequestError) Error() string {
	when := "before the request was sent"
	if e.Sent {
		when = "after the request was sent"
	}
	s := fmt.Sprintf("%s %s: %v (%s)", e.Method, e.URL, e.Err, when)
	if e.RequestID != "" {
		s += " (request_id " + e.RequestID + ")"
	}
	return s
}

func (e *RequestError) Unwrap() error { return e.Err }

// Error makes a task's reported failure usable as an error.
func (e *TaskError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Class is the class of a task's reported failure: the class the client
// gave it from its provider's vocabulary, else the default provider's
// (taskClass says how).
func (e *TaskError) Class() Class {
	if e.class != "" {
		return e.class
	}
	info, known := LookupCode(e.Code)
	return taskClass(info, known)
}

// taskClass is the one rule for a task that ran and failed. A failure the
// service calls retryable means a new task; a failure whose code the
// vocabulary does not know is treated like GENERATION_FAILED (task-retry):
// the task ran and did not produce a video, so a new task may, up to
// max_attempts and within the budget. (An HTTP answer with an unknown code
// is classified by its status instead: see classifyStatus.)
func taskClass(info CodeInfo, known bool) Class {
	if !known || info.Class == ClassRetry {
		return ClassTaskRetry
	}
	return info.Class
}

// ErrorClass classifies any error a Client method returns, and a task's
// reported failure: it is the one place the executor asks whether to retry,
// fail the video, or stop the run. ok is false for errors that are not the
// API's or the transport's (a cancelled context, a failing writer).
func ErrorClass(err error) (c Class, ok bool) {
	var apiErr *APIError
	var taskErr *TaskError
	var reqErr *RequestError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Class(), true
	case errors.As(err, &taskErr):
		return taskErr.Class(), true
	case errors.Is(err, ErrTruncated):
		return ClassRetry, true
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrBadVideoURL):
		return ClassTaskPermanent, true
	case errors.As(err, &reqErr):
		// A cancelled run is not the API's doing; a deadline may be a
		// per-request timeout, which is worth another try.
		if errors.Is(reqErr.Err, context.Canceled) {
			return "", false
		}
		return ClassRetry, true
	}
	return "", false
}
