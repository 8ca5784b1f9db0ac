package plan

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/ltxform/ltxform/internal/textdiff"
	"github.com/ltxform/ltxform/ltx"
)

// AttributeChange is one attribute of a request, before and after.
type AttributeChange struct {
	Name          string
	Before, After string // as the manifest writes them; "" when unset
}

// attributesOf lists a request's attributes in the manifest's order, as
// text: the form diffs and views show.
func attributesOf(r ltx.CreateRequest) [][2]string {
	optInt := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	optBool := func(b *bool) string {
		if b == nil {
			return ""
		}
		return strconv.FormatBool(*b)
	}
	seed := ""
	if r.Seed != nil {
		seed = strconv.FormatInt(*r.Seed, 10)
	}
	image := r.ImageFile
	if image != "" && r.ImageSHA256 != "" {
		image += " (sha256 " + r.ImageSHA256[:min(12, len(r.ImageSHA256))] + "…)"
	}
	return [][2]string{
		{"prompt", r.Prompt},
		{"duration", optInt(r.Duration)},
		{"resolution", r.Resolution},
		{"aspect_ratio", r.AspectRatio},
		{"image_url", r.ImageURL},
		{"image_file", image},
		{"last_frame_url", r.LastFrameURL},
		{"model", r.Model},
		{"fps", optInt(r.FPS)},
		{"generate_audio", optBool(r.GenerateAudio)},
		{"camera_motion", r.CameraMotion},
		{"seed", seed},
		{"webhook_url", r.WebhookURL},
	}
}

// RequestAttributes lists the set attributes of a request, name and text,
// in the manifest's order.
func RequestAttributes(r ltx.CreateRequest) [][2]string {
	var out [][2]string
	for _, a := range attributesOf(r) {
		if a[1] != "" {
			out = append(out, a)
		}
	}
	return out
}

// Diff lists the attributes that differ between two requests, and how many
// set attributes are unchanged.
func Diff(before, after ltx.CreateRequest) (changed []AttributeChange, unchanged int) {
	a, b := attributesOf(before), attributesOf(after)
	for i := range a {
		switch {
		case a[i][1] != b[i][1]:
			changed = append(changed, AttributeChange{Name: a[i][0], Before: a[i][1], After: b[i][1]})
		case a[i][1] != "":
			unchanged++
		}
	}
	return changed, unchanged
}

// ChangedAttributes names the attributes that differ.
func ChangedAttributes(before, after ltx.CreateRequest) []string {
	changed, _ := Diff(before, after)
	names := make([]string, len(changed))
	for i, c := range changed {
		names[i] = c.Name
	}
	return names
}

// WordDiff shows how a long text changed: the changed words marked
// [-removed-]{+added+}, with a few words of context around each change and
// "…" for the unchanged stretches between, rather than two full paragraphs.
func WordDiff(before, after string, context int) string {
	ops := textdiff.Words(before, after)
	keep := make([]bool, len(ops))
	for i, op := range ops {
		if op.Kind == textdiff.Same {
			continue
		}
		for j := max(0, i-context); j <= min(len(ops)-1, i+context); j++ {
			keep[j] = true
		}
	}
	var out []string
	skipped := false
	for i := 0; i < len(ops); i++ {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped && len(out) > 0 || skipped && i > 0 {
			out = append(out, "…")
		}
		skipped = false
		switch ops[i].Kind {
		case textdiff.Same:
			out = append(out, ops[i].Word)
		case textdiff.Removed, textdiff.Added:
			// A run of removals and additions reads as one replacement.
			var del, add []string
			for ; i < len(ops) && ops[i].Kind != textdiff.Same; i++ {
				if ops[i].Kind == textdiff.Removed {
					del = append(del, ops[i].Word)
				} else {
					add = append(add, ops[i].Word)
				}
			}
			i--
			if len(del) > 0 {
				out = append(out, "[-"+strings.Join(del, " ")+"-]")
			}
			if len(add) > 0 {
				out = append(out, "{+"+strings.Join(add, " ")+"+}")
			}
		}
	}
	if skipped {
		out = append(out, "…")
	}
	return strings.Join(out, " ")
}

// ShortText shortens s to at most n characters (runes), ending in "…",
// with every run of white space made one space and none at either end.
// One pass, stopping at the cut: the plan view calls it for every change.
func ShortText(s string, n int) string {
	if n < 2 {
		r := []rune(strings.Join(strings.Fields(s), " "))
		if len(r) > n {
			return "…"
		}
		return string(r)
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*n))
	runes, cut := 0, 0 // cut: b's length after n-1 runes
	space := false     // white space seen since the last word
	put := func(r rune) bool {
		if runes == n-1 {
			cut = b.Len()
		}
		if runes == n {
			return false
		}
		b.WriteRune(r)
		runes++
		return true
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = runes > 0
			continue
		}
		if space && !put(' ') || !put(r) {
			return b.String()[:cut] + "…"
		}
		space = false
	}
	return b.String()
}

// Quoted is fmt's %q, for views.
func Quoted(s string) string { return strconv.Quote(s) }
