package state

import "time"

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

// RunResult is one row of a run's results table.
type RunResult struct {
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

// Run is the record of one apply, kept as .ltxform/runs/<UTC time>.json.
type Run struct {
	FormatVersion    int            `json:"format_version"`
	ID               string         `json:"id"` // the UTC start time, e.g. 20261125T221500Z
	Started          time.Time      `json:"started"`
	Finished         time.Time      `json:"finished"`
	ExitCode         int            `json:"exit_code"`
	Counts           map[string]int `json:"counts"` // by ResultStatus
	CreditsEstimated float64        `json:"credits_estimated"`
	CreditsConsumed  float64        `json:"credits_consumed"`
	Message          string         `json:"message,omitempty"` // why the run stopped early, if it did
	Results          []RunResult    `json:"results"`
}
