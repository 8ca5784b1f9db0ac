package command

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ltxform/ltxform/sim"
)

// SimOptionsFromArgs parses `ltxform sim` knob flags into sim.Options. The
// testscript harness uses it to read a script's sim.args file.
func SimOptionsFromArgs(args []string) (sim.Options, error) {
	fs := flag.NewFlagSet("sim.args", flag.ContinueOnError)
	fs.SetOutput(discard{})
	build := registerSimFlags(fs)
	if err := fs.Parse(args); err != nil {
		return sim.Options{}, err
	}
	if fs.NArg() > 0 {
		return sim.Options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return build()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// registerSimFlags defines one flag per sim.Options knob on fs, for both
// `ltxform sim` and SimOptionsFromArgs. Call the returned function after
// parsing to get the options.
func registerSimFlags(fs *flag.FlagSet) func() (sim.Options, error) {
	var (
		o                           sim.Options
		keys, expired, unreachable  listFlag
		large, faultRates, ruleSpec listFlag
	)
	fs.Var(&keys, "key", "accepted API `KEY` (repeatable or comma-separated; without one, sim makes up a key and prints it)")
	fs.Var(&expired, "expired-key", "`KEY` answering 401 API_KEY_EXPIRED (repeatable)")
	fs.Float64Var(&o.Credits, "credits", 0, "starting credit balance (0 = unlimited)")
	fs.IntVar(&o.PlanQuota, "plan-quota", 0, "creates allowed before 403 PLAN_LIMIT_REACHED (0 = unlimited)")
	fs.Float64Var(&o.RateLimit, "rate-limit", 0, "requests per second per key before 429 (0 = unlimited)")
	fs.IntVar(&o.RateBurst, "rate-burst", 0, "token-bucket size (0 = the rate, at least 1)")
	fs.DurationVar(&o.Latency, "latency", 0, "fixed time from create to completed (sim: 2s unless -latency or -realistic is given)")
	fs.BoolVar(&o.RealisticLatency, "realistic", false, "model latency: ~30s + 2s per second of video, slower for 1440p/4K, ±20% jitter")
	fs.Float64Var(&o.TimeScale, "time-scale", 1, "multiply every modelled duration (0.01 = 100× faster)")
	fs.Var(&faultRates, "fault", "random fault `NAME=RATE` (repeatable); NAME is one of "+faultNames()+". "+faultHelp)
	fs.Var(&ruleSpec, "rule", "deterministic fault `SUBSTRING:NAME[:TIMES]` for prompts containing SUBSTRING (repeatable)")
	fs.Var(&unreachable, "unreachable-image-host", "image_url `HOST` answering INVALID_IMAGE_URL (repeatable)")
	fs.Var(&large, "large-image-host", "image_url `HOST` answering IMAGE_TOO_LARGE (repeatable)")
	fs.Int64Var(&o.Seed, "seed", 0, "seed for latency jitter and random faults")
	fs.StringVar(&o.Provider, "provider", "", "speak the contract of `NAME`: "+strings.Join(sim.Providers, ", ")+" (empty: "+sim.ProviderLTX2APIv1+")")
	fs.IntVar(&o.MaxConcurrentGenerations, "max-concurrent-generations", 0,
		"generations at once per account before 429 with Retry-After 1 (0 = the provider's default: 2 for lightricks and fal, unlimited elsewhere; -1 = unlimited; fal queues past it, IN_QUEUE, instead of answering 429)")
	fs.DurationVar(&o.Retention, "retention", 0,
		"how long a task's status and video live after it ends, then 404; scaled by -time-scale (0 = the provider's default: 24h for lightricks, 1h of outputs for replicate, whose status stays, forever elsewhere; -1ns = forever)")
	fs.BoolVar(&o.IgnoreIdempotencyKey, "ignore-idempotency-key", false, "ltx2api-v1: ignore the Idempotency-Key header, so every create is a new, billed task (the other providers always do)")
	fs.BoolVar(&o.EchoKey, "echo-key", false, "echo the caller's API key in X-Request-Id, request_id and failed tasks' messages (to test that a client never prints them)")
	fs.StringVar(&o.UnreadableAnswer, "unreadable-answer", "", "form of the unreadable_answer fault: "+strings.Join(sim.UnreadableAnswers, ", ")+` ("" rotates through them)`)
	fs.BoolVar(&o.Envelope, "envelope", false, `answer as the API's other deployment: HTTP 200, {"code":200,"message":"success","data":{…}}, IN_PROGRESS/SUCCESS/FAILED`)

	return func() (sim.Options, error) {
		o.Keys, o.ExpiredKeys = keys, expired
		o.UnreachableImageHosts, o.LargeImageHosts = unreachable, large
		for _, spec := range faultRates {
			name, rateText, ok := strings.Cut(spec, "=")
			f := sim.Fault(name)
			if !ok || !f.Valid() {
				return o, fmt.Errorf("-fault %q: want NAME=RATE with NAME one of %s", spec, faultNames())
			}
			rate, err := strconv.ParseFloat(rateText, 64)
			if err != nil || rate < 0 || rate > 1 {
				return o, fmt.Errorf("-fault %q: RATE must be a number from 0 to 1", spec)
			}
			if o.FaultRates == nil {
				o.FaultRates = map[sim.Fault]float64{}
			}
			o.FaultRates[f] = rate
		}
		for _, spec := range ruleSpec {
			r, err := parseSimRule(spec)
			if err != nil {
				return o, err
			}
			o.Rules = append(o.Rules, r)
		}
		if o.TimeScale <= 0 {
			return o, fmt.Errorf("-time-scale must be positive")
		}
		if !sim.ValidProvider(o.Provider) {
			return o, fmt.Errorf("-provider %q: want one of %s", o.Provider, strings.Join(sim.Providers, ", "))
		}
		if !sim.ValidUnreadableAnswer(o.UnreadableAnswer) {
			return o, fmt.Errorf("-unreadable-answer %q: want one of %s", o.UnreadableAnswer, strings.Join(sim.UnreadableAnswers, ", "))
		}
		return o, nil
	}
}

// parseSimRule reads SUBSTRING:NAME[:TIMES]; SUBSTRING may itself hold
// colons, so the fault name and count are taken from the right.
func parseSimRule(spec string) (sim.Rule, error) {
	rest, last, ok := cutLast(spec, ":")
	if !ok {
		return sim.Rule{}, fmt.Errorf("-rule %q: want SUBSTRING:NAME[:TIMES]", spec)
	}
	r := sim.Rule{}
	if n, err := strconv.Atoi(last); err == nil {
		if n < 0 {
			return r, fmt.Errorf("-rule %q: TIMES must not be negative", spec)
		}
		r.Times = n
		if rest, last, ok = cutLast(rest, ":"); !ok {
			return r, fmt.Errorf("-rule %q: want SUBSTRING:NAME[:TIMES]", spec)
		}
	}
	r.PromptContains, r.Fault = rest, sim.Fault(last)
	if !r.Fault.Valid() {
		return r, fmt.Errorf("-rule %q: unknown fault %q; one of %s", spec, last, faultNames())
	}
	return r, nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// faultHelp says what each fault does, for -fault's help.
const faultHelp = `generation_failed, timeout: the task ends failed; content_policy: the create is refused (400, lightricks 422); ` +
	`server_error, unavailable, overloaded: creates and polls answer 500, 503, 529; ` +
	`drop_after_create = reset_after_commit: the create is committed and billed, then the connection is closed; ` +
	`unreadable_answer: committed and billed, then the 2xx answer is HTML, empty, truncated JSON or over 1 MB (-unreadable-answer); ` +
	`hang: a create (nothing committed), poll or download never answers until the client gives up; ` +
	`lose_task: polls answer 404; truncate_download: the first download is cut short; ` +
	`html_download: the first download answers 200 text/html; ` +
	`daily_quota: a create answers 429 with Retry-After 86400, the day's quota spent; ` +
	`gateway_timeout, redirect_create, hang_after_commit: the create is committed and billed, then answered ` +
	`by a gateway's 504 page, a 307 to the same path, or never` + `;` +
	`wrong_media: the video delivered is not the one ordered: in turn two thirds of the size, half the length, no sound track`

func faultNames() string {
	names := make([]string, len(sim.Faults))
	for i, f := range sim.Faults {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// defaultStandaloneLatency lets a person watch queued → processing →
// completed when they run `ltxform sim` without -latency or -realistic.
const defaultStandaloneLatency = 2 * time.Second
