// Package state records what ltxform has produced, keyed by video address.
package state

import (
	"context"
	"time"

	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/media"
)

// FormatVersion of the snapshot schema this build reads and writes.
const FormatVersion = 1

// RequestFromManifestAtImport is the RequestSource of an imported entry:
// the manifest's request when it was imported, not one the service
// confirmed.
const RequestFromManifestAtImport = "manifest at import"

// Status of one video in the state. See ARCHITECTURE.md, "State and crash safety".
type Status string

const (
	StatusPending    Status = "pending"    // intent written, create not yet confirmed
	StatusCreated    Status = "created"    // task_id known
	StatusCompleted  Status = "completed"  // video_url known
	StatusDownloaded Status = "downloaded" // file written, sha256 recorded
	StatusFailed     Status = "failed"     // error_code and request_id recorded
)

// Entry is everything known about one address.
type Entry struct {
	Address   string `json:"address"`
	InputHash string `json:"input_hash"` // ltx.CreateRequest.Hash() of what was sent
	// Request is what was asked for (values from sensitive variables
	// replaced by "(sensitive value)"): which prompt made this file.
	Request *ltx.CreateRequest `json:"request,omitempty"`
	Mode    string             `json:"mode"` // t2v | i2v
	Status  Status             `json:"status"`
	// Provider and Endpoint made the task: it is polled only there. An
	// entry from before providers has neither and is ltx2api-v1's.
	Provider string `json:"provider,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// Simulated entries were made by apply -simulate: no real video exists,
	// and their cost is not spend.
	Simulated bool `json:"simulated,omitempty"`
	// Unit of CostEstimated and CostConsumed: "credits" or "usd"
	// ("" is credits).
	Unit   string `json:"unit,omitempty"`
	TaskID string `json:"task_id,omitempty"`
	// TaskURLs are the task's own addresses where the service returned them
	// at create (fal): the only way to poll, fetch or cancel it later.
	TaskURLs ltx.TaskURLs `json:"task_urls,omitzero"`
	// RunID is the run that last sent a create for this entry: the run
	// that paid for its task, even if a later run finishes it.
	RunID          string  `json:"run_id,omitempty"`
	RequestID      string  `json:"request_id,omitempty"`
	IdempotencyKey string  `json:"idempotency_key,omitempty"`
	Attempts       int     `json:"attempts,omitempty"`
	Duration       int     `json:"duration,omitempty"`
	Resolution     string  `json:"resolution,omitempty"`
	CostEstimated  float64 `json:"credits_estimated"`
	CostConsumed   float64 `json:"credits_consumed"`
	VideoURL       string  `json:"video_url,omitempty"`
	Output         string  `json:"output,omitempty"` // relative to the manifest directory
	SHA256         string  `json:"sha256,omitempty"`
	Bytes          int64   `json:"bytes,omitempty"`
	// OutputModTime is the output file's modification time once written:
	// while its size and time are unchanged, plan trusts SHA256 without
	// reading the file again (as git's index does).
	OutputModTime time.Time `json:"output_mtime,omitzero"`
	ErrorCode     string    `json:"error_code,omitempty"`
	ErrorMessage  string    `json:"error_message,omitempty"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
	CompletedAt   time.Time `json:"completed_at,omitzero"`
	// Takes are the earlier files of this address, kept when a newer one
	// was written over them (oldest first).
	Takes []Take `json:"takes,omitempty"`
	// PriorFile is what made the file still at Output while a newer task
	// replaces it (Path unset): when the new video arrives, the old file
	// is kept as a take under its own task and request.
	PriorFile *Take `json:"prior_file,omitempty"`

	// Host downloaded the file (state.Hostname()): in a state shared
	// between machines, the file is on that machine's disk.
	Host string `json:"host,omitempty"`

	// RequestSource says where Request comes from when the state did not
	// send it: RequestFromManifestAtImport for an imported task or file,
	// whose request no service returns. "" is the request this state sent.
	RequestSource string `json:"request_source,omitempty"`
	// Stored is the copy of the file in object storage (storage "s3"),
	// uploaded and verified after the download; nil when not stored.
	Stored *StoredObject `json:"stored,omitempty"`
	// ManifestHash is the plan's manifest hash of the run that sent the
	// create: a checkout whose manifest hashes otherwise did not make it.
	ManifestHash string `json:"manifest_hash,omitempty"`
	// MadeBy is the host whose run sent the create (Host is the one that
	// downloaded the file last).
	MadeBy string `json:"made_by,omitempty"`
	// Media is what the downloaded file holds, read from its MP4 index.
	Media *media.Info `json:"media,omitempty"`
	// Mismatch: the file is not what was ordered (see DeliveredUnlikeOrder).
	Mismatch *Mismatch `json:"mismatch,omitempty"`
}

// StoredObject is one video in object storage.
type StoredObject struct {
	Bucket   string    `json:"bucket"`
	Key      string    `json:"key"`
	Bytes    int64     `json:"bytes"`
	SHA256   string    `json:"sha256"`
	StoredAt time.Time `json:"stored_at,omitzero"`
}

// Take is an earlier file of a video, moved aside before a newer one took
// its place.
type Take struct {
	Path    string             `json:"path"` // relative to the manifest directory
	TaskID  string             `json:"task_id,omitempty"`
	SHA256  string             `json:"sha256,omitempty"`
	Bytes   int64              `json:"bytes,omitempty"`
	Reason  string             `json:"reason"` // replaced, altered by hand, ...
	KeptAt  time.Time          `json:"kept_at"`
	Request *ltx.CreateRequest `json:"request,omitempty"`
	// StorageKey is the take's object in storage, kept under the same
	// prefix before the newer take was uploaded over its key.
	StorageKey string `json:"storage_key,omitempty"`
}

// State is the snapshot plus whatever the journal added to it.
type State struct {
	FormatVersion int               `json:"format_version"`
	Serial        uint64            `json:"serial"`
	Lineage       string            `json:"lineage"`
	Entries       map[string]*Entry `json:"entries"`
	// Ledger is every task billed from this state (Store.Charges), filled
	// by whoever loads the state for a plan; the snapshot does not hold it.
	Ledger Ledger `json:"-"`
}

// LockInfo describes who holds the lock; written beside it for humans.
type LockInfo struct {
	ID        string    `json:"id"`
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	Operation string    `json:"operation"` // plan, apply, state rm, ...
	Created   time.Time `json:"created"`
}

// Store is where state lives. Implementations are safe for concurrent use by
// the executor's workers.
type Store interface {
	// Lock takes the exclusive lock, waiting up to timeout (0: try once).
	// The error names the holder when the lock is busy.
	Lock(ctx context.Context, info LockInfo, timeout time.Duration) (unlock func() error, err error)
	// Load returns the snapshot with the journal folded in. A missing state
	// is an empty State; a corrupt or newer-format one is an error.
	Load(ctx context.Context) (*State, error)
	// Record makes one transition durable (appended to the journal and
	// fsynced) before it returns. Its cost does not grow with the state's size.
	Record(ctx context.Context, e Entry) error
	// Remove makes the removal of one address durable.
	Remove(ctx context.Context, address string) error
	// Checkpoint folds the journal into a new snapshot (serial+1), atomically.
	Checkpoint(ctx context.Context) error
	// Charge appends one line to the ledger of billed tasks, durably,
	// before it returns. The ledger outlives entries (see Charge).
	Charge(ctx context.Context, c Charge) error
	// Charges returns the ledger, folded to one charge per task.
	Charges(ctx context.Context) (Ledger, error)
}
