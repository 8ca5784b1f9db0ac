package state

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ltxform/ltxform/ltx"
)

// ResultStatus is a video's outcome in the results table.
type ResultStatus string

const (
	ResultCompleted ResultStatus = "completed"
	ResultFailed    ResultStatus = "failed"
	ResultSkipped   ResultStatus = "skipped" // never started: run stopped, interrupted, -fail-fast
	// ResultInFlight: paid for and still running when the run stopped; the
	// state keeps it and the next apply resumes it.
	ResultInFlight  ResultStatus = "in flight"
	ResultUnchanged ResultStatus = "unchanged"
	ResultUncertain ResultStatus = "uncertain" // a create may have gone through; the next run resolves it
	ResultForgotten ResultStatus = "forgotten"
	// ResultMoved: a moved block (or state mv) gave the video its state
	// entry, and nothing else was to be done: nothing was sent.
	ResultMoved ResultStatus = "moved"
	// ResultParked: refused for good by the service last time, request
	// unchanged: not sent again (needs the user's change or -replace).
	ResultParked ResultStatus = "parked"
)

// RunResult is one row of a run's results table.
type RunResult struct {
	Address       string       `json:"address"`
	Status        ResultStatus `json:"status"`
	TaskID        string       `json:"task_id"`
	RequestID     string       `json:"request_id"`
	ErrorCode     string       `json:"error_code"`
	ErrorMessage  string       `json:"error_message"`
	Suggestion    string       `json:"suggestion"`
	Attempts      int          `json:"attempts"`
	CostEstimated float64      `json:"credits_estimated"`
	CostConsumed  float64      `json:"credits_consumed"`
	Output        string       `json:"output"`
	// SlotWaitSeconds is how long the video waited for one of the service's
	// generations-at-once slots.
	SlotWaitSeconds float64 `json:"slot_wait_seconds,omitempty"`
	// Request is what was asked for, sensitive values hidden; Before is
	// the request it replaced, when the run replaced a video.
	Request *ltx.CreateRequest `json:"request,omitempty"`
	Before  *ltx.CreateRequest `json:"before,omitempty"`
	// TasksPaid is how many tasks this run bought for the video: more than
	// one after retries. CostConsumed is their cost.
	TasksPaid int `json:"tasks_paid,omitempty"`
	// CostFromPriceTable: the service gave no cost, CostConsumed is the
	// price table's figure.
	CostFromPriceTable bool `json:"cost_estimated,omitempty"`
	// PaidBy is the earlier run that bought the task this row finished
	// (resumed after that run was killed or interrupted).
	PaidBy string `json:"paid_by,omitempty"`
}

// Run is the record of one apply, kept as .ltxform/runs/<UTC time>.json.
type Run struct {
	FormatVersion int            `json:"format_version"`
	ID            string         `json:"id"` // the UTC start time, e.g. 20261125T221500Z
	Started       time.Time      `json:"started"`
	Finished      time.Time      `json:"finished"`
	ExitCode      int            `json:"exit_code"`
	Counts        map[string]int `json:"counts"` // by ResultStatus
	CostEstimated float64        `json:"credits_estimated"`
	CostConsumed  float64        `json:"credits_consumed"`
	Message       string         `json:"message,omitempty"` // why the run stopped early, if it did
	// Provider, Endpoint and Cost say who was asked and in which unit the
	// figures are ("credits" or "usd").
	Provider  string      `json:"provider,omitempty"`
	Endpoint  string      `json:"endpoint,omitempty"`
	Simulated bool        `json:"simulated,omitempty"`
	Cost      *Cost       `json:"cost,omitempty"`
	Results   []RunResult `json:"results"`
	// Status is running while the apply works (the record is written when
	// it starts), then completed, failed, stopped or interrupted; killed
	// when a later apply found it never finished. "" in records from
	// before it was kept: read ExitCode.
	Status RunStatus `json:"status,omitempty"`
	// PID and Host ran the apply, so that a record left running can be
	// told from one still at work.
	PID  int    `json:"pid,omitempty"`
	Host string `json:"host,omitempty"`
	// ResumedBy is the run that took over what a killed run left in flight.
	ResumedBy string `json:"resumed_by,omitempty"`
}

// RunStatus is where a run stands or how it ended.
type RunStatus string

const (
	RunRunning     RunStatus = "running"
	RunCompleted   RunStatus = "completed"
	RunFailed      RunStatus = "failed" // finished, some videos failed
	RunStopped     RunStatus = "stopped"
	RunInterrupted RunStatus = "interrupted"
	RunKilled      RunStatus = "killed" // never finished: killed, or its machine died
	// RunStateLost: the run could not write its state (the database or the
	// bucket was lost, the disk failed) and stopped buying; its record was
	// kept beside the manifests until the state could take it.
	RunStateLost RunStatus = "state lost"
)

// Unfinished: the record was opened and never completed.
func (r *Run) Unfinished() bool { return r.Status == RunRunning }

// Cost is a run's figure in its unit: what it was estimated to spend and
// what it consumed.
type Cost struct {
	Unit      string  `json:"unit"`
	Total     float64 `json:"total"`
	Estimated float64 `json:"estimated"`
}

// RunFormatVersion of the run record schema this build reads and writes.
const RunFormatVersion = 1

const runsDirName = "runs"

// runIDPattern keeps ids to what NewRunID makes, so that an id typed on the
// command line can never name a file outside the runs directory.
var runIDPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z(-[0-9a-f]+)?$`)

// NewRunID is the id of a run started at t: its UTC time to the second, so
// that ids sort by time, and a random suffix, so that two runs started in
// the same second do not overwrite each other's record.
func NewRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func runsDir(manifestDir string) string {
	return filepath.Join(manifestDir, DirName, runsDirName)
}

// prepareRun gives r an id from its start time if it has none and the
// current format version, and returns the copy to store: no null maps or
// lists in a record.
func prepareRun(r *Run) (*Run, error) {
	if r.ID == "" {
		r.ID = NewRunID(r.Started)
	}
	if !runIDPattern.MatchString(r.ID) {
		return nil, fmt.Errorf("invalid run id %q", r.ID)
	}
	if r.FormatVersion == 0 {
		r.FormatVersion = RunFormatVersion
	}
	out := *r
	if out.Counts == nil {
		out.Counts = map[string]int{}
	}
	if out.Results == nil {
		out.Results = []RunResult{}
	}
	return &out, nil
}

// SaveRun writes r to .ltxform/runs/<ID>.json atomically, giving it an id
// from its start time if it has none.
func SaveRun(manifestDir string, r *Run) error {
	return saveRunIn(runsDir(manifestDir), r)
}

// saveRunIn writes r to dir/<ID>.json atomically, private to its owner:
// the one way a run record reaches a file, in .ltxform/runs/ or beside a
// lost backend's pending journal.
func saveRunIn(dir string, r *Run) error {
	out, err := prepareRun(r)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, r.ID+".json"), append(data, '\n'))
}

// ErrNoRun is LoadRun's answer for an id with no record.
var ErrNoRun = errors.New("no such run")

// LoadRun reads the record of run id. A unique prefix of an id is enough
// (20261125T2215 finds 20261125T221500Z-3fa9c1).
func LoadRun(manifestDir, id string) (*Run, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return nil, fmt.Errorf("invalid run id %q", id)
	}
	dir := runsDir(manifestDir)
	path := filepath.Join(dir, id+".json")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		names, err := runFileNames(dir)
		if err != nil {
			return nil, err
		}
		var matches []string
		for _, n := range names {
			if strings.HasPrefix(n, id) {
				matches = append(matches, strings.TrimSuffix(n, ".json"))
			}
		}
		switch len(matches) {
		case 0:
			return nil, fmt.Errorf("%w %s in %s", ErrNoRun, id, dir)
		case 1:
			path = filepath.Join(dir, matches[0]+".json")
		default:
			return nil, fmt.Errorf("run id %s is ambiguous: it starts %s", id, strings.Join(matches, ", "))
		}
	}
	return readRun(path)
}

// ListRuns returns every run record, newest first. A record that cannot be
// read does not hide the others: they are returned together with an error
// naming each bad file.
func ListRuns(manifestDir string) ([]*Run, error) {
	dir := runsDir(manifestDir)
	names, err := runFileNames(dir)
	if err != nil {
		return nil, err
	}
	runs := make([]*Run, 0, len(names))
	var errs []error
	for _, n := range names {
		r, err := readRun(filepath.Join(dir, n))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		runs = append(runs, r)
	}
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].Started.Equal(runs[j].Started) {
			return runs[i].Started.After(runs[j].Started)
		}
		return runs[i].ID > runs[j].ID
	})
	return runs, errors.Join(errs...)
}

// runFileNames lists the run record files in dir; a missing dir is none.
func runFileNames(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range des {
		n := de.Name()
		if de.Type().IsRegular() && strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	return names, nil
}

func readRun(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := DecodeRun(strings.TrimSuffix(filepath.Base(path), ".json"), data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}
