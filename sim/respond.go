package sim

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Error codes the simulator answers. Those of the API's documentation keep
// their names; INVALID_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED are the
// simulator's own for requests the documentation does not cover.
const (
	codeMissingAPIKey    = "MISSING_API_KEY"
	codeInvalidAPIKey    = "INVALID_API_KEY"
	codeAPIKeyExpired    = "API_KEY_EXPIRED"
	codeInvalidPrompt    = "INVALID_PROMPT"
	codeInvalidDuration  = "INVALID_DURATION"
	codeInvalidRes       = "INVALID_RESOLUTION"
	codeInvalidImageURL  = "INVALID_IMAGE_URL"
	codeImageTooLarge    = "IMAGE_TOO_LARGE"
	codeInsufficient     = "INSUFFICIENT_CREDITS"
	codeRateLimited      = "RATE_LIMIT_EXCEEDED"
	codePlanLimit        = "PLAN_LIMIT_REACHED"
	codeTaskNotFound     = "TASK_NOT_FOUND"
	codeGenerationFailed = "GENERATION_FAILED"
	codeContentPolicy    = "CONTENT_POLICY_VIOLATION"
	codeTimeout          = "TIMEOUT"
	codeInvalidRequest   = "INVALID_REQUEST"
	codeNotFound         = "NOT_FOUND"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
)

// apiError is one error answer, written by each provider in its own shape:
// v1 and ltx2api send Code (upper case), lightricks sends Type (or the type
// its table gives for Code or Status).
type apiError struct {
	Status     int
	Code       string // "" writes a body without a code (the 500/503 faults)
	Type       string // lightricks error.type, when Code does not say it
	Message    string
	Field      string
	Suggestion string
	RetryAfter int // seconds; > 0 sets the Retry-After header
}

type errorBody struct {
	Error     errorDetail `json:"error"`
	RequestID string      `json:"request_id"`
}

type errorDetail struct {
	Code    string        `json:"code,omitempty"`
	Message string        `json:"message"`
	Details *errorSubject `json:"details,omitempty"`
}

type errorSubject struct {
	Field      string `json:"field,omitempty"`
	Suggestion string `json:"suggestion,omitempty"`
}

// send writes e in the v1 shape (also ltx2api's).
func (e *apiError) send(w http.ResponseWriter, requestID string) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	body := errorBody{
		Error:     errorDetail{Code: e.Code, Message: e.Message},
		RequestID: requestID,
	}
	if e.Field != "" || e.Suggestion != "" {
		body.Error.Details = &errorSubject{Field: e.Field, Suggestion: e.Suggestion}
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own plain structs reach here
		panic(err)
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func itoa(n int) string { return strconv.Itoa(n) }

// newID is prefix + 20 random lower-case base32 characters.
func newID(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:20])
}
