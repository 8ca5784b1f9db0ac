package plan

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// limit is one row of the table of checks: the attribute it checks, the
// error code of the first contract it prevents ("" when there is none; it is
// named only where the provider knows it) and the check, which returns what
// is wrong ("" when nothing is). Every value comes from the provider's
// limits: the table itself is the same for every service.
type limit struct {
	attribute string
	code      string
	check     func(v *config.Video, p *ltx.Provider, day time.Time) string
}

// optionalAttributes tells, for each attribute a provider may not take,
// whether a video sets it.
var optionalAttributes = []struct {
	name string
	set  func(v *config.Video) bool
}{
	{"image_url", func(v *config.Video) bool { return v.ImageURL != "" }},
	{"aspect_ratio", func(v *config.Video) bool { return v.AspectRatio != "" }},
	{"seed", func(v *config.Video) bool { return v.Seed != nil }},
	{"webhook_url", func(v *config.Video) bool { return v.WebhookURL != "" }},
	{"model", func(v *config.Video) bool { return v.Model != "" }},
	{"fps", func(v *config.Video) bool { return v.FPS != 0 }},
	{"generate_audio", func(v *config.Video) bool { return v.GenerateAudio != nil }},
	{"camera_motion", func(v *config.Video) bool { return v.CameraMotion != "" }},
	{"last_frame_url", func(v *config.Video) bool { return v.LastFrameURL != "" }},
	{"image_file", func(v *config.Video) bool { return v.ImageFile != "" }},
}

// limits is the one table of service limits.
var limits = []limit{
	{"prompt", ltx.CodeInvalidPrompt, func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		n := utf8.RuneCountInString(v.Prompt)
		switch {
		case strings.TrimSpace(v.Prompt) == "":
			return "the prompt is empty"
		case p.Limits.PromptMax > 0 && n > p.Limits.PromptMax:
			msg := fmt.Sprintf("the prompt is %d characters long; %s accepts 1 to %d", n, p.Name, p.Limits.PromptMax)
			if p.Limits.PromptMaxAssumed {
				msg += " (an assumed limit: the service documents none, and its client programs check this one)"
			}
			return msg
		}
		return ""
	}},
	{"duration", ltx.CodeInvalidDuration, func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		d := v.Duration
		if d != math.Trunc(d) {
			return fmt.Sprintf("duration must be a whole number of seconds, not %g", d)
		}
		if p.Limits.Durations != nil {
			model, res := modelOf(v, p), p.ResolutionName(v.Resolution)
			allowed := p.Limits.Durations(model, res, v.FPS)
			if !slices.Contains(allowed, int(d)) {
				return fmt.Sprintf("duration %g is not offered by %s for model %s at %s%s; allowed: %s seconds",
					d, p.Name, model, res, fpsText(v.FPS), joinInts(allowed))
			}
			return ""
		}
		if d < float64(p.Limits.DurationMin) || d > float64(p.Limits.DurationMax) {
			return fmt.Sprintf("duration must be between %d and %d seconds for %s, not %g", p.Limits.DurationMin, p.Limits.DurationMax, p.Name, d)
		}
		return ""
	}},
	{"resolution", ltx.CodeInvalidResolution, func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		if name := p.ResolutionName(v.Resolution); name != "" {
			if m, ok := p.Model(modelOf(v, p)); ok && m.Resolutions != nil && !slices.Contains(m.Resolutions, name) {
				return fmt.Sprintf("resolution %q is not offered by %s for model %s; use one of %s", v.Resolution, p.Name, m.Name, quoted(m.Resolutions))
			}
			return ""
		}
		msg := fmt.Sprintf("resolution %q is not offered by %s", v.Resolution, p.Name)
		for _, r := range p.Limits.Resolutions {
			if strings.EqualFold(r, v.Resolution) {
				msg += fmt.Sprintf(`. Did you mean %q? Case matters`, r)
			}
		}
		msg += "; use one of " + quoted(p.Limits.Resolutions)
		if p.Limits.ResolutionSizes != nil {
			msg += " (or a size such as \"1920x1080\" or \"1080x1920\")"
		}
		return msg
	}},
	{"image_url", ltx.CodeInvalidImageURL, func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		if v.ImageURL == "" {
			return ""
		}
		return checkImageURL(p, "image_url", v.ImageURL)
	}},
	{"aspect_ratio", "", func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		switch {
		case v.AspectRatio == "":
			return ""
		case modelTakesNoAspectRatio(v, p):
			return fmt.Sprintf("model %s at %s takes no aspect_ratio; remove it", modelOf(v, p), p.Name)
		case !slices.Contains(p.Limits.AspectRatios, v.AspectRatio):
			return fmt.Sprintf("aspect_ratio %q is not one of %s, the aspect ratios %s offers", v.AspectRatio, quoted(p.Limits.AspectRatios), p.Name)
		case p.Limits.ResolutionSizes != nil && !slices.Contains(p.Limits.Resolutions, v.Resolution):
			return fmt.Sprintf("resolution %q is a size, which fixes the shape already; remove aspect_ratio, or give a resolution name such as \"1080p\"", v.Resolution)
		case p.Limits.ResolutionSizes == nil && (v.ImageURL != "" || v.ImageFile != ""):
			return "aspect_ratio applies only to text-to-video; an image-to-video takes the shape of its image. Remove aspect_ratio or image_url"
		}
		return ""
	}},
	{"webhook_url", "", func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		if v.WebhookURL == "" {
			return ""
		}
		return checkHTTPURL("webhook_url", v.WebhookURL)
	}},
	{"model", "", func(v *config.Video, p *ltx.Provider, day time.Time) string {
		if v.Model == "" {
			return ""
		}
		return checkModel(p, v.Model, day)
	}},
	{"fps", "", func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		if v.FPS == 0 {
			return ""
		}
		if m, ok := p.Model(modelOf(v, p)); ok && m.FPS != nil {
			if slices.Contains(m.FPS, v.FPS) {
				return ""
			}
			return fmt.Sprintf("fps %d is not offered by %s for model %s; use one of %s", v.FPS, p.Name, m.Name, joinInts(m.FPS))
		}
		if slices.Contains(p.Limits.FPS, v.FPS) {
			return ""
		}
		return fmt.Sprintf("fps %d is not offered by %s; use one of %s", v.FPS, p.Name, joinInts(p.Limits.FPS))
	}},
	{"camera_motion", "", func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		if v.CameraMotion == "" || slices.Contains(p.Limits.CameraMotions, v.CameraMotion) {
			return ""
		}
		return fmt.Sprintf("camera_motion %q is not one of %s, the camera motions %s offers", v.CameraMotion, quoted(p.Limits.CameraMotions), p.Name)
	}},
	{"last_frame_url", "", func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		switch {
		case v.LastFrameURL == "":
			return ""
		case v.ImageURL == "" && v.ImageFile == "":
			return "last_frame_url needs a first frame: set image_url or image_file as well"
		case p.Limits.LastFrameModels != nil && !slices.Contains(p.Limits.LastFrameModels, modelOf(v, p)):
			return fmt.Sprintf("last_frame_url is taken only by the models %s, not %s", quoted(p.Limits.LastFrameModels), modelOf(v, p))
		}
		return checkImageURL(p, "last_frame_url", v.LastFrameURL)
	}},
	{"image_file", "", func(v *config.Video, p *ltx.Provider, _ time.Time) string {
		if max := p.Limits.UploadMaxBytes; v.ImageFile != "" && max > 0 && v.ImageFileBytes > max {
			return fmt.Sprintf("image_file %s is %s; %s takes at most %s by upload", v.ImageFile, megabytes(v.ImageFileBytes), p.Name, megabytes(max))
		}
		return ""
	}},
}

// CheckManifest checks the manifest against its provider: the api block,
// the pricing block and every video's limits. Each diagnostic points at the
// attribute and names the provider.
func CheckManifest(m *config.Manifest, now time.Time) hcl.Diagnostics {
	p, diags := ProviderOf(m)
	if diags.HasErrors() {
		return diags
	}
	diags = append(diags, checkAPI(m, p, now)...)
	diags = append(diags, CheckPricing(m)...)
	diags = append(diags, CheckLimits(withAPIDefaults(m, p), p, now)...)
	// The videos with an error elsewhere are checked too, on what did
	// evaluate, so that validate reports every problem in one run.
	invalid := *m
	invalid.Videos = m.Invalid
	diags = append(diags, CheckLimits(withAPIDefaults(&invalid, p), p, now)...)
	return diags
}

// shapeAttributes decide together which durations, resolutions and prices
// a provider allows: a limit is not checked on a video where one of them
// failed to evaluate, since the default in its place is not what was meant.
var shapeAttributes = []string{"model", "resolution", "duration", "fps"}

// checkable tells whether the limit on attribute can be checked on v: every
// attribute of a valid video, only those that evaluated of an invalid one.
func checkable(v *config.Video, attribute string) bool {
	if len(v.Unevaluated) == 0 {
		return true
	}
	if v.Unevaluated[attribute] {
		return false
	}
	for _, a := range shapeAttributes {
		if v.Unevaluated[a] {
			return false
		}
	}
	return true
}

// withAPIDefaults is the manifest's videos with api.model filled in where a
// video names none (and the provider has models), so that every check and
// every request sees the model that will be sent.
func withAPIDefaults(m *config.Manifest, p *ltx.Provider) []*config.Video {
	if m.API.Model == "" || len(p.Limits.Models) == 0 {
		return m.Videos
	}
	out := make([]*config.Video, len(m.Videos))
	for i, v := range m.Videos {
		out[i] = v
		if v.Model != "" {
			continue
		}
		copied := *v
		copied.Model = m.API.Model
		copied.Ranges = make(map[string]hcl.Range, len(v.Ranges)+1)
		for k, r := range v.Ranges {
			copied.Ranges[k] = r
		}
		copied.Ranges["model"] = m.API.Ranges["model"]
		out[i] = &copied
	}
	return out
}

// checkAPI checks the api block's provider-dependent attributes.
func checkAPI(m *config.Manifest, p *ltx.Provider, day time.Time) hcl.Diagnostics {
	diags := checkKeyTrust(m, p)
	if m.API.Model == "" {
		return diags
	}
	problem := ""
	if len(p.Limits.Models) == 0 {
		problem = fmt.Sprintf("%s takes no model; remove api.model", p.Name)
	} else {
		problem = checkModel(p, m.API.Model, day)
	}
	if problem == "" {
		return diags
	}
	return append(diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid model",
		Detail:   problem + ".",
		Subject:  rangePtr(m.API.Ranges["model"]),
	})
}

// checkKeyTrust warns that api.idempotency_key = true cannot make a lost
// create safe to send again on a provider that takes no key: the setting is
// not silently dropped.
func checkKeyTrust(m *config.Manifest, p *ltx.Provider) hcl.Diagnostics {
	if k := m.API.IdempotencyKey; k == nil || !*k || p.Capabilities.IdempotencyKey {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "idempotency_key has no effect",
		Detail: fmt.Sprintf("%s takes no idempotency key, so idempotency_key = true is ignored: a create whose answer was lost stays uncertain, and only apply -retry-uncertain (or -replace) sends it again.",
			p.Name),
		Subject: rangePtr(m.API.Ranges["idempotency_key"]),
	}}
}

// CheckLimits checks every video against the provider's limits. Each
// diagnostic points at the attribute, names the video's address, the error
// code it prevents and the documentation's suggestion where there is one.
func CheckLimits(videos []*config.Video, p *ltx.Provider, now time.Time) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, v := range videos {
		notTaken := map[string]bool{}
		for _, a := range optionalAttributes {
			if a.set(v) && !p.Capabilities.Takes(a.name) {
				notTaken[a.name] = true
				diags = append(diags, limitDiag(v, a.name, fmt.Sprintf("%s is not an attribute of provider %s, which takes %s",
					a.name, p.Name, strings.Join(p.Capabilities.Attributes, ", ")), ltx.CodeInfo{}))
			}
		}
		for _, l := range limits {
			if notTaken[l.attribute] {
				continue // said once: its values cannot be checked against a list the provider does not have
			}
			if !checkable(v, l.attribute) {
				continue
			}
			if problem := l.check(v, p, now); problem != "" {
				diags = append(diags, limitDiag(v, l.attribute, problem, codeFor(p, l.code)))
			}
		}
		if !checkable(v, "model") {
			continue
		}
		if v.Model == "" {
			if d := deprecatedModel(p, modelOf(v, p), now); d != "" {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Deprecated model",
					Detail: fmt.Sprintf("%s: %s.", v.Address, d), Subject: v.DeclRange.Ptr()})
			}
		} else if d := deprecatedModel(p, v.Model, now); d != "" {
			r := v.Ranges["model"]
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Deprecated model",
				Detail: fmt.Sprintf("%s: %s.", v.Address, d), Subject: &r})
		}
	}
	return diags
}

func limitDiag(v *config.Video, attribute, problem string, code ltx.CodeInfo) *hcl.Diagnostic {
	if v.Sensitive[attribute] {
		problem = hideValue(problem, attributeText(v, attribute))
	}
	detail := fmt.Sprintf("%s: %s.", v.Address, problem)
	if code.Code != "" {
		detail += fmt.Sprintf(" The API would refuse it with %s.", code.Code)
		if code.Suggestion != "" {
			detail += " " + code.Suggestion
		}
	}
	r, ok := v.Ranges[attribute]
	if !ok {
		r = v.DeclRange
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s", attribute),
		Detail:   detail,
		Subject:  &r,
	}
}

// codeFor is the provider's entry for a code of the first contract, when
// the provider speaks it.
func codeFor(p *ltx.Provider, code string) ltx.CodeInfo {
	if code == "" {
		return ltx.CodeInfo{}
	}
	info, _ := p.LookupCode(code)
	return info
}

// modelOf is the model a video is made with: its own (or the api block's,
// folded in by withAPIDefaults), else the provider's default.
func modelOf(v *config.Video, p *ltx.Provider) string {
	if v.Model != "" {
		return v.Model
	}
	return p.Limits.DefaultModel
}

func modelTakesNoAspectRatio(v *config.Video, p *ltx.Provider) bool {
	m, ok := p.Model(modelOf(v, p))
	return ok && m.NoAspectRatio
}

func checkModel(p *ltx.Provider, model string, day time.Time) string {
	info, ok := p.Model(model)
	if !ok {
		names := make([]string, 0, len(p.Limits.Models))
		for _, m := range p.Limits.Models {
			if m.Removed == "" || day.Format(time.DateOnly) < m.Removed {
				names = append(names, m.Name)
			}
		}
		return fmt.Sprintf("model %q is not offered by %s; use one of %s", model, p.Name, quoted(names))
	}
	if info.Removed != "" && day.Format(time.DateOnly) >= info.Removed {
		return fmt.Sprintf("model %q was removed by %s on %s; use %q", model, p.Name, info.Removed, p.Limits.DefaultModel)
	}
	return ""
}

func deprecatedModel(p *ltx.Provider, model string, day time.Time) string {
	info, ok := p.Model(model)
	if !ok || info.Deprecated == "" || day.Format(time.DateOnly) < info.Deprecated || (info.Removed != "" && day.Format(time.DateOnly) >= info.Removed) {
		return ""
	}
	return fmt.Sprintf("model %q is deprecated since %s and will be removed on %s; use %q", model, info.Deprecated, info.Removed, p.Limits.DefaultModel)
}

// CheckPricing refuses a pricing entry for a resolution or model the
// provider does not offer: a typo there ("4k") would otherwise leave the
// built-in price in force without a word. It also refuses a price in the
// wrong unit.
func CheckPricing(m *config.Manifest) hcl.Diagnostics {
	p, _ := ProviderOf(m)
	var diags hcl.Diagnostics
	bad := func(summary, detail string) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: m.PricingRange.Ptr()})
	}
	switch {
	case m.PricingAttribute == "credits_per_second" && p.Unit != ltx.UnitCredits:
		bad("Wrong unit in pricing", fmt.Sprintf("provider %s bills in US dollars; give its prices as usd_per_second (or per_second).", p.Name))
	case m.PricingAttribute == "usd_per_second" && p.Unit != ltx.UnitUSD:
		bad("Wrong unit in pricing", fmt.Sprintf("provider %s bills in credits; give its prices as credits_per_second (or per_second).", p.Name))
	}
	attr := m.PricingAttribute
	if attr == "" {
		attr = "credits_per_second"
	}
	for _, key := range sortedKeys(m.Pricing) {
		model, res, hasModel := strings.Cut(key, "/")
		if !hasModel {
			res, model = model, ""
		}
		switch {
		case model != "" && len(p.Limits.Models) == 0:
			bad("Unknown model in pricing", fmt.Sprintf("pricing.%s has a price for %q, but %s takes no model; key prices by resolution.", attr, key, p.Name))
		case model != "" && checkModel(p, model, time.Time{}) != "":
			bad("Unknown model in pricing", fmt.Sprintf("pricing.%s has a price for %q: %s.", attr, key, checkModel(p, model, time.Time{})))
		case !slices.Contains(p.Limits.Resolutions, res):
			detail := fmt.Sprintf("pricing.%s has a price for %q, and %q is not one of %s's resolutions %s", attr, key, res, p.Name, quoted(p.Limits.Resolutions))
			for _, r := range p.Limits.Resolutions {
				if strings.EqualFold(r, res) {
					detail += fmt.Sprintf(`. Did you mean %q? Case matters`, r)
				}
			}
			bad("Unknown resolution in pricing", detail+".")
		}
	}
	return diags
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func checkHTTPURL(attr, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%s %q is not an absolute http(s) URL", attr, raw)
	}
	return ""
}

// checkImageURL is checkHTTPURL with the stricter rules of a service that
// fetches only https from a domain name (sizes-speaking services say so).
func checkImageURL(p *ltx.Provider, attr, raw string) string {
	if problem := checkHTTPURL(attr, raw); problem != "" {
		if strings.HasPrefix(raw, "data:") && p.Limits.ResolutionSizes != nil {
			return ""
		}
		return problem
	}
	if p.Limits.ResolutionSizes == nil {
		return ""
	}
	u, _ := url.Parse(raw)
	switch {
	case u.Scheme != "https":
		return fmt.Sprintf("%s %q: %s fetches images over https only", attr, raw, p.Name)
	case net.ParseIP(u.Hostname()) != nil:
		return fmt.Sprintf("%s %q: %s fetches images from a domain name, not an IP address", attr, raw, p.Name)
	}
	return ""
}

func quoted(set []string) string {
	q := make([]string, len(set))
	for i, s := range set {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func joinInts(set []int) string {
	s := make([]string, len(set))
	for i, n := range set {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func fpsText(fps int) string {
	if fps == 0 {
		return ""
	}
	return fmt.Sprintf(" and %d fps", fps)
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// attributeText is the value a limit's message may quote.
func attributeText(v *config.Video, attribute string) string {
	if field := v.TextAttribute(attribute); field != nil {
		return *field
	}
	return ""
}

// hideValue removes a sensitive value from a message, quoted or not.
func hideValue(msg, value string) string {
	if value == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, fmt.Sprintf("%q", value), "(sensitive value)")
	return strings.ReplaceAll(msg, value, "(sensitive value)")
}
