package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/ltx"
)

// TestCheckLimits loads one manifest with a video per limit and expects
// each refusal at the line of the attribute, naming the address, the API
// code it prevents and the catalogue's suggestion.
func TestCheckLimits(t *testing.T) {
	dir := filepath.Join("..", "config", "testdata", "limits")
	m, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("loading %s: %s", dir, diags.Error())
	}
	byAddress := map[string][]*hcl.Diagnostic{}
	for _, d := range checkDefault(m.Videos) {
		addr := strings.SplitN(d.Detail, ":", 2)[0]
		byAddress[addr] = append(byAddress[addr], d)
	}

	tests := []struct {
		address string
		summary string
		line    int
		code    string // "" when the API has no code for it
		detail  string
	}{
		{"video.prompt_empty", "Invalid prompt", 11, ltx.CodeInvalidPrompt, "the prompt is empty"},
		{"video.prompt_2001", "Invalid prompt", 15, ltx.CodeInvalidPrompt, "2001 characters"},
		{"video.duration_5", "Invalid duration", 24, ltx.CodeInvalidDuration, "between 6 and 20 seconds for ltx2api-v1, not 5"},
		{"video.duration_21", "Invalid duration", 29, ltx.CodeInvalidDuration, "not 21"},
		{"video.duration_7_5", "Invalid duration", 34, ltx.CodeInvalidDuration, "whole number of seconds, not 7.5"},
		{"video.resolution_720p", "Invalid resolution", 39, ltx.CodeInvalidResolution, `"720p" is not offered by ltx2api-v1; use one of "1080p", "1440p", "4K"`},
		{"video.resolution_4k", "Invalid resolution", 44, ltx.CodeInvalidResolution, `Did you mean "4K"?`},
		{"video.image_ftp", "Invalid image_url", 49, ltx.CodeInvalidImageURL, `"ftp://x" is not an absolute http(s) URL`},
		{"video.image_relative", "Invalid image_url", 54, ltx.CodeInvalidImageURL, `"/img.png" is not an absolute http(s) URL`},
		{"video.aspect_with_image", "Invalid aspect_ratio", 60, "", "only to text-to-video"},
		{"video.aspect_bad", "Invalid aspect_ratio", 65, "", `"4:3" is not one of "16:9", "9:16"`},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			got := byAddress[tt.address]
			if len(got) != 1 {
				t.Fatalf("got %d diagnostics, want 1: %v", len(got), got)
			}
			d := got[0]
			if d.Summary != tt.summary {
				t.Errorf("summary = %q, want %q", d.Summary, tt.summary)
			}
			if d.Subject == nil || d.Subject.Filename != filepath.Join(dir, "main.ltx.hcl") || d.Subject.Start.Line != tt.line {
				t.Errorf("subject = %v, want main.ltx.hcl line %d", d.Subject, tt.line)
			}
			if !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", d.Detail, tt.detail)
			}
			if tt.code != "" {
				info, ok := ltx.LookupCode(tt.code)
				if !ok {
					t.Fatalf("%s is not in the catalogue", tt.code)
				}
				if !strings.Contains(d.Detail, tt.code) || !strings.Contains(d.Detail, info.Suggestion) {
					t.Errorf("detail %q lacks the code %s or its suggestion %q", d.Detail, tt.code, info.Suggestion)
				}
			}
		})
	}

	for _, ok := range []string{"video.prompt_2000_multibyte", "video.all_good", "video.edges"} {
		if got := byAddress[ok]; len(got) != 0 {
			t.Errorf("%s is within the limits but got %v", ok, got)
		}
	}
	if n := len(byAddress); n != len(tests) {
		t.Errorf("diagnostics for %d addresses, want %d: %v", n, len(tests), byAddress)
	}
}

// TestCheckLimitsCountsCharactersNotBytes pins the boundary on both sides
// with multi-byte text: 2000 "é" (4000 bytes) pass, 2001 do not.
func TestCheckLimitsCountsCharactersNotBytes(t *testing.T) {
	video := func(prompt string) *config.Video {
		return &config.Video{Address: "video.x", Prompt: prompt, Duration: 8, Resolution: "1080p"}
	}
	if d := checkDefault([]*config.Video{video(strings.Repeat("é", MaxPromptChars))}); len(d) != 0 {
		t.Errorf("2000 characters refused: %v", d)
	}
	d := checkDefault([]*config.Video{video(strings.Repeat("é", MaxPromptChars+1))})
	if len(d) != 1 || !strings.Contains(d[0].Detail, "2001 characters") {
		t.Errorf("2001 characters: got %v", d)
	}
}

// TestCheckLimitsWithoutRangeUsesBlock covers videos built by hand (no
// Ranges): the diagnostic still points somewhere, at the block.
func TestCheckLimitsWithoutRangeUsesBlock(t *testing.T) {
	decl := hcl.Range{Filename: "m.ltx.hcl", Start: hcl.Pos{Line: 3, Column: 1}, End: hcl.Pos{Line: 3, Column: 10}}
	v := &config.Video{Address: "video.x", Prompt: "p", Duration: 8, Resolution: "8K", DeclRange: decl}
	d := checkDefault([]*config.Video{v})
	if len(d) != 1 || d[0].Subject == nil || *d[0].Subject != decl {
		t.Fatalf("got %v, want one diagnostic at the block", d)
	}
}

// TestCheckLimitsHidesSensitiveValues: a value computed from a sensitive
// variable is refused without being quoted.
func TestCheckLimitsHidesSensitiveValues(t *testing.T) {
	const token = "tok-9f8e7d6c5b"
	dir := t.TempDir()
	src := `
variable "token" {
  type      = string
  sensitive = true
}

video "v" {
  prompt    = join(" ", [for w in ["a", "b"] : upper(w)])
  image_url = "ftp://cdn.example.com/x.png?t=${var.token}"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, diags := config.Load(dir, config.LoadOptions{Flags: []config.VarFlag{{Value: "token="}}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := checkDefault(m.Videos)
	if len(got) != 1 || got[0].Summary != "Invalid image_url" {
		t.Fatalf("got %v, want one image_url refusal", got)
	}
	if strings.Contains(got[0].Detail, token) || !strings.Contains(got[0].Detail, "(sensitive value)") {
		t.Errorf("detail %q shows the sensitive value", got[0].Detail)
	}
}

// TestCheckPricingRefusesUnknownResolutions: a typo in the pricing block
// would otherwise leave the built-in price in force without a word.
func TestCheckPricingRefusesUnknownResolutions(t *testing.T) {
	dir := t.TempDir()
	manifest := `pricing {
  credits_per_second = { "1080p" = 3, "4k" = 12 }
}

video "a" {
  prompt = "a lighthouse at dusk"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	m, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := CheckPricing(m)
	if len(got) != 1 {
		t.Fatalf("got %d diagnostics, want 1 (for \"4k\" only): %v", len(got), got)
	}
	d := got[0]
	if !strings.Contains(d.Detail, `"4k"`) || !strings.Contains(d.Detail, `Did you mean "4K"?`) {
		t.Errorf("detail = %q", d.Detail)
	}
	if d.Subject == nil || d.Subject.Start.Line != 2 {
		t.Errorf("subject = %v, want line 2", d.Subject)
	}
}
