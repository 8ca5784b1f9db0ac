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
	GetTask(ctx context.Context, ref ltx.TaskRef) (*ltx.Task, error)
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
	ResultInFlight  = state.ResultInFlight
	ResultUnchanged = state.ResultUnchanged
	ResultUncertain = state.ResultUncertain
	ResultForgotten = state.ResultForgotten
	ResultMoved     = state.ResultMoved
	ResultParked    = state.ResultParked
)

// EventKind names a step of a run; its value is the "kind" of a JSON
// event line.
type EventKind string

// Event kinds, in the order a video usually meets them.
const (
	EventStart      EventKind = "start"      // Total is the number of rows
	EventCreated    EventKind = "created"    // task_id and request_id known
	EventProgress   EventKind = "progress"   // a poll reported the API's progress
	EventCompleted  EventKind = "completed"  // video_url known
	EventDownloaded EventKind = "downloaded" // file written
	EventRetry      EventKind = "retry"      // a request or a task is tried again
	EventFailed     EventKind = "failed"     // the video failed
	EventSkipped    EventKind = "skipped"    // never started
	EventInFlight   EventKind = "in_flight"  // paid for and left running: the next apply resumes it
	EventUnchanged  EventKind = "unchanged"  // nothing to do
	EventForgotten  EventKind = "forgotten"  // removed from the state
	EventUncertain  EventKind = "uncertain"  // a create may have been bought; not re-sent
	EventSlotWait   EventKind = "slot_wait"  // waiting for one of the service's generations at once
	EventRunStop    EventKind = "run_stop"   // no new creates from now on
	EventDone       EventKind = "done"       // the run is over
	EventStored     EventKind = "stored"     // uploaded to storage and verified
	EventFetched    EventKind = "fetched"    // copied from storage to its output file
)

// Event is one step of a run, for progress views and JSON lines.
type Event struct {
	Time      time.Time `json:"time"`
	Kind      EventKind `json:"kind"` // start, created, progress, completed, downloaded, failed, retry, skipped, run_stop, ...
	Address   string    `json:"address,omitempty"`
	TaskID    string    `json:"task_id,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
	Attempt   int       `json:"attempt,omitempty"`
	Progress  *float64  `json:"progress,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	Message   string    `json:"message,omitempty"`
	Total     int       `json:"total,omitempty"`  // start: rows in the run
	Output    string    `json:"output,omitempty"` // downloaded: the file, relative to the manifest directory
}

// Sink receives events; implementations are safe for concurrent use.
type Sink interface {
	Event(Event)
}

// Options tune a run. Zero values take the documented defaults.
type Options struct {
	Parallelism       int     // videos in flight at once; default 8
	RequestsPerMinute float64 // shared ceiling over creates and polls; <= 0 = unlimited
	MaxAttempts       int     // tasks per video (task-retry) and tries per request (retry); default 5
	FailFast          bool    // stop new creates after the first failed video
	Sink              Sink    // progress events; nil discards them
	MaxDownloadBytes  int64   // size cap of one video file; default 2 GiB

	// PollPrior is the expected time from create to completed before the run
	// has seen a task of that resolution and duration finish. Default
	// DefaultPollPrior: 30 s + 2 s per second of video.
	PollPrior func(resolution string, duration int) time.Duration
	PollCap   time.Duration // longest wait between two polls; default 30 s
	// ScoutStart is the first poll of the first tasks of a bucket, which
	// learn the real completion time for the others; default 1 s.
	ScoutStart time.Duration

	BackoffBase time.Duration // full-jitter exponential backoff base; default 1 s
	BackoffCap  time.Duration // default 60 s

	// RequestTimeout bounds one create or poll, from send to the whole
	// answer; default 2 min. A create cut by it is uncertain.
	RequestTimeout time.Duration
	// MaxRetryAfter is the longest Retry-After a request waits out; a longer
	// one ends the video's attempt (resumable) instead of parking the run.
	// Default 10 min.
	MaxRetryAfter time.Duration
	// CreateGrace is how long creates already on the wire may take to
	// answer after an interrupt, so that what they bought is recorded;
	// default 20 s.
	CreateGrace time.Duration
	// TaskTimeout overrides the plan's per-task deadline (tests). It also
	// bounds each download, retries and waits included.
	TaskTimeout time.Duration

	Now func() time.Time // clock for timestamps; default time.Now
	// Host is recorded in the entries this run downloads; default
	// state.Hostname().
	Host string

	// RunID is the run record this apply writes: the ledger credits each
	// task to the run whose create made it.
	RunID string

	// Storage keeps each downloaded video (storage "s3"); nil keeps them
	// on the local disk only.
	Storage VideoStorage
}

// DefaultPollPrior is the documented prior of the completion-time estimator:
// 30 s of queueing and set-up plus 2 s of work per second of video.
func DefaultPollPrior(resolution string, duration int) time.Duration {
	return 30*time.Second + time.Duration(duration)*2*time.Second
}

func (o Options) withDefaults() Options {
	if o.Host == "" {
		o.Host = state.Hostname()
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 8
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.MaxDownloadBytes <= 0 {
		o.MaxDownloadBytes = 2 << 30
	}
	if o.PollPrior == nil {
		o.PollPrior = DefaultPollPrior
	}
	if o.PollCap <= 0 {
		o.PollCap = 30 * time.Second
	}
	if o.ScoutStart <= 0 {
		o.ScoutStart = time.Second
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = time.Second
	}
	if o.BackoffCap <= 0 {
		o.BackoffCap = 60 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 2 * time.Minute
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 10 * time.Minute
	}
	if o.CreateGrace <= 0 {
		o.CreateGrace = 20 * time.Second
	}
	if o.Sink == nil {
		o.Sink = discard{}
	}
	return o
}

type discard struct{}

func (discard) Event(Event) {}
