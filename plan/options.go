package plan

import "net/http"

// Options are the plan command's choices that do not live in the manifest.
type Options struct {
	// Targets restricts the plan to these addresses; "video.shot" matches
	// every instance of the block. Empty plans everything.
	Targets []string
	// Replace forces these addresses to be made again although unchanged.
	Replace []string
	// MaxCredits is -max-credits; 0 means no limit from the command line.
	MaxCredits float64
	// CheckImages sends a HEAD request to each image_url that will be bought.
	CheckImages bool
	// HTTPClient is used by CheckImages; nil means a client with a timeout.
	HTTPClient *http.Client
}
