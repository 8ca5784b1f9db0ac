package command

import (
	"time"

	"github.com/ltxform/ltxform/media"
	"github.com/ltxform/ltxform/state"
)

// jsonEntry is a video's record as plan -json (a change's prior) and state
// show -json print it: the public shape, which keeps its field names
// whatever state.Entry and the state file become.
type jsonEntry struct {
	Address          string        `json:"address"`
	Status           string        `json:"status"`
	InputHash        string        `json:"input_hash"`
	Request          *jsonRequest  `json:"request,omitempty"`
	Mode             string        `json:"mode"`
	Provider         string        `json:"provider,omitempty"`
	Endpoint         string        `json:"endpoint,omitempty"`
	Simulated        bool          `json:"simulated,omitempty"`
	Unit             string        `json:"unit,omitempty"`
	TaskID           string        `json:"task_id,omitempty"`
	TaskURLs         *jsonTaskURLs `json:"task_urls,omitempty"`
	RunID            string        `json:"run_id,omitempty"`
	RequestID        string        `json:"request_id,omitempty"`
	IdempotencyKey   string        `json:"idempotency_key,omitempty"`
	Attempts         int           `json:"attempts,omitempty"`
	Duration         int           `json:"duration,omitempty"`
	Resolution       string        `json:"resolution,omitempty"`
	CreditsEstimated float64       `json:"credits_estimated"`
	CreditsConsumed  float64       `json:"credits_consumed"`
	VideoURL         string        `json:"video_url,omitempty"`
	Output           string        `json:"output,omitempty"`
	SHA256           string        `json:"sha256,omitempty"`
	Bytes            int64         `json:"bytes,omitempty"`
	OutputModTime    *time.Time    `json:"output_mtime,omitempty"`
	ErrorCode        string        `json:"error_code,omitempty"`
	ErrorMessage     string        `json:"error_message,omitempty"`
	CreatedAt        *time.Time    `json:"created_at,omitempty"`
	UpdatedAt        *time.Time    `json:"updated_at,omitempty"`
	CompletedAt      *time.Time    `json:"completed_at,omitempty"`
	Takes            []jsonTake    `json:"takes,omitempty"`
	// PriorFile is what made the file at the output while a newer task
	// replaces it.
	PriorFile *jsonTake `json:"prior_file,omitempty"`
	Host      string    `json:"host,omitempty"`
	// RequestSource: "manifest at import" where the request is not one
	// this state sent.
	RequestSource string      `json:"request_source,omitempty"`
	Stored        *jsonStored `json:"stored,omitempty"`
	ManifestHash  string      `json:"manifest_hash,omitempty"`
	MadeBy        string      `json:"made_by,omitempty"`

	// Media is what the downloaded file holds; Mismatch how it differs
	// from what was ordered (DELIVERY_MISMATCH), if it does.
	Media    *media.Info     `json:"media,omitempty"`
	Mismatch *state.Mismatch `json:"mismatch,omitempty"`
}

// jsonStored is the video's copy in storage.
type jsonStored struct {
	Bucket   string     `json:"bucket"`
	Key      string     `json:"key"`
	Bytes    int64      `json:"bytes"`
	SHA256   string     `json:"sha256"`
	StoredAt *time.Time `json:"stored_at,omitempty"`
}

// jsonTake is an earlier file of a video, kept aside.
type jsonTake struct {
	Path    string       `json:"path"`
	TaskID  string       `json:"task_id,omitempty"`
	SHA256  string       `json:"sha256,omitempty"`
	Bytes   int64        `json:"bytes,omitempty"`
	Reason  string       `json:"reason"`
	KeptAt  time.Time    `json:"kept_at"`
	Request *jsonRequest `json:"request,omitempty"`
	// StorageKey is the take's object in storage.
	StorageKey string `json:"storage_key,omitempty"`
}

// jsonTaskURLs are the addresses a service returned for its task (fal).
type jsonTaskURLs struct {
	Status string `json:"status,omitempty"`
	Result string `json:"result,omitempty"`
	Cancel string `json:"cancel,omitempty"`
}

func entryJSON(e *state.Entry) *jsonEntry {
	if e == nil {
		return nil
	}
	j := &jsonEntry{
		Address: e.Address, Status: string(e.Status), InputHash: e.InputHash, Mode: e.Mode,
		Provider: e.Provider, Endpoint: e.Endpoint, Simulated: e.Simulated, Unit: e.Unit,
		TaskID: e.TaskID, RunID: e.RunID, RequestID: e.RequestID, IdempotencyKey: e.IdempotencyKey,
		Attempts: e.Attempts, Duration: e.Duration, Resolution: e.Resolution,
		CreditsEstimated: e.CreditsEstimated, CreditsConsumed: e.CreditsConsumed,
		VideoURL: e.VideoURL, Output: e.Output, SHA256: e.SHA256, Bytes: e.Bytes, OutputModTime: timeOrNil(e.OutputModTime),
		ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage,
		CreatedAt: timeOrNil(e.CreatedAt), UpdatedAt: timeOrNil(e.UpdatedAt), CompletedAt: timeOrNil(e.CompletedAt),
		Host: e.Host, RequestSource: e.RequestSource, ManifestHash: e.ManifestHash, MadeBy: e.MadeBy,
		Media: e.Media, Mismatch: e.Mismatch,
	}
	if s := e.Stored; s != nil {
		j.Stored = &jsonStored{Bucket: s.Bucket, Key: s.Key, Bytes: s.Bytes, SHA256: s.SHA256, StoredAt: timeOrNil(s.StoredAt)}
	}
	if u := e.TaskURLs; !u.IsZero() {
		j.TaskURLs = &jsonTaskURLs{Status: u.Status, Result: u.Result, Cancel: u.Cancel}
	}
	if e.Request != nil {
		r := requestJSON(*e.Request)
		j.Request = &r
	}
	for _, t := range e.Takes {
		j.Takes = append(j.Takes, takeJSON(t))
	}
	if e.PriorFile != nil {
		pf := takeJSON(*e.PriorFile)
		j.PriorFile = &pf
	}
	return j
}

func takeJSON(t state.Take) jsonTake {
	jt := jsonTake{Path: t.Path, TaskID: t.TaskID, SHA256: t.SHA256, Bytes: t.Bytes, Reason: t.Reason, KeptAt: t.KeptAt, StorageKey: t.StorageKey}
	if t.Request != nil {
		r := requestJSON(*t.Request)
		jt.Request = &r
	}
	return jt
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
