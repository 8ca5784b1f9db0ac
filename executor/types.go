// Package executor carries out a plan against the API: a worker pool, one
// shared rate limiter, the retry policy, polling, downloads and state
// recording. It never prints; it emits events.
package executor

import (
	"context"
	"io"
	"time"

	"github.com/ltxform/ltxform/ltx"
)

// API is the part of *ltx.Client the executor uses.
type API interface {
	Create(ctx context.Context, req ltx.CreateRequest, idempotencyKey string) (*ltx.Task, error)
	GetTask(ctx context.Context, taskID string) (*ltx.Task, error)
	Download(ctx context.Context, videoURL string, w io.Writer) (int64, error)
}

// ResultStatus is a video's outcome in the results table.
type ResultStatus string

const (
	ResultCompleted ResultStatus = "completed"
	ResultFailed    ResultStatus = "failed"
	ResultSkipped   ResultStatus = "skipped" // never started: run stopped, interrupted, -fail-fast
	ResultUnchanged ResultStatus = "unchanged"
	ResultUncertain ResultStatus = "uncertain" // a create may have gone through; the next run resolves it
	ResultForgotten ResultStatus = "forgotten"
)

// Result is one row of the results table.
type Result struct {
	Address          string       `json:"address"`
	Status           ResultStatus `json:"status"`
	TaskID           string       `json:"task_id"`
	RequestID        string       `json:"request_id"`
	ErrorCode        string       `json:"error_code"`
	ErrorMessage     string       `json:"error_message"`
	Suggestion       string       `json:"suggestion"`
	Attempts         int          `json:"attempts"`
	CreditsEstimated float64      `json:"credits_estimated"`
	CreditsConsumed  float64      `json:"credits_consumed"`
	Output           string       `json:"output"`
}

// Event is one step of a run, for progress views and JSON lines.
type Event struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"` // start, created, progress, completed, downloaded, failed, retry, skipped, run_stop, ...
	Address   string    `json:"address,omitempty"`
	TaskID    string    `json:"task_id,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
	Attempt   int       `json:"attempt,omitempty"`
	Progress  *float64  `json:"progress,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	Message   string    `json:"message,omitempty"`
}

// Sink receives events; implementations are safe for concurrent use.
type Sink interface {
	Event(Event)
}
