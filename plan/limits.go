package plan

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// The API's limits (DESIGN.md, "Limits checked offline"), checked before a
// credit is spent.
const (
	MinPromptChars = 1
	MaxPromptChars = 2000
	MinDuration    = 6
	MaxDuration    = 20
)

// Resolutions the API accepts, exactly as written (case matters).
var Resolutions = []string{"1080p", "1440p", "4K"}

// AspectRatios the API accepts for text-to-video.
var AspectRatios = []string{"16:9", "9:16"}

// limit is one row of the table: the attribute it checks, the API error
// code it prevents ("" when the API has none) and the check, which returns
// what is wrong ("" when nothing is).
type limit struct {
	attribute string
	code      string
	check     func(v *config.Video) string
}

// limits is the one table of API limits.
var limits = []limit{
	{"prompt", ltx.CodeInvalidPrompt, func(v *config.Video) string {
		n := utf8.RuneCountInString(v.Prompt)
		switch {
		case strings.TrimSpace(v.Prompt) == "":
			return "the prompt is empty"
		case n > MaxPromptChars:
			return fmt.Sprintf("the prompt is %d characters long; the API accepts %d to %d", n, MinPromptChars, MaxPromptChars)
		}
		return ""
	}},
	{"duration", ltx.CodeInvalidDuration, func(v *config.Video) string {
		d := v.Duration
		switch {
		case d != math.Trunc(d):
			return fmt.Sprintf("duration must be a whole number of seconds, not %g", d)
		case d < MinDuration || d > MaxDuration:
			return fmt.Sprintf("duration must be between %d and %d seconds, not %g", MinDuration, MaxDuration, d)
		}
		return ""
	}},
	{"resolution", ltx.CodeInvalidResolution, func(v *config.Video) string {
		if oneOf(v.Resolution, Resolutions) {
			return ""
		}
		msg := fmt.Sprintf("resolution %q is not one of %s", v.Resolution, quoted(Resolutions))
		for _, r := range Resolutions {
			if strings.EqualFold(r, v.Resolution) {
				msg += fmt.Sprintf(`. Did you mean %q? Case matters`, r)
			}
		}
		return msg
	}},
	{"image_url", ltx.CodeInvalidImageURL, func(v *config.Video) string {
		if v.ImageURL == "" {
			return ""
		}
		return checkHTTPURL("image_url", v.ImageURL)
	}},
	{"aspect_ratio", "", func(v *config.Video) string {
		switch {
		case v.AspectRatio == "":
			return ""
		case v.ImageURL != "":
			return "aspect_ratio applies only to text-to-video; an image-to-video takes the shape of its image. Remove aspect_ratio or image_url"
		case !oneOf(v.AspectRatio, AspectRatios):
			return fmt.Sprintf("aspect_ratio %q is not one of %s", v.AspectRatio, quoted(AspectRatios))
		}
		return ""
	}},
	{"webhook_url", "", func(v *config.Video) string {
		if v.WebhookURL == "" {
			return ""
		}
		return checkHTTPURL("webhook_url", v.WebhookURL)
	}},
}

// CheckPricing refuses a pricing entry for a resolution the API does not
// offer: a typo there ("4k") would otherwise leave the built-in price in
// force without a word.
func CheckPricing(m *config.Manifest) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, res := range sortedKeys(m.Pricing) {
		if oneOf(res, Resolutions) {
			continue
		}
		detail := fmt.Sprintf("pricing.credits_per_second has a price for %q, which is not one of %s", res, quoted(Resolutions))
		for _, r := range Resolutions {
			if strings.EqualFold(r, res) {
				detail += fmt.Sprintf(`. Did you mean %q? Case matters`, r)
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown resolution in pricing",
			Detail:   detail + ".",
			Subject:  m.PricingRange.Ptr(),
		})
	}
	return diags
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CheckLimits checks every video against the API's limits. Each diagnostic
// points at the attribute, names the video's address, the API error code it
// prevents and the API documentation's suggestion.
func CheckLimits(videos []*config.Video) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, v := range videos {
		for _, l := range limits {
			problem := l.check(v)
			if problem == "" {
				continue
			}
			if v.Sensitive[l.attribute] {
				problem = hideValue(problem, attributeText(v, l.attribute))
			}
			detail := fmt.Sprintf("%s: %s.", v.Address, problem)
			if l.code != "" {
				detail += fmt.Sprintf(" The API would refuse it with %s.", l.code)
				if info, ok := ltx.LookupCode(l.code); ok && info.Suggestion != "" {
					detail += " " + info.Suggestion
				}
			}
			r, ok := v.Ranges[l.attribute]
			if !ok {
				r = v.DeclRange
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Invalid %s", l.attribute),
				Detail:   detail,
				Subject:  &r,
			})
		}
	}
	return diags
}

func checkHTTPURL(attr, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%s %q is not an absolute http(s) URL", attr, raw)
	}
	return ""
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func quoted(set []string) string {
	q := make([]string, len(set))
	for i, s := range set {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// attributeText is the value a limit's message may quote.
func attributeText(v *config.Video, attribute string) string {
	switch attribute {
	case "prompt":
		return v.Prompt
	case "resolution":
		return v.Resolution
	case "image_url":
		return v.ImageURL
	case "aspect_ratio":
		return v.AspectRatio
	case "webhook_url":
		return v.WebhookURL
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
