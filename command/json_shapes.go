package command

import (
	"time"

	"github.com/ltxform/ltxform/ltx"
)

// Every JSON shape a user or a script reads from ltxform is declared in
// this file: the envelope of the -json lines, the documents of plan, show,
// validate, version, runs, state and plan -compare, apply's lines and the
// diagnostics. They are the public shapes, which keep their field names
// whatever the internal types become; the functions that fill them stay
// beside their views. TestJSONShapes (json_shapes_test.go) holds each one
// to its golden in testdata/json, so that a renamed, removed or added field
// is a decision, not an accident.

// ---- The envelope and the version ----

// uiFormatVersion versions the machine-readable output of the commands:
// every -json line and document. It is not the plan file's or the state's
// version, which move on their own.
// 2.0: apply -json names amounts cost, max_cost, cost_estimated and
// cost_consumed, in the unit it names, where 1.0 said credits for dollars.
// runs -json and runs show -json, which said "1.0" of their own, carry
// this version from 2.0 on and name amounts as apply -json does: a run's
// credits_estimated and credits_consumed are cost_estimated and
// cost_consumed in its unit; runs show's rows are apply -json's rows
// (their cost_estimated flag is consumed_is_estimate) with the request;
// runs show's run lost format_version (the record's, not the output's)
// and cost (its unit and amounts again) and gained unit.
const uiFormatVersion = "2.0"

// jsonEnvelope starts every JSON line.
type jsonEnvelope struct {
	FormatVersion string `json:"format_version"`
	Type          string `json:"type"`
}

func envelope(typ string) jsonEnvelope {
	return jsonEnvelope{FormatVersion: uiFormatVersion, Type: typ}
}

// jsonDiagnosticLine is a diagnostic under -json.
type jsonDiagnosticLine struct {
	jsonEnvelope
	jsonDiagnostic
}

// jsonMessageLine is a message under -json: an error, a warning, a notice.
type jsonMessageLine struct {
	jsonEnvelope
	Message string `json:"message"`
}

// ---- Diagnostics: a line of their own, or a list in a document ----

// jsonDiagnostic is one diagnostic in -json output: in a document's list,
// or on its own line after the envelope.
type jsonDiagnostic struct {
	Severity string     `json:"severity"` // error | warning
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *jsonRange `json:"range,omitempty"`
	// Snippet is the source the range points at (validate -json).
	Snippet *jsonSnippet `json:"snippet,omitempty"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// jsonSnippet is the source a diagnostic points at, as terraform validate
// -json gives it: the whole lines of its range, where it starts, and the
// part to highlight as byte offsets into code.
type jsonSnippet struct {
	// Context is the block the range is in, e.g. `video "hero"`; null at
	// the top level.
	Context              *string `json:"context"`
	Code                 string  `json:"code"`
	StartLine            int     `json:"start_line"`
	HighlightStartOffset int     `json:"highlight_start_offset"`
	HighlightEndOffset   int     `json:"highlight_end_offset"`
}

// ---- plan -json and show -json ----

type planJSON struct {
	FormatVersion string           `json:"format_version"`
	HasChanges    bool             `json:"has_changes"`
	ManifestHash  string           `json:"manifest_hash"`
	StateSerial   uint64           `json:"state_serial"`
	Provider      string           `json:"provider"`
	Endpoint      string           `json:"endpoint"`
	Cost          jsonPlanCost     `json:"cost"`
	Changes       []jsonChange     `json:"changes"`
	Totals        jsonPlanTotals   `json:"totals"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

// jsonPlanCost is plan -json's headline figure, in its unit.
type jsonPlanCost struct {
	Unit  string  `json:"unit"`
	Total float64 `json:"total"`
}

// jsonPlanTotals is plan -json's summary of the plan. Its amounts are in
// unit; they keep the names of format 1.0 (credits, max_credits), which
// apply -json's plan line (jsonTotals) left in 2.0.
type jsonPlanTotals struct {
	Create       int                `json:"create"`
	Replace      int                `json:"replace"`
	Download     int                `json:"download"`
	Resume       int                `json:"resume"`
	Retry        int                `json:"retry"`
	NoOp         int                `json:"no_op"`
	Forget       int                `json:"forget"`
	Move         int                `json:"move,omitempty"`
	Uncertain    int                `json:"uncertain"`
	Altered      int                `json:"altered,omitempty"`
	Parked       int                `json:"parked,omitempty"`
	Mismatch     int                `json:"mismatch,omitempty"`
	Elsewhere    int                `json:"elsewhere,omitempty"`
	Fetch        int                `json:"fetch,omitempty"`
	Store        int                `json:"store,omitempty"`
	Unit         string             `json:"unit"`
	Cost         float64            `json:"credits"`       // estimate of the change
	ByResolution map[string]float64 `json:"by_resolution"` // estimate subtotals
	Consumed     float64            `json:"consumed"`      // spend to date: the ledger's billed tasks
	// SpendByUnit is the spend to date of each unit the state's tasks were
	// billed in (a state that changed provider has several).
	SpendByUnit        map[string]float64 `json:"spend_by_unit,omitempty"`
	MayHaveBilled      map[string]float64 `json:"may_have_billed,omitempty"`
	MayHaveBilledTasks int                `json:"may_have_billed_tasks,omitempty"`
	// WorstCase is the estimate if every create needed max_attempts tasks.
	WorstCase       float64 `json:"worst_case"`
	MaxAttempts     int     `json:"max_attempts,omitempty"`
	BudgetWorstCase bool    `json:"budget_worst_case,omitempty"`
	MaxCost         float64 `json:"max_credits"` // the budget; 0 = no budget
	// LedgerBudgets are the budgets checked against the workspace's ledger.
	LedgerBudgets []jsonLedgerBudget `json:"ledger_budgets,omitempty"`
	UncertainCost float64            `json:"uncertain_cost,omitempty"`
	AssumedPrices []string           `json:"assumed_prices,omitempty"`
}

// jsonLedgerBudget is a budget on the ledger (max_total, max_per_month,
// max_per_day) and what its window has spent.
type jsonLedgerBudget struct {
	Window string  `json:"window"` // "total", "day" or "month"
	Limit  float64 `json:"limit"`
	Spent  float64 `json:"spent"`
}

// jsonChange is one change in plan -json: the public shape, which keeps
// its field names whatever plan.Change becomes. Sensitive values are
// already hidden (plan.Change.Redacted). The prior entry is the state's
// record in its public shape (jsonEntry).
type jsonChange struct {
	Address string       `json:"address"`
	Action  string       `json:"action"`
	Reason  string       `json:"reason,omitempty"`
	Mode    string       `json:"mode"`
	Request jsonRequest  `json:"request"`
	Before  *jsonRequest `json:"before,omitempty"`
	// After is Request again where there is a Before, so that a reader of
	// a replace finds the two side by side; with the output of each where
	// the replace moves the video to another path.
	After       *jsonRequest `json:"after,omitempty"`
	InputHash   string       `json:"input_hash"`
	Output      string       `json:"output"`
	Cost        float64      `json:"cost"`
	CostAssumed bool         `json:"cost_assumed,omitempty"`
	Prior       *jsonEntry   `json:"prior,omitempty"`
	Sensitive   []string     `json:"sensitive,omitempty"`
	MovedFrom   string       `json:"moved_from,omitempty"`
	RenameFrom  string       `json:"rename_from,omitempty"`
	Reverts     string       `json:"reverts,omitempty"`
}

// jsonRequest is what a change asks the service for, in plan -json.
type jsonRequest struct {
	Prompt        string `json:"prompt"`
	Duration      int    `json:"duration"`
	Resolution    string `json:"resolution"`
	ImageURL      string `json:"image_url,omitempty"`
	AspectRatio   string `json:"aspect_ratio,omitempty"`
	Seed          *int64 `json:"seed,omitempty"`
	WebhookURL    string `json:"webhook_url,omitempty"`
	Model         string `json:"model,omitempty"`
	FPS           int    `json:"fps,omitempty"`
	GenerateAudio *bool  `json:"generate_audio,omitempty"`
	CameraMotion  string `json:"camera_motion,omitempty"`
	LastFrameURL  string `json:"last_frame_url,omitempty"`
	ImageFile     string `json:"image_file,omitempty"`
	ImageSHA256   string `json:"image_sha256,omitempty"`
	// Output is set in before and after only, when the output changes.
	Output string `json:"output,omitempty"`
}

// ---- A video's record: a change's prior (plan -json), state show -json ----

// jsonEntry is a video's record as plan -json (a change's prior) and state
// show -json print it: the public shape, which keeps its field names
// whatever state.Entry and the state file become.
type jsonEntry struct {
	Address        string        `json:"address"`
	Status         string        `json:"status"`
	InputHash      string        `json:"input_hash"`
	Request        *jsonRequest  `json:"request,omitempty"`
	Mode           string        `json:"mode"`
	Provider       string        `json:"provider,omitempty"`
	Endpoint       string        `json:"endpoint,omitempty"`
	Simulated      bool          `json:"simulated,omitempty"`
	Unit           string        `json:"unit,omitempty"`
	TaskID         string        `json:"task_id,omitempty"`
	TaskURLs       *jsonTaskURLs `json:"task_urls,omitempty"`
	RunID          string        `json:"run_id,omitempty"`
	RequestID      string        `json:"request_id,omitempty"`
	IdempotencyKey string        `json:"idempotency_key,omitempty"`
	Attempts       int           `json:"attempts,omitempty"`
	Duration       int           `json:"duration,omitempty"`
	Resolution     string        `json:"resolution,omitempty"`
	CostEstimated  float64       `json:"credits_estimated"`
	CostConsumed   float64       `json:"credits_consumed"`
	VideoURL       string        `json:"video_url,omitempty"`
	Output         string        `json:"output,omitempty"`
	SHA256         string        `json:"sha256,omitempty"`
	Bytes          int64         `json:"bytes,omitempty"`
	OutputModTime  *time.Time    `json:"output_mtime,omitempty"`
	ErrorCode      string        `json:"error_code,omitempty"`
	ErrorMessage   string        `json:"error_message,omitempty"`
	CreatedAt      *time.Time    `json:"created_at,omitempty"`
	UpdatedAt      *time.Time    `json:"updated_at,omitempty"`
	CompletedAt    *time.Time    `json:"completed_at,omitempty"`
	Takes          []jsonTake    `json:"takes,omitempty"`
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
	Media    *jsonMedia    `json:"media,omitempty"`
	Mismatch *jsonMismatch `json:"mismatch,omitempty"`
}

// jsonMedia is what a video file holds, as measured.
type jsonMedia struct {
	DurationS float64 `json:"duration_s"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	FPS       float64 `json:"fps"`
	Audio     bool    `json:"audio"`
}

// jsonMismatch is how a delivered file differs from what was ordered.
type jsonMismatch struct {
	Ordered     jsonMediaOrder `json:"ordered"`
	Arrived     jsonMedia      `json:"arrived"`
	Differences []string       `json:"differences"`
	TaskID      string         `json:"task_id,omitempty"`
	RequestID   string         `json:"request_id,omitempty"`
	// AcceptedAt is when the user took the file as it is (ltxform accept).
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
}

// jsonMediaOrder is what a video was ordered as; what the order does not
// say is left out.
type jsonMediaOrder struct {
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	DurationS float64 `json:"duration_s,omitempty"`
	FPS       int     `json:"fps,omitempty"`
	Audio     *bool   `json:"audio,omitempty"`
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

// ---- apply -json: one line each, in the order a run writes them ----

// jsonPlanLine is -json's first line: what the run is about to do.
type jsonPlanLine struct {
	jsonEnvelope
	Totals jsonTotals `json:"totals"`
}

// jsonTotals is the public shape of a plan's totals.
type jsonTotals struct {
	Create        int                `json:"create"`
	Replace       int                `json:"replace"`
	Download      int                `json:"download"`
	Resume        int                `json:"resume"`
	Retry         int                `json:"retry"`
	NoOp          int                `json:"no_op"`
	Forget        int                `json:"forget"`
	Uncertain     int                `json:"uncertain"`
	Altered       int                `json:"altered,omitempty"`
	Parked        int                `json:"parked,omitempty"`
	Fetch         int                `json:"fetch,omitempty"`
	Store         int                `json:"store,omitempty"`
	Unit          string             `json:"unit"`
	Cost          float64            `json:"cost"` // in Unit, as every amount here (format 2.0; "credits" before)
	ByResolution  map[string]float64 `json:"by_resolution"`
	Consumed      float64            `json:"consumed"`
	MaxCost       float64            `json:"max_cost"` // "max_credits" before format 2.0
	UncertainCost float64            `json:"uncertain_cost,omitempty"`
	AssumedPrices []string           `json:"assumed_prices,omitempty"`

	Mismatch int `json:"mismatch,omitempty"` // delivered unlike the order, waiting for accept or -replace
}

// jsonResumeLine is -json's note that this run takes over from a killed one.
type jsonResumeLine struct {
	jsonEnvelope
	RunID    string    `json:"run_id"`
	KilledAt time.Time `json:"killed_at"`
	InFlight int       `json:"in_flight"`
	Paid     float64   `json:"paid"`
	Unit     ltx.Unit  `json:"unit"`
}

// jsonPlannedChange is apply -json's line for each change it is about to
// carry out or leave for a decision, after the plan line, as Terraform's
// planned_change: a bot sees what the run does, not only its totals.
type jsonPlannedChange struct {
	jsonEnvelope
	Change jsonPlannedChangeBody `json:"change"`
}

type jsonPlannedChangeBody struct {
	Address     string  `json:"address"`
	Action      string  `json:"action"`
	Reason      string  `json:"reason,omitempty"`
	Mode        string  `json:"mode,omitempty"`
	Cost        float64 `json:"cost"`
	CostAssumed bool    `json:"cost_assumed,omitempty"`
	Unit        string  `json:"unit"`
	Output      string  `json:"output,omitempty"`
	MovedFrom   string  `json:"moved_from,omitempty"`
}

// jsonEventLine is an event under -json. Its fields are the public shape of
// an event, kept here so that the executor may change its own freely.
type jsonEventLine struct {
	jsonEnvelope
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"`
	Address   string    `json:"address,omitempty"`
	TaskID    string    `json:"task_id,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
	Attempt   int       `json:"attempt,omitempty"`
	Progress  *float64  `json:"progress,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	Message   string    `json:"message,omitempty"`
	Total     int       `json:"total,omitempty"`
	Output    string    `json:"output,omitempty"`
}

// jsonResults is -json's last line: the run's rows and summary.
type jsonResults struct {
	jsonEnvelope
	RunID    string          `json:"run_id"`
	Summary  string          `json:"summary"`
	Counts   map[string]int  `json:"counts"`
	Cost     jsonCost        `json:"cost"` // "credits" before format 2.0
	Warnings []string        `json:"warnings"`
	Error    *jsonRunError   `json:"error"`
	Results  []jsonResultRow `json:"results"`
}

// jsonResultRow is the public shape of one results row.
type jsonResultRow struct {
	Address         string  `json:"address"`
	Status          string  `json:"status"`
	TaskID          string  `json:"task_id"`
	RequestID       string  `json:"request_id"`
	ErrorCode       string  `json:"error_code"`
	ErrorMessage    string  `json:"error_message"`
	Suggestion      string  `json:"suggestion"`
	Attempts        int     `json:"attempts"`
	CostEstimated   float64 `json:"cost_estimated"` // in the run's unit; "credits_estimated" before format 2.0
	CostConsumed    float64 `json:"cost_consumed"`
	Output          string  `json:"output"`
	SlotWaitSeconds float64 `json:"slot_wait_seconds,omitempty"`
	// TasksPaid is how many tasks the run bought for the video: more than
	// one after retries; cost_consumed is their cost.
	TasksPaid int `json:"tasks_paid,omitempty"`
	// ConsumedIsEstimate: the service gave no cost, cost_consumed is the
	// price table's figure.
	ConsumedIsEstimate bool `json:"consumed_is_estimate,omitempty"`
	// PaidBy is the earlier run that bought the task this row finished.
	PaidBy string `json:"paid_by,omitempty"`
}

type jsonCost struct {
	Unit      string  `json:"unit"`
	Estimated float64 `json:"estimated"`
	Consumed  float64 `json:"consumed"`
}

type jsonRunError struct {
	Kind       string `json:"kind"`
	Address    string `json:"address,omitempty"`
	Code       string `json:"code,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion,omitempty"`
}

// ---- validate -json, version -json, plan -compare -json ----

// validateJSON is validate -json's document, like terraform validate -json.
type validateJSON struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	VideoCount    int              `json:"video_count"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

// versionJSON is version -json's document, for scripts that check which
// ltxform they run before they rely on its output.
type versionJSON struct {
	FormatVersion string `json:"format_version"`
	Version       string `json:"version"`
	GoVersion     string `json:"go_version"`
	Platform      string `json:"platform"` // GOOS_GOARCH, as Terraform's version -json
}

type compareJSON struct {
	FormatVersion string                 `json:"format_version"`
	Providers     []jsonProviderEstimate `json:"providers"`
}

// jsonProviderEstimate is the manifest priced on one provider.
type jsonProviderEstimate struct {
	Provider string `json:"provider"`
	Unit     string `json:"unit"`
	Manifest bool   `json:"manifest"` // the provider the manifest names
	Videos   int    `json:"videos"`   // the videos it can make
	// Estimate is in unit, to its smallest step (a cent, a millicredit).
	Estimate      float64  `json:"estimate"`
	AssumedPrices []string `json:"assumed_prices,omitempty"`
	// Concurrency is how many tasks run at once (0: no documented limit);
	// time_seconds is the videos' generation at that concurrency.
	Concurrency  int              `json:"concurrency"`
	TimeSeconds  int64            `json:"time_seconds"`
	TimeAssumed  bool             `json:"time_assumed"`
	CannotMake   []jsonCannotMake `json:"cannot_make,omitempty"`
	UnpricedRows []string         `json:"unpriced,omitempty"`
}

// jsonCannotMake is a video a provider cannot make, and why.
type jsonCannotMake struct {
	Address string `json:"address"`
	Reason  string `json:"reason"`
}

// ---- runs -json and runs show -json ----

// jsonRunsList is runs -json's document: the runs, newest first, and
// what the ledger says the state has cost to date.
type jsonRunsList struct {
	FormatVersion string           `json:"format_version"`
	Runs          []jsonRunSummary `json:"runs"`
	// Total is the ledger's spend by unit: the plan's spend to date.
	Total jsonSpend `json:"total"`
}

// jsonRunSummary is a run as runs -json lists it; runs show -json's run
// has these fields first. Amounts are in unit.
type jsonRunSummary struct {
	ID            string         `json:"id"`
	Started       time.Time      `json:"started"`
	Finished      time.Time      `json:"finished"`
	ExitCode      int            `json:"exit_code"`
	Counts        map[string]int `json:"counts"`         // by result status
	CostEstimated float64        `json:"cost_estimated"` // "credits_estimated" in runs -json 1.0
	CostConsumed  float64        `json:"cost_consumed"`
	Message       string         `json:"message"` // why the run stopped early, if it did
	Status        string         `json:"status"`  // running, completed, failed, stopped, interrupted, killed, state lost
	Unit          string         `json:"unit"`
	Host          string         `json:"host,omitempty"` // backend "pg": the machine that ran it
}

// jsonRunShow is runs show -json's document: the run, every task its
// creates were billed for (the ledger's lines credited to it, retries and
// killed tasks included) and their sum.
type jsonRunShow struct {
	FormatVersion string       `json:"format_version"`
	Run           jsonRun      `json:"run"`
	Paid          []jsonCharge `json:"paid"`
	Spend         jsonSpend    `json:"spend"`
}

// jsonRun is one run in full: its summary, who was asked, and its rows.
type jsonRun struct {
	jsonRunSummary
	Provider  string `json:"provider,omitempty"`
	Endpoint  string `json:"endpoint,omitempty"`
	Simulated bool   `json:"simulated,omitempty"`
	PID       int    `json:"pid,omitempty"`
	// ResumedBy is the run that took over what this one, killed, left in
	// flight.
	ResumedBy string          `json:"resumed_by,omitempty"`
	Results   []jsonRunResult `json:"results"`
}

// jsonRunResult is one row of a run's results: apply -json's row, and
// what was asked for.
type jsonRunResult struct {
	jsonResultRow
	// Request is what was asked for, sensitive values hidden; Before is
	// the request it replaced, when the run replaced a video.
	Request *jsonRequest `json:"request,omitempty"`
	Before  *jsonRequest `json:"before,omitempty"`
}

// jsonCharge is one line of the ledger: a task the service billed, or may
// have billed (uncertain).
type jsonCharge struct {
	TaskID         string    `json:"task_id,omitempty"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	RunID          string    `json:"run_id"`
	Address        string    `json:"address"`
	Cost           float64   `json:"cost"`
	Unit           string    `json:"unit"` // "credits" or "usd"; "" is credits
	Estimated      bool      `json:"estimated,omitempty"`
	Simulated      bool      `json:"simulated,omitempty"`
	Uncertain      bool      `json:"uncertain,omitempty"`
	KeyUnconfirmed bool      `json:"key_unconfirmed,omitempty"`
	Provider       string    `json:"provider,omitempty"`
	Endpoint       string    `json:"endpoint,omitempty"`
	At             time.Time `json:"at"`
}

// jsonSpend is what the ledger says was paid, per unit: billed tasks
// only, never simulated ones; the uncertain ones apart.
type jsonSpend struct {
	ByUnit             map[string]float64 `json:"by_unit"`
	Tasks              int                `json:"tasks"`
	Estimated          int                `json:"estimated,omitempty"` // tasks counted at the price table's figure
	MayHaveBilled      map[string]float64 `json:"may_have_billed,omitempty"`
	MayHaveBilledTasks int                `json:"may_have_billed_tasks,omitempty"`
}

// ---- state list -json, show -json (a directory), state show -json, state rm -json ----

// jsonStateList is state list -json's document (and show -json's for a
// directory): the addresses the state holds.
type jsonStateList struct {
	FormatVersion string              `json:"format_version"`
	Exists        bool                `json:"exists"`
	Serial        uint64              `json:"serial"`
	Lineage       string              `json:"lineage"`
	Entries       []jsonStateListItem `json:"entries"`
}

type jsonStateListItem struct {
	Address string `json:"address"`
	Status  string `json:"status"`
	Output  string `json:"output"`
}

// jsonStateShow is state show -json's document: one video's record.
type jsonStateShow struct {
	FormatVersion string     `json:"format_version"`
	Entry         *jsonEntry `json:"entry"`
}

// jsonStateRemoved is state rm -json's document: the addresses removed.
type jsonStateRemoved struct {
	FormatVersion string   `json:"format_version"`
	Removed       []string `json:"removed"`
}
