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
	Dir              string               // absolute path of the manifest directory
	Files            map[string]*hcl.File // every parsed file, for rendering diagnostics
	API              API
	Budget           *Budget            // nil when there is no budget block
	Pricing          map[string]float64 // credits per second by resolution; nil = built-in table
	PricingAttribute string
	// PricingRange is the range of pricing.credits_per_second, for diagnostics.
	PricingRange hcl.Range
	Videos       []*Video // sorted by Address

	sensitiveStrings []string // values of sensitive variables, kept out of diagnostics
}

// API is the api block with defaults applied.
type API struct {
	BaseURL            string  // "" when not set: the caller decides (flag, env, default)
	RequestsPerMinute  float64 // default 120
	Parallelism        int     // default 8
	MaxAttempts        int     // default 5
	Provider           string
	Model              string
	MaxConcurrentTasks int
	TaskTimeout        time.Duration
	IdempotencyKey     *bool
	Ranges             map[string]hcl.Range `json:"-"`
	DeclRange          hcl.Range            `json:"-"`
}

// Budget is the budget block.
type Budget struct {
	MaxCost   float64
	Attribute string
	Range     hcl.Range // of the max_cost (or max_credits) attribute
	WorstCase bool
}

// Video is one expanded video block instance, with defaults applied. Values
// are as written: the API limits are checked by the planner (plan.CheckLimits).
type Video struct {
	Address         string // video.NAME, video.NAME["KEY"] or video.NAME[0]
	Name            string
	Key             string // each.key or the count index; "" for a single block
	Prompt          string
	Duration        float64 // kept as written so that 7.5 can be refused with its range
	Resolution      string
	ImageURL        string // non-empty means image-to-video
	AspectRatio     string
	Seed            *int64
	WebhookURL      string
	Model           string
	FPS             int
	GenerateAudio   *bool
	CameraMotion    string
	LastFrameURL    string
	ImageFile       string
	ImageFileSHA256 string
	ImageFileBytes  int64
	Output          string // slash-separated, relative to Manifest.Dir, already checked to stay inside it

	DeclRange hcl.Range            // the block header
	Ranges    map[string]hcl.Range // attribute name → narrowest range of its value
	Sensitive map[string]bool      // attributes computed from a sensitive variable: never print their values
}

// LoadOptions carries the variable sources that do not live in the directory.
type LoadOptions struct {
	Vars     []string // -var name=value, in the order given
	VarFiles []string // -var-file paths, in the order given
	Environ  []string // os.Environ(); LTX_VAR_name entries are read from it
	// Flags, when non-nil, holds the -var and -var-file options in
	// command-line order (Terraform's rule: the later one wins) and is used
	// instead of Vars and VarFiles.
	Flags []VarFlag
}

// VarFlag is one -var (NAME=VALUE) or -var-file (File) option.
type VarFlag struct {
	File  bool
	Value string
}

// orderedFlags is the -var and -var-file options in the order given: Flags
// when the caller kept the order, else the files before the single values.
func (o LoadOptions) orderedFlags() []VarFlag {
	if o.Flags != nil {
		return o.Flags
	}
	out := make([]VarFlag, 0, len(o.VarFiles)+len(o.Vars))
	for _, f := range o.VarFiles {
		out = append(out, VarFlag{File: true, Value: f})
	}
	for _, v := range o.Vars {
		out = append(out, VarFlag{Value: v})
	}
	return out
}
