// Package sim is an in-process simulator of the LTX-2 APIs: an http.Handler
// that speaks, per Options.Provider, one of the wire contracts of
// ../shared/reference/providers.md on its own (it does not import ltx), so
// that client tests check each contract from two sides. Each provider is one
// file (ltx2apiv1.go, ltx2api.go, lightricks.go) over a shared task model,
// clock, rate limit, credits, faults and counters.
//
// Where the ltx2api-v1 contract (ARCHITECTURE.md) leaves a choice, the simulator
// makes these:
//   - a create body without duration or resolution gets DefaultDuration (6)
//     and DefaultResolution ("1080p"), as the API documentation's example
//     sends neither; duration must be an integer literal (7.5, 10.0 and "10"
//     answer INVALID_DURATION);
//   - fields the endpoint does not know (including aspect_ratio on
//     image-to-video), bodies that are not one JSON object and a bad
//     aspect_ratio, seed or webhook_url answer 400 INVALID_REQUEST with the
//     field named; webhooks are accepted but never called;
//   - a create answers 201 with the task as it is at that instant (queued,
//     or already completed when the latency is zero);
//   - the rate limit is one token bucket per API key; credits, plan quota and
//     tasks belong to one account shared by all keys; credits are charged at
//     create and not refunded when a task fails;
//   - an Idempotency-Key is scoped to its API key and returns the same task
//     whatever the body, unless that task was lost (or IgnoreIdempotencyKey);
//   - video URLs (/v1/videos/{task_id}.mp4 on the simulator's own host) need
//     no key, as a CDN's signed URL would not, and are not rate-limited;
//   - GENERATION_FAILED, TIMEOUT, lose_task, truncate_download and
//     html_download are decided when the task is created (a rule's Times
//     counts tasks); a truncated or HTML download strikes the task's first
//     download only, so a retry succeeds; server_error, unavailable and
//     overloaded strike creates and polls.
//
// ltx2api (the reference publishes only the happy path):
//   - answers carry X-Request-Id, and the envelope and errors also a
//     top-level request_id; errors use the v1 body and upper-case codes
//     (INVALID_PROMPT, INVALID_DURATION, INVALID_RESOLUTION,
//     INVALID_IMAGE_URL with field "image", INVALID_REQUEST for unknown
//     fields, aspect_ratio with an image, a bad seed or a missing task_id);
//   - prices: LTX2APICreditsPerSecond (1080p documented, 720p/480p assumed);
//     a seed of -1 (the default) is part of the body, so two creates that
//     both leave it out ask for the same video;
//   - the envelope also carries progress and response: [] while running;
//     videos are at /videos/{task_id}.mp4, with no key.
//
// lightricks:
//   - the request id is only in the X-Request-Id (x-request-id) header;
//   - the shared errors map to the reference's types: auth → 401
//     authentication_error, credits and the plan quota (it has none of its
//     own) → 402 insufficient_funds_error, content_policy → 422
//     content_filtered_error, unknown job, other endpoint, expired or lost →
//     404 not_found_error, rate limit → 429 rate_limit_error, concurrency →
//     429 concurrency_limit_error, server_error → 500 api_error,
//     unavailable → 503 service_unavailable, overloaded → 529
//     overloaded_error, anything else → invalid_request_error; a message
//     names the offending field;
//   - a failed job's error.type is api_error (GENERATION_FAILED and TIMEOUT
//     alike); completed_at is given for completed jobs only;
//   - prompts are 1–10000 characters (undocumented; clients check 5000 or
//     10000); durations 12–20 mean every whole second in that range; fps
//     48/50 are allowed at every resolution up to 10 s; the pro model is
//     served at 720p, as Lightricks' desktop app lists it (at an assumed
//     $0.04 a second); ltx-2-fast and ltx-2-pro are
//     refused whatever the clock says; https image URLs must name a domain;
//     data URIs must be base64 and at most 7 MB; image formats are not
//     checked;
//   - uploads: the upload URL is PUT /uploads/{id} on the simulator's host;
//     its errors are plain text, as a storage bucket's would be (404
//     unknown, 403 expired or wrong x-ltx-upload-token, 400 wrong
//     Content-Type, 413 over 100 MB); the 1 h PUT window and the 24 h life
//     of the storage_uri count from POST /v1/upload, scaled by TimeScale;
//     Uploads counts successful PUTs;
//   - result URLs are /outputs/{id}/video.mp4 on the simulator's host.
//
// Shared across providers:
//   - the concurrency limit counts a task from its create until it ends by
//     the clock, whether polled or not; MaxGenerating is measured at each
//     create, the new task included; on ltx2api-v1 and ltx2api it answers
//     429 RATE_LIMIT_EXCEEDED (no code of their own is published);
//   - retention counts from the task's end, scaled by TimeScale like every
//     modelled duration; a lost or expired task is not "alive" for
//     DuplicateCreates, while RepeatedCreates counts every create of a
//     body created before, and CreatesFor every create of a prompt;
//   - hang strikes creates before anything is committed (a timeout that
//     bought nothing), polls and downloads; the handler returns when the
//     request's context ends; unreadable_answer, gateway_timeout,
//     redirect_create and hang_after_commit strike creates only, after the
//     commit (a client that follows the 307 sends the body again, and buys
//     a second task); Spent sums the price of committed creates in the
//     provider's unit.
package sim

import "time"

// Fault is an injectable failure.
type Fault string

const (
	FaultGenerationFailed Fault = "generation_failed"  // task ends failed with GENERATION_FAILED
	FaultTimeout          Fault = "timeout"            // task ends failed with TIMEOUT
	FaultContentPolicy    Fault = "content_policy"     // create answers 400 CONTENT_POLICY_VIOLATION
	FaultServerError      Fault = "server_error"       // request answers 500 with no code
	FaultUnavailable      Fault = "unavailable"        // request answers 503 with no code
	FaultDropAfterCreate  Fault = "drop_after_create"  // the create is committed, then the connection is dropped
	FaultLoseTask         Fault = "lose_task"          // polls answer 404 TASK_NOT_FOUND
	FaultTruncateDownload Fault = "truncate_download"  // the download is cut short
	FaultOverloaded       Fault = "overloaded"         // request answers 529 (lightricks overloaded_error)
	FaultHang             Fault = "hang"               // the answer never comes; the request ends when the client gives up
	FaultUnreadableAnswer Fault = "unreadable_answer"  // the create is committed and billed, its 2xx answer cannot be read
	FaultResetAfterCommit Fault = "reset_after_commit" // the same as drop_after_create, by the name the reliability tests use
	FaultHTMLDownload     Fault = "html_download"      // the download answers 200 text/html with an error page
	FaultDailyQuota       Fault = "daily_quota"        // a create answers 429 with Retry-After: 86400 (the day's quota is spent)
	FaultGatewayTimeout   Fault = "gateway_timeout"    // the create is committed and billed, then a gateway answers 504 with its HTML page
	FaultRedirectCreate   Fault = "redirect_create"    // the create is committed and billed, then answered 307 to the same path
	FaultHangAfterCommit  Fault = "hang_after_commit"  // the create is committed and billed, then its answer never comes
	FaultWrongMedia       Fault = "wrong_media"        // the video delivered is not the one ordered: in turn another size, half the length, no sound
)

// Rule injects Fault into requests whose prompt contains PromptContains
// ("" matches every prompt). Times > 0 limits how often it fires.
type Rule struct {
	PromptContains string
	Fault          Fault
	Times          int
}

// Options are the simulator's knobs; every one is also a flag of `ltxform sim`.
type Options struct {
	Keys        []string // accepted API keys; empty accepts any non-empty key
	ExpiredKeys []string // answer 401 API_KEY_EXPIRED

	Credits   float64 // starting balance; 0 = unlimited
	PlanQuota int     // creates allowed in the billing cycle; 0 = unlimited

	RateLimit float64 // requests per second over every endpoint but downloads; 0 = unlimited
	RateBurst int     // token-bucket size; default max(1, RateLimit)

	Latency          time.Duration // fixed time from create to completed
	RealisticLatency bool          // ~30 s + per-second-of-video term, scaled for 1440p/4K, with jitter
	TimeScale        float64       // multiplies every modelled duration (0.01 = 100× faster); 0 = 1

	Rules      []Rule            // deterministic faults
	FaultRates map[Fault]float64 // random faults, 0..1 per eligible request
	Seed       int64             // for jitter and random faults

	UnreachableImageHosts []string // image_url hosts answering INVALID_IMAGE_URL
	LargeImageHosts       []string // image_url hosts answering IMAGE_TOO_LARGE

	// Envelope answers creates and polls as the API's other deployment does:
	// HTTP 200 and {"code":200,"message":"success","data":{…}} with the status
	// words IN_PROGRESS, SUCCESS, FAILED, the video URL as response[0] and a
	// failure as error_message. Errors keep the documented shape.
	Envelope bool

	// Provider is the contract spoken: one of Providers; "" is ltx2api-v1.
	Provider string

	// MaxConcurrentGenerations caps the tasks generating at once per
	// account (from submit until they end, by the clock); one more create
	// answers 429 (lightricks concurrency_limit_error, v1 and ltx2api
	// RATE_LIMIT_EXCEEDED) with Retry-After 1. 0 = the provider's default
	// (2 for lightricks, unlimited elsewhere); negative = unlimited.
	MaxConcurrentGenerations int
	// Retention is how long a task's status and video live after it ends;
	// then poll and download answer 404. Scaled by TimeScale. 0 = the
	// provider's default (24 h for lightricks, forever elsewhere);
	// negative = forever.
	Retention time.Duration

	// IgnoreIdempotencyKey makes ltx2api-v1 ignore the Idempotency-Key
	// header, as the real API may: every create is a new, billed task. The
	// other providers always ignore it.
	IgnoreIdempotencyKey bool
	// EchoKey puts the caller's Bearer key where a careless server would:
	// in the X-Request-Id header, in request_id, and in a failed task's
	// error message. For tests that the client never prints them raw.
	EchoKey bool
	// UnreadableAnswer fixes the form of the unreadable_answer fault: one of
	// UnreadableAnswers; "" rotates through them in order.
	UnreadableAnswer string

	Now func() time.Time // clock; default time.Now
}

// Counters are what tests assert on.
type Counters struct {
	Requests         int64 // every request but downloads
	Creates          int64 // tasks created (replays excluded)
	Replays          int64 // creates answered from the Idempotency-Key cache
	DuplicateCreates int64 // same body created again while an earlier task for it is alive
	Polls            int64
	Downloads        int64
	RateLimited      int64 // 429 answers
	EarlyRequests    int64 // requests sent before an announced Retry-After had passed
	MaxInFlight      int64 // highest number of concurrent requests

	RepeatedCreates    int64   // same body created again, whether or not the earlier task still lives
	MaxGenerating      int64   // highest number of tasks generating at once, by the sim clock
	ConcurrencyLimited int64   // creates refused by the concurrency limit (counted apart from RateLimited)
	Uploads            int64   // files PUT to an upload URL (lightricks)
	Cancelled          int64   // tasks cancelled before they started, never billed (fal, replicate)
	Spent              float64 // price of every committed create, in the provider's unit (credits or US dollars)
}

// Faults lists every injectable fault, in the order the flags document them.
var Faults = []Fault{
	FaultGenerationFailed, FaultTimeout, FaultContentPolicy, FaultServerError,
	FaultUnavailable, FaultDropAfterCreate, FaultLoseTask, FaultTruncateDownload,
	FaultOverloaded, FaultHang, FaultUnreadableAnswer, FaultResetAfterCommit, FaultHTMLDownload,
	FaultDailyQuota, FaultGatewayTimeout, FaultRedirectCreate, FaultHangAfterCommit, FaultWrongMedia,
}

// Valid reports whether f is one of Faults.
func (f Fault) Valid() bool {
	for _, known := range Faults {
		if f == known {
			return true
		}
	}
	return false
}

// Defaults the simulator applies to a create body that omits them: the API's
// own documentation example sends neither, and these are its cheapest values.
const (
	DefaultDuration   = 6
	DefaultResolution = "1080p"
)

// CreditsPerSecond is the built-in price table (credits per second of video by
// resolution); a create consumes CreditsPerSecond[resolution] × duration.
var CreditsPerSecond = map[string]float64{"1080p": 4, "1440p": 8, "4K": 16}

// withDefaults fills the zero knobs that mean "the usual value".
func (o Options) withDefaults() Options {
	if o.TimeScale <= 0 {
		o.TimeScale = 1
	}
	if o.RateBurst <= 0 {
		o.RateBurst = max(1, int(o.RateLimit+0.999999))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Provider == "" {
		o.Provider = ProviderLTX2APIv1
	}
	return o
}
