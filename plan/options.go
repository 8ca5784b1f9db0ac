package plan

import (
	"net/http"
	"time"
)

// Options are the plan command's choices that do not live in the manifest.
type Options struct {
	// Targets restricts the plan to these addresses; "video.shot" matches
	// every instance of the block. Empty plans everything.
	Targets []string
	// Replace forces these addresses to be made again although unchanged.
	Replace []string
	// MaxCost is -max-cost (or -max-credits), in the provider's unit; 0
	// means no limit from the command line.
	MaxCost float64
	// MaxCostFlag is the flag that gave MaxCost ("-max-credits"), for
	// the refusal to name; "" is -max-cost.
	MaxCostFlag string
	// Endpoint is where the tasks will go (-endpoint or LTX_API_URL); ""
	// takes api.base_url, else the provider's.
	Endpoint string
	// Simulated: the plan is for apply -simulate.
	Simulated bool
	// RetryUncertain re-sends creates whose outcome is unknown.
	RetryUncertain bool
	// Now is the clock for result retention; nil is time.Now.
	Now func() time.Time
	// CheckImages sends a HEAD request to each image_url that will be bought.
	CheckImages bool
	// HTTPClient is used by CheckImages; nil means a client with a timeout.
	HTTPClient *http.Client
	// Host is this machine's name, to tell files downloaded here from
	// those downloaded by another host of a shared state; "" is
	// state.Hostname().
	Host string
	// Unattended: apply -auto-approve, with nobody to read the plan. It
	// refuses a replace that would revert another host's newer video.
	Unattended bool
}
