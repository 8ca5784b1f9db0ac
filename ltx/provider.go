package ltx

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// A Provider is one service that serves LTX-2: its wire format, its error
// vocabulary mapped onto ltxform's classes, its limits, its prices and what
// it can do. The planner and the executor read a Provider as data; neither
// branches on its name. Adding a service is one file here (a Provider value
// and its wire functions) and one in sim/.
type Provider struct {
	Name        string
	Description string // one line for the README's providers table
	// DefaultBaseURL is used when neither the manifest, -endpoint nor
	// LTX_API_URL names one.
	DefaultBaseURL string
	// KeyEnv lists the environment variables the API key is read from, in
	// order; LTX_API_KEY and LTX_API_KEY_FILE come first for every provider.
	KeyEnv []string
	// Auth is the Authorization scheme the key is sent with.
	Auth AuthScheme
	Unit Unit
	// Statuses is the service's task-status vocabulary, each word mapped to
	// ltxform's status; a word not listed is an answer ltxform cannot read.
	Statuses map[string]Status

	Capabilities Capabilities
	Limits       Limits
	// Prices is the built-in price table, per second of output. Entries
	// marked Assumed are not the service's published word.
	Prices []Price
	// Codes is the service's error vocabulary (upper-case codes or
	// snake-case types) with ltxform's class for each.
	Codes []CodeInfo
	// NotCreatedStatuses are the statuses that, with an error of Codes in
	// the service's JSON body, mean a create made no task; nil is
	// DefaultNotCreatedStatuses. Every other answer to a create leaves it
	// uncertain (see ClassifyCreate).
	NotCreatedStatuses []int

	wire wire
}

// AuthScheme is the word before the key in the Authorization header.
type AuthScheme string

const (
	AuthBearer AuthScheme = "Bearer"
	AuthKey    AuthScheme = "Key" // fal.ai
)

// Unit is what a provider bills in.
type Unit string

const (
	UnitCredits Unit = "credits"
	UnitUSD     Unit = "usd"
)

// Capabilities are what a service documents it can do.
type Capabilities struct {
	// IdempotencyKey: the service returns the same task for a repeated
	// Idempotency-Key, so a create whose answer was lost may be re-sent with
	// the same key. Without it such a create is uncertain.
	IdempotencyKey bool
	// IdempotencyAssumed: IdempotencyKey is the project's reading, not the
	// service's documented word. The key is still sent, but a plan trusts
	// it (re-sends a lost create with it) only on the user's word:
	// api { idempotency_key = true }.
	IdempotencyAssumed bool
	// Attributes are the manifest's optional video attributes the service
	// takes (prompt, duration, resolution and output are always taken).
	Attributes []string
	// MaxConcurrentTasks is how many tasks may run at once (0: no documented
	// limit); a create beyond it is refused with a concurrency error.
	MaxConcurrentTasks int
	// ResultRetention is how long a finished task's status and video URL
	// stay readable (0: not documented to expire).
	ResultRetention time.Duration
	// GenerationTime is the service's documented (or assumed) time from
	// create to completed for a typical video; it sets the default task_timeout.
	GenerationTime time.Duration
	// GenerationTimeAssumed marks GenerationTime as not documented.
	GenerationTimeAssumed bool

	// PollInterval is the service's recommended time between polls (0:
	// none documented).
	PollInterval time.Duration
	// CancelQueued: a task cancelled while still queued never starts and is
	// never billed, so an interrupted apply cancels its queued tasks.
	CancelQueued bool
}

// Takes reports whether the service takes the manifest attribute name.
func (c Capabilities) Takes(name string) bool {
	for _, a := range c.Attributes {
		if a == name {
			return true
		}
	}
	return false
}

// DefaultTaskTimeout is how long apply follows one task before it gives up on
// it (leaving it recorded, so that the next apply resumes it): ten times the
// documented generation time, at least 30 minutes.
func (c Capabilities) DefaultTaskTimeout() time.Duration {
	return max(10*c.GenerationTime, 30*time.Minute)
}

// Limits are the values a service accepts, checked offline by the planner.
type Limits struct {
	PromptMax int
	// PromptMaxAssumed: the service documents no prompt limit; this is the
	// strictest one its client programs check.
	PromptMaxAssumed bool
	// Resolutions are the manifest's resolution names the service offers.
	Resolutions []string
	// ResolutionSizes maps a resolution name to the landscape WIDTHxHEIGHT
	// the service takes; non-nil means the service speaks sizes, and a
	// manifest may also give a size (or its portrait swap) literally.
	ResolutionSizes map[string]string
	AspectRatios    []string
	// DurationMin and DurationMax bound a duration in whole seconds, when
	// Durations is nil.
	DurationMin, DurationMax int
	// Durations lists the allowed durations for a model, resolution name and
	// frame rate, where the service allows a discrete set.
	Durations func(model, resolution string, fps int) []int
	Models    []Model
	// DefaultModel is sent when neither the video nor the api block names one.
	DefaultModel  string
	FPS           []int
	DefaultFPS    int
	CameraMotions []string
	// ImageMaxBytes is the largest input image (by URL) the service takes;
	// UploadMaxBytes the largest image_file it takes by upload.
	ImageMaxBytes, UploadMaxBytes int64
	// LastFrameModels are the models that take last_frame_url (nil: all).
	LastFrameModels []string

	// AudioByDefault: a video that does not set generate_audio has a sound
	// track (where the service takes generate_audio at all).
	AudioByDefault bool
}

// Model is one model name a service knows.
type Model struct {
	Name       string
	Deprecated string // date from which it is deprecated; "" if current
	Removed    string // date it stops being served; "" if current
	// Resolutions and FPS narrow the provider's sets for this model (nil:
	// the provider's).
	Resolutions []string
	FPS         []int
	// NoAspectRatio marks a model that takes no aspect ratio.
	NoAspectRatio bool
}

// Price is one row of a price table: per second of output for a model (""
// for any) at a resolution name, for a mode ("" for both) where a service
// prices text-to-video and image-to-video apart.
type Price struct {
	Model      string
	Resolution string
	PerSecond  float64
	Assumed    bool
	Mode       Mode
}

// Throttle says which of a service's two limits an error reports.
type Throttle string

const (
	ThrottleNone Throttle = ""
	// ThrottleRate: too many requests in a time window; slow every request.
	ThrottleRate Throttle = "rate"
	// ThrottleConcurrency: too many generations at once; wait for a running
	// task to finish, the request rate is not the problem.
	ThrottleConcurrency Throttle = "concurrency"
)

// wire is a provider's message format. Everything else — sending, retries of
// the transport, the key, downloads — the Client shares.
type wire struct {
	// create returns the path and body of a create. imageURI replaces the
	// request's image when an image file was uploaded first.
	create func(req CreateRequest, imageURI string) (path string, body []byte, err error)
	// poll returns the path of a task's status, used when the create
	// returned no status URL.
	poll func(ref TaskRef) string
	// result, when set, is a second GET once the status says completed: the
	// service gives the video (or the failure) only there. It returns the
	// path used when the create returned no result URL.
	result func(ref TaskRef) string
	// cancel is the method and path that cancel a task, used when the
	// create returned no cancel URL ("" method: the service cancels nothing).
	cancel func(ref TaskRef) (method, path string)
	// createHeaders are the headers a create carries besides the body's
	// type: a deadline the service enforces, from the task timeout.
	createHeaders func(taskTimeout time.Duration) http.Header
	// decode reads a 2xx answer of a create or a poll.
	decode func(status int, h http.Header, body []byte, now time.Time) (taskAnswer, error)
	// parseError reads an error answer; the Client classifies it.
	parseError func(status int, h http.Header, body []byte, now time.Time) *APIError
	// upload is the path that hands out an upload URL ("" if the service
	// takes no uploads).
	upload string
}

// DefaultProvider is the provider of a manifest that names none.
const DefaultProvider = "ltx2api-v1"

var providers = map[string]*Provider{}

// register adds p to the providers; a second provider with the same name is
// refused at start, before any command runs.
func register(p *Provider) *Provider {
	if err := checkProvider(p); err != nil {
		panic(err)
	}
	p.Codes = append([]CodeInfo(nil), p.Codes...)
	providers[p.Name] = p
	return p
}

// checkProvider is what register refuses: an empty or taken name, a wire
// format without its create, poll or decoders.
func checkProvider(p *Provider) error {
	switch {
	case p.Name == "":
		return fmt.Errorf("ltx: a provider without a name")
	case providers[p.Name] != nil:
		return fmt.Errorf("ltx: two providers are named %q", p.Name)
	case p.wire.create == nil || p.wire.poll == nil || p.wire.decode == nil || p.wire.parseError == nil:
		return fmt.Errorf("ltx: provider %q has an incomplete wire format", p.Name)
	}
	return nil
}

// authScheme is the provider's scheme, Bearer unless it says otherwise.
func (p *Provider) authScheme() AuthScheme {
	if p.Auth == "" {
		return AuthBearer
	}
	return p.Auth
}

// AuthHeader is how the key is sent ("Bearer KEY", "Key KEY"), for docs.
func (p *Provider) AuthHeader() string { return string(p.authScheme()) + " KEY" }

// LookupProvider returns the provider called name; "" is DefaultProvider.
func LookupProvider(name string) (*Provider, bool) {
	if name == "" {
		name = DefaultProvider
	}
	p, ok := providers[name]
	return p, ok
}

// MustProvider is LookupProvider for names known to exist.
func MustProvider(name string) *Provider {
	p, ok := LookupProvider(name)
	if !ok {
		panic("ltx: unknown provider " + name)
	}
	return p
}

// Providers lists every provider, the default first, then by name.
func Providers() []*Provider {
	out := make([]*Provider, 0, len(providers))
	for _, p := range providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == DefaultProvider) != (out[j].Name == DefaultProvider) {
			return out[i].Name == DefaultProvider
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ProviderNames lists the names, quoted, for messages.
func ProviderNames() string {
	var names []string
	for _, p := range Providers() {
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	return strings.Join(names, ", ")
}

// LookupCode returns the provider's entry for an error code.
func (p *Provider) LookupCode(code string) (CodeInfo, bool) {
	for _, c := range p.Codes {
		if c.Code == code {
			return c, true
		}
	}
	return CodeInfo{}, false
}

// Classify decides by the provider's code first; the HTTP status counts only
// when the code is empty or unknown, because deployments differ in which
// status carries which code.
func (p *Provider) Classify(code string, status int) Class {
	if c, ok := p.LookupCode(code); ok {
		return c.Class
	}
	return classifyStatus(status)
}

// throttleOf says which limit an error reports.
func (p *Provider) throttleOf(code string, status int) Throttle {
	if c, ok := p.LookupCode(code); ok {
		return c.Throttle
	}
	if status == http.StatusTooManyRequests {
		return ThrottleRate
	}
	return ThrottleNone
}

// Price returns the per-second price of model at resolution name, and
// whether that price is assumed: a row for the model wins over a row for
// any model. ok is false when the table has no row. Where the service
// prices the modes apart, it is the dearer one: an estimate is never below
// the bill.
func (p *Provider) Price(model, resolution string) (perSecond float64, assumed, ok bool) {
	return p.PriceFor(model, resolution, "")
}

// PriceFor is Price for one mode ("" for the dearer of both).
func (p *Provider) PriceFor(model, resolution string, mode Mode) (perSecond float64, assumed, ok bool) {
	var best *Price
	for i := range p.Prices {
		r := &p.Prices[i]
		if r.Resolution != resolution || (r.Model != "" && r.Model != model) || (mode != "" && r.Mode != "" && r.Mode != mode) {
			continue
		}
		switch {
		case best == nil, best.Model == "" && r.Model != "":
			best = r
		case (best.Model == "") == (r.Model == "") && r.PerSecond > best.PerSecond:
			best = r
		}
	}
	if best == nil {
		return 0, false, false
	}
	return best.PerSecond, best.Assumed, true
}

// ResolutionName is the resolution name ("1080p") of what a video asks for,
// which may be a size such as "1920x1080" or "1080x1920" where the service
// speaks sizes; "" when it is neither.
func (p *Provider) ResolutionName(res string) string {
	for _, name := range p.Limits.Resolutions {
		if res == name {
			return name
		}
	}
	for name, size := range p.Limits.ResolutionSizes {
		if res == size || res == swapSize(size) {
			return name
		}
	}
	return ""
}

// sizeFor is what a provider that speaks sizes sends for a resolution name
// and aspect ratio: "1080p" with "9:16" is "1080x1920".
func sizeFor(sizes map[string]string, res, aspect string) string {
	size, ok := sizes[res]
	if !ok {
		return res // a literal size, sent as written
	}
	if aspect == "9:16" {
		return swapSize(size)
	}
	return size
}

func swapSize(size string) string {
	w, h, ok := strings.Cut(size, "x")
	if !ok {
		return size
	}
	return h + "x" + w
}
