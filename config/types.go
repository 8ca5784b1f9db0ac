// Package config turns a directory of *.ltx.hcl / *.ltx.json manifests into
// fully evaluated videos with their source ranges. It knows nothing of plans,
// state or HTTP.
package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Manifest is one directory's evaluated configuration.
type Manifest struct {
	Dir    string               // absolute path of the manifest directory
	Files  map[string]*hcl.File // every parsed file, for rendering diagnostics
	API    API
	Budget *Budget // nil when there is no budget block
	// Storage is the storage block (storage.go); nil keeps videos on the
	// local disk only.
	Storage *Storage
	// Workspace is ltxform.workspace: the state's workspace ("default" for
	// the local state, which has one).
	Workspace string
	// Pricing is the price per second of output, in the provider's unit, by
	// "RESOLUTION" or "MODEL/RESOLUTION"; nil = the provider's built-in table.
	Pricing map[string]float64
	// PricingAttribute is the attribute that set Pricing: "per_second",
	// "credits_per_second" or "usd_per_second"; "" without a pricing block.
	PricingAttribute string
	// PricingRange is the range of that attribute's value, for diagnostics.
	PricingRange hcl.Range
	Videos       []*Video // sorted by Address
	Moves        []Move   // the moved blocks that passed their checks, in file order
	// Notify are the notify blocks, in file order (config/notify.go).
	Notify []*Notify
	// Invalid are the videos with an error in some attribute: never planned,
	// but kept with the attributes that did evaluate, so that validate can
	// report their other problems (a provider limit) in the same run.
	Invalid []*Video

	sensitiveStrings []string   // values of sensitive variables, kept out of diagnostics
	reads            *readFiles // files read while evaluating, which no output may replace
}

// API is the api block with defaults applied. Values are type-checked only:
// the planner checks them against the provider's own tables. The fields
// added for providers are omitted from JSON when unset, so that the plan's
// hash of this struct stays the same for manifests that do not use them.
type API struct {
	BaseURL           string  // "" when not set: the caller decides (flag, env, default)
	RequestsPerMinute float64 // default 120
	Parallelism       int     // default 8
	MaxAttempts       int     // default 5

	Provider           string        `json:",omitempty"` // "" = the default provider
	Model              string        `json:",omitempty"` // default model of every video; "" = the provider's
	MaxConcurrentTasks int           `json:",omitempty"` // 0 = the provider's default
	TaskTimeout        time.Duration `json:",omitempty"` // 0 = the provider's default
	IdempotencyKey     *bool         `json:",omitempty"` // nil = the provider's default

	DeclRange hcl.Range            `json:"-"` // the api block header; zero without a block
	Ranges    map[string]hcl.Range `json:"-"` // attribute name → range of its value
}

// Budget is the budget block.
type Budget struct {
	MaxCost   float64   // in the provider's unit (credits or US dollars)
	Attribute string    // "max_cost" or its alias "max_credits", as written
	Range     hcl.Range // of that attribute's value
	WorstCase bool      // worst_case; default false
	// Ledger budgets, checked against everything the workspace's ledger
	// says was spent (all runs, all hosts): 0 = none.
	MaxTotal    float64
	MaxPerDay   float64 // per UTC day
	MaxPerMonth float64 // per UTC month
	// LedgerRanges are the ranges of those attributes' values, by name.
	LedgerRanges map[string]hcl.Range
}

// Video is one expanded video block instance, with defaults applied. Values
// are as written: the API limits are checked by the planner (plan.CheckLimits).
type Video struct {
	Address     string // video.NAME, video.NAME["KEY"] or video.NAME[0]
	Name        string
	Key         string // each.key or the count index; "" for a single block
	Prompt      string
	Duration    float64 // kept as written so that 7.5 can be refused with its range
	Resolution  string
	ImageURL    string // non-empty means image-to-video
	AspectRatio string
	Seed        *int64
	WebhookURL  string
	Output      string // slash-separated, relative to Manifest.Dir, already checked to stay inside it

	Model         string // "" = api.model, else the provider's default
	FPS           int    // 0 = unset
	GenerateAudio *bool  // nil = unset
	CameraMotion  string
	LastFrameURL  string
	// ImageFile is a local first frame: a clean slash path relative to
	// Manifest.Dir, checked to be a regular file inside it when loaded; its
	// sha256 (hex) and size are taken then.
	ImageFile       string
	ImageFileSHA256 string
	ImageFileBytes  int64

	DeclRange hcl.Range            // the block header
	Ranges    map[string]hcl.Range // attribute name → narrowest range of its value
	Sensitive map[string]bool      // attributes computed from a sensitive variable: never print their values
	// Unevaluated names, in an Invalid video, the attributes that failed:
	// their fields hold defaults, not what the manifest says.
	Unevaluated map[string]bool
}

// TextAttribute is where v keeps the text of the request attribute name
// (prompt, model, resolution, image_url, image_file, …); nil for a name
// that is not a text attribute of the request. Loading sets it, and the
// planner quotes it, through this one map.
func (v *Video) TextAttribute(name string) *string {
	switch name {
	case "prompt":
		return &v.Prompt
	case "model":
		return &v.Model
	case "camera_motion":
		return &v.CameraMotion
	case "last_frame_url":
		return &v.LastFrameURL
	case "image_file":
		return &v.ImageFile
	case "resolution":
		return &v.Resolution
	case "image_url":
		return &v.ImageURL
	case "aspect_ratio":
		return &v.AspectRatio
	case "webhook_url":
		return &v.WebhookURL
	}
	return nil
}

// LoadOptions carries the variable sources that do not live in the directory.
type LoadOptions struct {
	Environ []string // os.Environ(); LTX_VAR_name entries are read from it
	// Flags are the -var and -var-file options in command-line order
	// (Terraform's rule: the later one wins).
	Flags []VarFlag
	// Workspace is the -workspace flag ("" when not given): with
	// $LTXFORM_WORKSPACE (from Environ), the backend block's workspace and
	// "default", it gives ltxform.workspace.
	Workspace string
}

// VarFlag is one -var (NAME=VALUE) or -var-file (File) option.
type VarFlag struct {
	File  bool
	Value string
}
