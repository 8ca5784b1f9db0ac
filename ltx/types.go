// Package ltx is the typed HTTP client for the LTX-2 video-generation API and
// the one catalogue of its error codes. See ARCHITECTURE.md, "The ltx2api-v1 contract".
package ltx

import (
	"time"
)

// Mode tells text-to-video from image-to-video.
type Mode string

const (
	TextToVideo  Mode = "t2v"
	ImageToVideo Mode = "i2v"
)

// CreateRequest is what a video asks a provider for, in the manifest's own
// terms; each provider's wire format turns it into its own body. A non-empty
// ImageURL or ImageFile selects image-to-video. The fields of the first
// contract come first and the others are omitted when empty, so that the
// canonical JSON (and every recorded Hash) of a request of that contract is
// the exact body it sends.
type CreateRequest struct {
	Prompt      string `json:"prompt"`
	Duration    int    `json:"duration"`
	Resolution  string `json:"resolution"`
	ImageURL    string `json:"image_url,omitempty"`
	AspectRatio string `json:"aspect_ratio,omitempty"`
	Seed        *int64 `json:"seed,omitempty"`
	WebhookURL  string `json:"webhook_url,omitempty"`

	Model         string `json:"model,omitempty"`
	FPS           int    `json:"fps,omitempty"`
	GenerateAudio *bool  `json:"generate_audio,omitempty"`
	CameraMotion  string `json:"camera_motion,omitempty"`
	LastFrameURL  string `json:"last_frame_url,omitempty"`
	// ImageFile is a path relative to the manifest directory, uploaded
	// before the create; ImageSHA256 is the hash of its bytes, so that a new
	// picture is a new request (the upload's storage URI changes every time).
	ImageFile   string `json:"image_file,omitempty"`
	ImageSHA256 string `json:"image_sha256,omitempty"`
}

// TaskRef names a task where its provider made it: some providers poll
// text-to-video and image-to-video tasks at different paths.
type TaskRef struct {
	ID   string
	Mode Mode
	// URLs are the ones the create returned, where the service gives them
	// (fal): they win over paths built from ID.
	URLs TaskURLs
}

// TaskURLs are the per-task addresses a service returns at create. Stored in
// the state entry, they are how a later apply finds the task again.
type TaskURLs struct {
	Status string `json:"status,omitempty"`
	Result string `json:"result,omitempty"`
	Cancel string `json:"cancel,omitempty"`
}

// IsZero reports whether no URL was given.
func (u TaskURLs) IsZero() bool { return u == TaskURLs{} }

// Status is a task's state, normalised from either vocabulary the API uses.
type Status string

const (
	StatusQueued     Status = "queued"
	StatusProcessing Status = "processing"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
)

// Task is what a create or a poll returns.
type Task struct {
	ID           string
	Status       Status
	Progress     *float64 // 0–100 when the API reports it
	VideoURL     string
	ConsumedCost float64
	Error        *TaskError // set when Status is failed
	RequestID    string
	Replayed     bool // the server answered Idempotent-Replayed: true
	// Reported is what the service says the task was asked for, where its
	// answer carries it (most answer none); import compares it with the
	// manifest's request.
	Reported TaskShape
	// URLs are the task's own addresses, where the create returned them.
	URLs TaskURLs
}

// TaskShape is what a task's answer may say it was made from; zero values
// are "not reported".
type TaskShape struct {
	Duration   int
	Resolution string // a name ("1080p") or a size ("1920x1080")
	Mode       string // "t2v", "i2v", "text-to-video", ...
}

// TaskError is the failure a task reports in its body (not an HTTP error).
type TaskError struct {
	Code    string
	Message string
	class   Class // the provider's, set by the Client
}

// Class is what the runner does about an error; see ARCHITECTURE.md, "Error classes".
type Class string

const (
	ClassRunFatal      Class = "run-fatal"      // stop creating at once
	ClassRunStop       Class = "run-stop"       // create nothing more; let tasks in flight finish
	ClassRetry         Class = "retry"          // back off and send the same request again
	ClassTaskPermanent Class = "task-permanent" // fail this video; never retry
	ClassTaskRetry     Class = "task-retry"     // create a new task, up to max_attempts
	ClassTaskLost      Class = "task-lost"      // the task is gone; fail this video now
)

// CodeInfo is one entry of the error-code catalogue.
type CodeInfo struct {
	Code       string
	Status     int // the usual HTTP status
	Meaning    string
	Suggestion string
	Class      Class
	Throttle   Throttle // which limit a retry-class error reports
}

// APIError is every non-2xx answer of the API, built in one place from a
// size-limited read of the body. Callers use errors.As.
type APIError struct {
	StatusCode int
	Code       string // error.code; empty when the body had none
	Message    string
	Field      string // error.details.field
	Suggestion string // error.details.suggestion
	RequestID  string // body request_id, else the X-Request-Id header
	RetryAfter time.Duration
	Method     string
	Path       string
	// Download is true when the answer came from fetching a video file (maybe
	// from another host than the API's) rather than from an API endpoint.
	Download bool

	class     Class    // the provider's verdict, set by the Client
	throttle  Throttle // which limit a 429 reports
	knownCode bool     // Code is in the provider's vocabulary
	// notCreated: a known code with one of the provider's
	// NotCreatedStatuses; to a create, the service's word that no task
	// was made (ClassifyCreate).
	notCreated bool
	// catalogueSuggestion is the provider's suggestion for Code.
	catalogueSuggestion string
}
