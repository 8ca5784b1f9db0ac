// Package executor carries out a plan against the API: a worker pool, one
// shared rate limiter, the retry policy, polling, downloads and state
// recording. It never prints; it emits events.
package executor

import (
	"context"
	"io"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// API is the part of *ltx.Client the executor uses.
type API interface {
	Create(ctx context.Context, req ltx.CreateRequest, idempotencyKey string) (*ltx.Task, error)
	GetTask(ctx context.Context, taskID string) (*ltx.Task, error)
	Download(ctx context.Context, videoURL string, w io.Writer) (int64, error)
}

// Result is one row of the results table; it is also what run records keep.
type Result = state.RunResult

// ResultStatus is a video's outcome in the results table.
type ResultStatus = state.ResultStatus

// Outcomes, re-exported for the executor's callers.
const (
	ResultCompleted = state.ResultCompleted
	ResultFailed    = state.ResultFailed
	ResultSkipped   = state.ResultSkipped
	ResultUnchanged = state.ResultUnchanged
	ResultUncertain = state.ResultUncertain
	ResultForgotten = state.ResultForgotten
)

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
