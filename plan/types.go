// Package plan owns the API limits, credit pricing, the diff of a manifest
// against the state, and saved plan files. It knows nothing of HTTP execution.
package plan

import (
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
	ActionForget   Action = "forget" // in the state, gone from the manifest
)

// Change is one row of the plan.
type Change struct {
	Address   string            `json:"address"`
	Action    Action            `json:"action"`
	Reason    string            `json:"reason,omitempty"`
	Mode      ltx.Mode          `json:"mode"`
	Request   ltx.CreateRequest `json:"request"`
	InputHash string            `json:"input_hash"`
	Output    string            `json:"output"`  // relative to Plan.Dir
	Credits   float64           `json:"credits"` // estimate of what this change spends (0 for no-op, download, forget)
	Prior     *state.Entry      `json:"prior,omitempty"`
	// Sensitive names the request attributes computed from a sensitive
	// variable: the plan file keeps them (apply sends them), views hide them.
	Sensitive []string `json:"sensitive,omitempty"`
}

// Settings are the manifest's api block, carried so that `apply PLANFILE`
// needs nothing else.
type Settings struct {
	BaseURL           string  `json:"base_url,omitempty"`
	RequestsPerMinute float64 `json:"requests_per_minute"`
	Parallelism       int     `json:"parallelism"`
	MaxAttempts       int     `json:"max_attempts"`
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
	Credits      float64            `json:"credits"`       // estimate of the change
	ByResolution map[string]float64 `json:"by_resolution"` // estimate subtotals
	Consumed     float64            `json:"consumed"`      // actual spend recorded for earlier runs
	MaxCredits   float64            `json:"max_credits"`   // 0 = no budget
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
	Changes       []Change `json:"changes"` // sorted by address; includes no-op rows
	Totals        Totals   `json:"totals"`
}
