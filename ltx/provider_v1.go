package ltx

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// ltx2api-v1: the contract of the vendor's error-handling page, with the
// project's own reading of what that page leaves out (ARCHITECTURE.md, "The ltx2api-v1
// contract"). It is the default provider and the simulator's default mode.
var providerV1 = register(&Provider{
	Name:           "ltx2api-v1",
	Description:    "the error-handling page's contract (/v1/text-to-video, /v1/tasks/{id}); the default",
	DefaultBaseURL: "https://api.ltx-2api.com",
	Unit:           UnitCredits,
	Capabilities: Capabilities{
		IdempotencyKey:        true,
		IdempotencyAssumed:    true,
		Attributes:            []string{"image_url", "aspect_ratio", "seed", "webhook_url"},
		GenerationTime:        time.Minute,
		GenerationTimeAssumed: true,
	},
	Limits: Limits{
		PromptMax:     2000,
		Resolutions:   []string{"1080p", "1440p", "4K"},
		AspectRatios:  []string{"16:9", "9:16"},
		DurationMin:   6,
		DurationMax:   20,
		ImageMaxBytes: 10 << 20,
	},
	// LTX's published per-second prices of its fast model at one credit per
	// US cent: the project's reading, not this service's published table.
	Prices: []Price{
		{Resolution: "1080p", PerSecond: 4, Assumed: true},
		{Resolution: "1440p", PerSecond: 8, Assumed: true},
		{Resolution: "4K", PerSecond: 16, Assumed: true},
	},
	Codes: catalogue,
	wire: wire{
		create:     createV1,
		poll:       func(ref TaskRef) string { return "/v1/tasks/" + url.PathEscape(ref.ID) },
		decode:     decodeTask,
		parseError: parseAPIError,
	},
})

// v1Body is the body of POST /v1/text-to-video and /v1/image-to-video.
type v1Body struct {
	Prompt      string `json:"prompt"`
	Duration    int    `json:"duration"`
	Resolution  string `json:"resolution"`
	ImageURL    string `json:"image_url,omitempty"`
	AspectRatio string `json:"aspect_ratio,omitempty"`
	Seed        *int64 `json:"seed,omitempty"`
	WebhookURL  string `json:"webhook_url,omitempty"`
}

func createV1(req CreateRequest, _ string) (string, []byte, error) {
	b := v1Body{req.Prompt, req.Duration, req.Resolution, req.ImageURL, req.AspectRatio, req.Seed, req.WebhookURL}
	path := "/v1/text-to-video"
	if req.Mode() == ImageToVideo {
		path = "/v1/image-to-video"
		b.AspectRatio = "" // the endpoint takes the image's shape
	}
	body, err := json.Marshal(b)
	if err != nil {
		return "", nil, fmt.Errorf("ltx: encoding the create request: %w", err)
	}
	return path, body, nil
}
