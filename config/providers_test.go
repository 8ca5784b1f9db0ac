package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

func TestAPIProviderAttributes(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
api {
  provider             = "lightricks"
  model                = "ltx-2-3-fast"
  max_concurrent_tasks = 2
  task_timeout         = "30m"
  idempotency_key      = false
}

video "v" {
  prompt = "p"
}
`})
	m := mustLoad(t, dir, LoadOptions{})
	a := m.API
	if a.Provider != "lightricks" || a.Model != "ltx-2-3-fast" || a.MaxConcurrentTasks != 2 || a.TaskTimeout != 30*time.Minute ||
		a.IdempotencyKey == nil || *a.IdempotencyKey {
		t.Errorf("API = %+v", a)
	}
	if a.Parallelism != DefaultParallelism || a.MaxAttempts != DefaultMaxAttempts {
		t.Errorf("defaults lost: %+v", a)
	}
	wantLines := map[string]int{"provider": 3, "model": 4, "max_concurrent_tasks": 5, "task_timeout": 6, "idempotency_key": 7}
	for name, line := range wantLines {
		if r, ok := a.Ranges[name]; !ok || r.Start.Line != line || filepath.Base(r.Filename) != "main.ltx.hcl" {
			t.Errorf("Ranges[%s] = %v, want line %d", name, r, line)
		}
	}
	if a.DeclRange.Start.Line != 2 {
		t.Errorf("DeclRange = %v, want line 2", a.DeclRange)
	}
	// The plan hashes API as JSON: ranges must stay out of it.
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "main.ltx.hcl") || strings.Contains(string(b), "Ranges") {
		t.Errorf("ranges in the JSON: %s", b)
	}
}

// Manifests without the new attributes hash as before.
func TestAPIJSONUnchangedWithoutProviderAttributes(t *testing.T) {
	b, err := json.Marshal(API{BaseURL: "https://x", RequestsPerMinute: 120, Parallelism: 8, MaxAttempts: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"BaseURL":"https://x","RequestsPerMinute":120,"Parallelism":8,"MaxAttempts":5}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestTaskTimeoutForms(t *testing.T) {
	for src, want := range map[string]time.Duration{`"90s"`: 90 * time.Second, `"1h30m"`: 90 * time.Minute, `600`: 10 * time.Minute, `1.5`: 1500 * time.Millisecond} {
		dir := writeManifest(t, map[string]string{"main.ltx.hcl": "api {\n  task_timeout = " + src + "\n}\nvideo \"v\" {\n  prompt = \"p\"\n}\n"})
		if got := mustLoad(t, dir, LoadOptions{}).API.TaskTimeout; got != want {
			t.Errorf("task_timeout = %s: %v, want %v", src, got, want)
		}
	}
}

// TestSettingErrors: each mistake is one error, at its file and line, with
// words of the detail.
func TestSettingErrors(t *testing.T) {
	tests := []struct {
		name, src, summary string
		line               int
		detail             string
	}{
		{"provider type", "api {\n  provider = 1\n}\n", "Invalid provider", 2, "must be a string, not a number"},
		{"provider empty", "api {\n  provider = \"\"\n}\n", "Invalid provider", 2, "must not be empty"},
		{"model type", "api {\n  model = true\n}\n", "Invalid model", 2, "must be a string"},
		{"max_concurrent_tasks zero", "api {\n  max_concurrent_tasks = 0\n}\n", "Invalid max_concurrent_tasks", 2, "between 1 and 1024, not 0"},
		{"max_concurrent_tasks big", "api {\n  max_concurrent_tasks = 1025\n}\n", "Invalid max_concurrent_tasks", 2, "between 1 and 1024"},
		{"max_concurrent_tasks fraction", "api {\n  max_concurrent_tasks = 1.5\n}\n", "Invalid max_concurrent_tasks", 2, "whole number"},
		{"task_timeout words", "api {\n  task_timeout = \"half an hour\"\n}\n", "Invalid task_timeout", 2, `not "half an hour"`},
		{"task_timeout zero", "api {\n  task_timeout = \"0s\"\n}\n", "Invalid task_timeout", 2, "greater than zero"},
		{"task_timeout negative", "api {\n  task_timeout = -5\n}\n", "Invalid task_timeout", 2, "greater than zero"},
		{"task_timeout bool", "api {\n  task_timeout = true\n}\n", "Invalid task_timeout", 2, "not a bool"},
		{"idempotency_key string", "api {\n  idempotency_key = \"yes\"\n}\n", "Invalid idempotency_key", 2, "must be a bool, not a string"},
		{"budget both", "budget {\n  max_cost    = 5\n  max_credits = 500\n}\n", "Conflicting budget arguments", 3, "max_credits (line 3) is another name for max_cost (line 2)"},
		{"budget negative", "budget {\n  max_cost = -1\n}\n", "Invalid max_cost", 2, "zero or more"},
		{"budget none", "budget {\n  worst_case = true\n}\n", "Missing required argument", 1, "max_cost"},
		{"budget worst_case type", "budget {\n  max_cost   = 1\n  worst_case = \"yes\"\n}\n", "Invalid worst_case", 3, "must be a bool"},
		{"pricing two", "pricing {\n  credits_per_second = { \"1080p\" = 4 }\n  usd_per_second = { \"1080p\" = 0.04 }\n}\n", "Conflicting pricing arguments", 3, "credits_per_second (line 2) and usd_per_second (line 3)"},
		{"pricing none", "pricing {\n}\n", "Missing required argument", 1, "per_second"},
		{"pricing negative", "pricing {\n  per_second = { \"720p\" = -1 }\n}\n", "Invalid per_second", 2, `"720p" must be a number, zero or more`},
		{"pricing key", "pricing {\n  usd_per_second = { \"ltx-2-3-fast/\" = 1 }\n}\n", "Invalid usd_per_second", 2, "empty model or resolution"},
		{"pricing key slashes", "pricing {\n  per_second = { \"a/b/c\" = 1 }\n}\n", "Invalid per_second", 2, "more than one slash"},
		{"fps fraction", "video \"v\" {\n  prompt = \"p\"\n  fps    = 24.5\n}\n", "Invalid fps", 3, "whole number"},
		{"fps string", "video \"v\" {\n  prompt = \"p\"\n  fps    = \"24\"\n}\n", "Invalid fps", 3, "must be a number, not a string"},
		{"generate_audio string", "video \"v\" {\n  prompt         = \"p\"\n  generate_audio = \"false\"\n}\n", "Invalid generate_audio", 3, "must be a bool, not a string"},
		{"camera_motion type", "video \"v\" {\n  prompt        = \"p\"\n  camera_motion = 3\n}\n", "Invalid camera_motion", 3, "must be a string"},
		{"model in defaults", "defaults {\n  model = 7\n}\nvideo \"v\" {\n  prompt = \"p\"\n}\n", "Invalid model", 2, "must be a string"},
		{"image_file missing", "video \"v\" {\n  prompt     = \"p\"\n  image_file = \"img/none.png\"\n}\n", "Invalid image_file", 3, "no such file"},
		{"image_file directory", "video \"v\" {\n  prompt     = \"p\"\n  image_file = \"img\"\n}\n", "Invalid image_file", 3, "is a directory"},
		{"image_file outside", "video \"v\" {\n  prompt     = \"p\"\n  image_file = \"../x.png\"\n}\n", "Invalid image_file", 3, "outside the manifest directory"},
		{"image_file and url", "video \"v\" {\n  prompt     = \"p\"\n  image_url  = \"https://x.test/a.png\"\n  image_file = \"img/a.png\"\n}\n", "Conflicting image arguments", 4, "both image_file (line 4) and image_url (line 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if !strings.Contains(src, "video ") {
				src += "video \"v\" {\n  prompt = \"p\"\n}\n"
			}
			dir := writeManifest(t, map[string]string{"main.ltx.hcl": src, "img/a.png": "png"})
			_, diags := Load(dir, LoadOptions{})
			errs := diags.Errs()
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1: %v", len(errs), diags)
			}
			d := errs[0].(*hcl.Diagnostic)
			if d.Summary != tt.summary || d.Subject == nil || filepath.Base(d.Subject.Filename) != "main.ltx.hcl" || d.Subject.Start.Line != tt.line ||
				!strings.Contains(d.Detail, tt.detail) {
				t.Errorf("got %q at %v: %s\nwant %q at line %d containing %q", d.Summary, d.Subject, d.Detail, tt.summary, tt.line, tt.detail)
			}
		})
	}
}

func TestBudgetAndPricingAttributes(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
budget {
  max_cost   = 12.5
  worst_case = true
}

pricing {
  usd_per_second = { "1080p" = 0.06, "ltx-2-3-pro/1440p" = 0.16 }
}

video "v" {
  prompt = "p"
}
`})
	m := mustLoad(t, dir, LoadOptions{})
	if b := m.Budget; b == nil || b.MaxCost != 12.5 || b.Attribute != "max_cost" || !b.WorstCase || b.Range.Start.Line != 3 {
		t.Errorf("Budget = %+v", m.Budget)
	}
	if m.PricingAttribute != "usd_per_second" || m.Pricing["ltx-2-3-pro/1440p"] != 0.16 || m.Pricing["1080p"] != 0.06 || m.PricingRange.Start.Line != 8 {
		t.Errorf("pricing = %q %v %v", m.PricingAttribute, m.Pricing, m.PricingRange)
	}
	// A zero budget is a budget (spend nothing), not a type error.
	dir = writeManifest(t, map[string]string{"main.ltx.hcl": "budget {\n  max_cost = 0\n}\npricing {\n  per_second = { \"1080p\" = 4 }\n}\nvideo \"v\" {\n  prompt = \"p\"\n}\n"})
	m = mustLoad(t, dir, LoadOptions{})
	if m.Budget == nil || m.Budget.MaxCost != 0 || m.Budget.WorstCase || m.PricingAttribute != "per_second" {
		t.Errorf("Budget = %+v, pricing attribute %q", m.Budget, m.PricingAttribute)
	}
}

func TestVideoProviderAttributes(t *testing.T) {
	image := []byte("\x89PNG fake first frame")
	dir := writeManifest(t, map[string]string{
		"main.ltx.hcl": `
variable "motion" {
  default   = "dolly_in"
  sensitive = true
}

defaults {
  model          = "ltx-2-3-fast"
  fps            = 25
  generate_audio = false
}

video "i2v" {
  prompt         = "p"
  image_file     = "./frames/../frames/first.png"
  last_frame_url = "https://cdn.test/last.png"
  camera_motion  = var.motion
  fps            = 50
}

video "t2v" {
  prompt = "q"
  model  = "ltx-2-3-pro"
}
`,
		"frames/first.png": string(image),
	})
	v := byAddress(mustLoad(t, dir, LoadOptions{}))
	i2v, t2v := v["video.i2v"], v["video.t2v"]
	sum := sha256.Sum256(image)
	if i2v.ImageFile != "frames/first.png" || i2v.ImageFileSHA256 != hex.EncodeToString(sum[:]) || i2v.ImageFileBytes != int64(len(image)) {
		t.Errorf("image file = %q %s %d", i2v.ImageFile, i2v.ImageFileSHA256, i2v.ImageFileBytes)
	}
	if i2v.Model != "ltx-2-3-fast" || i2v.FPS != 50 || i2v.GenerateAudio == nil || *i2v.GenerateAudio || i2v.CameraMotion != "dolly_in" || i2v.LastFrameURL != "https://cdn.test/last.png" {
		t.Errorf("i2v = %+v", i2v)
	}
	if t2v.Model != "ltx-2-3-pro" || t2v.FPS != 25 || t2v.ImageFile != "" {
		t.Errorf("t2v = %+v", t2v)
	}
	for name, line := range map[string]int{"image_file": 15, "last_frame_url": 16, "camera_motion": 17, "fps": 18, "model": 8, "generate_audio": 10} {
		if r := i2v.Ranges[name]; r.Start.Line != line {
			t.Errorf("Ranges[%s] line %d, want %d", name, r.Start.Line, line)
		}
	}
	if !i2v.Sensitive["camera_motion"] || i2v.Sensitive["image_file"] || t2v.Sensitive["model"] {
		t.Errorf("sensitive = %v / %v", i2v.Sensitive, t2v.Sensitive)
	}
}

// image_file reads through os.Root's confinement: a link out is refused
// like "..".
func TestImageFileThroughSymlinkOut(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "a.png"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": "video \"v\" {\n  prompt     = \"p\"\n  image_file = \"link/a.png\"\n}\n"})
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, diags := Load(dir, LoadOptions{})
	if len(diags) != 1 || diags[0].Summary != "Invalid image_file" || diags[0].Subject.Start.Line != 3 || !strings.Contains(diags[0].Detail, "outside the manifest directory") {
		t.Errorf("got %v", diags)
	}
}
