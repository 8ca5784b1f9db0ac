// Package plan owns the API limits, credit pricing, the diff of a manifest
// against the state, and saved plan files. It knows nothing of HTTP execution.
package plan

import (
	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
	"github.com/ltxform/ltxform/state"
)

// FormatVersion of the JSON plan output and of saved plan files.
const FormatVersion = "1.0"

// Action is what apply will do for one address.
type Action string

const (
	ActionCreate   Action = "create"   // new address
	ActionReplace  Action = "replace"  // request body changed (or -replace)
	ActionDownload Action = "download" // completed, output missing or altered
	ActionResume   Action = "resume"   // pending/created last time: poll or re-send with its Idempotency-Key
	ActionRetry    Action = "retry"    // failed last time
	ActionNoOp     Action = "no-op"
	// ActionUncertain: a create was sent and its answer never arrived, to a
	// service that honours no idempotency key: it may have been bought.
	// Apply leaves it alone unless told (-retry-uncertain, -replace).
	ActionUncertain Action = "uncertain"
	// ActionAltered: the output file was changed since it was downloaded
	// (graded, trimmed by hand); apply leaves it unless -replace.
	ActionAltered Action = "altered"
	// ActionParked: the service refused the request for good (a content
	// policy, an invalid value) and the request is unchanged: it is not
	// sent again unless -replace.
	ActionParked Action = "parked"
	ActionForget Action = "forget" // in the state, gone from the manifest
	// ActionElsewhere: downloaded by another host of a shared state, whose
	// file is not here and whose result the provider no longer serves.
	// Apply leaves it alone: fetch it from that host, or -replace it.
	ActionElsewhere Action = "elsewhere"
	// ActionMove: the state entry moves to this address (a moved block),
	// and nothing else is needed; with RenameFrom, its file is renamed.
	ActionMove Action = "move"
	// ActionFetch: the file is not here (or is an older take) and storage
	// holds the video: copied from the bucket, free, no provider request.
	ActionFetch Action = "fetch"
	// ActionStore: downloaded, not stored: the file is here and unchanged,
	// and storage does not hold it yet; it is uploaded.
	ActionStore Action = "store"

	// ActionMismatch: the file was paid for and kept, but is not what was
	// ordered (another size, shorter, silent); nothing is sent until the
	// user runs ltxform accept, or -replace to order it again.
	ActionMismatch Action = "mismatch"
)

// Change is one row of the plan.
type Change struct {
	Address string            `json:"address"`
	Action  Action            `json:"action"`
	Reason  string            `json:"reason,omitempty"`
	Mode    ltx.Mode          `json:"mode"`
	Request ltx.CreateRequest `json:"request"`
	// Before is the request that made the current file, where the state
	// recorded it and it differs from Request.
	Before    *ltx.CreateRequest `json:"before,omitempty"`
	InputHash string             `json:"input_hash"`
	Output    string             `json:"output"` // relative to Plan.Dir
	Cost      float64            `json:"cost"`   // estimate of what this change spends, in the plan's unit (0 for no-op, download, forget)
	// CostAssumed: the estimate rests on a price the service does not publish.
	CostAssumed bool         `json:"cost_assumed,omitempty"`
	Prior       *state.Entry `json:"prior,omitempty"`
	// Sensitive names the request attributes computed from a sensitive
	// variable: the plan file keeps them (apply sends them), views hide them.
	Sensitive []string `json:"sensitive,omitempty"`
	// MovedFrom is the address whose state entry a moved block gives this
	// one; Prior is that entry, already under this address. Apply records
	// it here and removes the old address before anything else.
	MovedFrom string `json:"moved_from,omitempty"`
	// RenameFrom is the moved entry's file (relative to Plan.Dir), which
	// apply renames to Output instead of downloading the video again.
	RenameFrom string `json:"rename_from,omitempty"`
	// Reverts: the replace would undo a video made on another host from a
	// manifest this checkout does not have ("made by alice 3 min ago from
	// ..."); an unattended apply refuses it unless -replace names it.
	Reverts string `json:"reverts,omitempty"`
}

// Settings are the manifest's api block with the provider's defaults, and
// where the plan's tasks go, carried so that `apply PLANFILE` needs nothing else.
type Settings struct {
	Provider           string  `json:"provider"`
	BaseURL            string  `json:"base_url,omitempty"` // the manifest's api.base_url
	Endpoint           string  `json:"endpoint"`           // where tasks are sent and polled; recorded in each entry
	Simulated          bool    `json:"simulated,omitempty"`
	RequestsPerMinute  float64 `json:"requests_per_minute"`
	Parallelism        int     `json:"parallelism"`
	MaxAttempts        int     `json:"max_attempts"`
	MaxConcurrentTasks int     `json:"max_concurrent_tasks,omitempty"` // 0 = no limit
	TaskTimeoutSeconds int64   `json:"task_timeout_seconds"`
	// IdempotencyKey: a create whose answer was lost may be re-sent with
	// the same key. False: such a create is uncertain.
	IdempotencyKey bool `json:"idempotency_key"`
	// IdempotencyKeyOnYourWord: the key is trusted because the manifest
	// says so (api { idempotency_key = true }), not because the service
	// documents it.
	IdempotencyKeyOnYourWord bool     `json:"idempotency_key_on_your_word,omitempty"`
	Unit                     ltx.Unit `json:"unit"`
	// Storage is the storage block: videos are uploaded there after their
	// download and fetched from there by hosts that lack them.
	Storage *config.Storage `json:"storage,omitempty"`
}

// SavedOptions are the Options a saved plan was made with.
type SavedOptions struct {
	Targets        []string `json:"targets,omitempty"`
	Replace        []string `json:"replace,omitempty"`
	MaxCost        float64  `json:"max_cost,omitempty"`
	Endpoint       string   `json:"endpoint,omitempty"`
	Simulated      bool     `json:"simulated,omitempty"`
	RetryUncertain bool     `json:"retry_uncertain,omitempty"`
}

// Totals summarise a plan.
type Totals struct {
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
	Unit         ltx.Unit           `json:"unit"`
	Cost         float64            `json:"credits"`       // estimate of the change, in Unit
	ByResolution map[string]float64 `json:"by_resolution"` // estimate subtotals
	Consumed     float64            `json:"consumed"`      // spend to date in Unit: the ledger's billed tasks
	// SpendByUnit is the spend to date of each unit the state's tasks were
	// billed in (a state that changed provider has several).
	SpendByUnit map[string]float64 `json:"spend_by_unit,omitempty"`
	// MayHaveBilled is what creates whose answer was lost may have cost,
	// by unit; not in the spend.
	MayHaveBilled      map[string]float64 `json:"may_have_billed,omitempty"`
	MayHaveBilledTasks int                `json:"may_have_billed_tasks,omitempty"`
	// WorstCase is the estimate if every create needed max_attempts tasks.
	WorstCase   float64 `json:"worst_case"`
	MaxAttempts int     `json:"max_attempts,omitempty"`
	// BudgetWorstCase: the budget is checked against WorstCase
	// (budget { worst_case = true }).
	BudgetWorstCase bool    `json:"budget_worst_case,omitempty"`
	MaxCost         float64 `json:"max_credits"` // the budget, in Unit; 0 = no budget
	// LedgerBudgets are the budgets checked against the workspace's
	// ledger (max_total, max_per_month, max_per_day), with their spend.
	LedgerBudgets []LedgerBudget `json:"ledger_budgets,omitempty"`
	// UncertainCost is what the uncertain creates may have cost.
	UncertainCost float64 `json:"uncertain_cost,omitempty"`
	// AssumedPrices lists the price rows the estimate rests on that the
	// service does not publish ("ltx-2-3-fast/1080p").
	AssumedPrices []string `json:"assumed_prices,omitempty"`
}

// Cost is the plan's headline figure, in its unit.
type Cost struct {
	Unit  ltx.Unit `json:"unit"`
	Total float64  `json:"total"`
}

// Plan is what plan.Build returns and apply executes.
type Plan struct {
	FormatVersion string   `json:"format_version"`
	Dir           string   `json:"dir"`           // absolute manifest directory
	ManifestHash  string   `json:"manifest_hash"` // of the evaluated videos and settings
	StateSerial   uint64   `json:"state_serial"`
	StateLineage  string   `json:"state_lineage"`
	StateDigest   string   `json:"state_digest,omitempty"` // of the entries as loaded: a run that crashed before its checkpoint leaves the serial alone
	Settings      Settings `json:"settings"`
	Cost          Cost     `json:"cost"`
	// Options are the plan command's choices, kept so that apply can make
	// the plan again and check that the saved one is what they give.
	Options SavedOptions `json:"options"`
	Changes []Change     `json:"changes"` // sorted by address; includes no-op rows
	Totals  Totals       `json:"totals"`
	// DirRelative is Dir relative to the working directory of the plan
	// command (Dir stays, for messages): apply PLANFILE applies the plan to
	// it from its own working directory, so that a plan made in one
	// checkout applies in another. Set by the command that saves the plan.
	DirRelative string `json:"dir_relative,omitempty"`
}
