package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestLoadErrors loads each manifest under testdata/ and expects its first
// error with the summary, the file and line, and words of the detail.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		dir     string
		summary string
		file    string
		line    int
		detail  string
	}{
		{"unknown_attribute", "Unsupported argument", "main.ltx.hcl", 2, `Did you mean "prompt"?`},
		{"unknown_block", "Unsupported block type", "main.ltx.hcl", 1, `Did you mean "video"?`},
		{"missing_prompt", "Missing required argument", "main.ltx.hcl", 5, `"prompt" is required`},
		{"duplicate_address", "Duplicate video", "b.ltx.hcl", 3, "already declared at " + filepath.Join("testdata", "duplicate_address", "a.ltx.hcl") + ":1"},
		{"locals_cycle", "Cycle in locals", "main.ltx.hcl", 2, "local.a → local.b → local.a"},
		{"undefined_variable", "Reference to undeclared variable", "main.ltx.hcl", 6, `var.prodct. Did you mean "product"?`},
		{"undeclared_local", "Reference to undeclared local value", "main.ltx.hcl", 6, `local.shot. Did you mean "shots"?`},
		{"each_outside", `Reference to "each" without for_each`, "main.ltx.hcl", 2, "for_each"},
		{"output_escape", "Invalid output", "main.ltx.hcl", 3, "outside the manifest directory"},
		{"output_absolute", "Invalid output", "main.ltx.hcl", 4, "absolute path"},
		{"file_outside", "Invalid function argument", "main.ltx.hcl", 2, "outside the manifest directory"},
		{"duration_string", "Invalid duration", "main.ltx.hcl", 3, "must be a number, not a string. Write it without quotes, e.g. duration = 10. The API would refuse it with INVALID_DURATION"},
		{"count_and_for_each", `Invalid combination of "count" and "for_each"`, "main.ltx.hcl", 3, "not both"},
		{"duplicate_output", "Two videos write the same file", "main.ltx.hcl", 8, `video.a and video.b both write "out/same.mp4"`},
		{"for_each_list", "Invalid for_each argument", "main.ltx.hcl", 2, "toset"},
		{"required_variable", "No value for required variable", "main.ltx.hcl", 1, "LTX_VAR_product"},
		{"validation_fails", "Invalid value for variable", "main.ltx.hcl", 3, "Videos last at most 20 seconds."},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tt.dir)
			m, diags := Load(dir, LoadOptions{})
			if !diags.HasErrors() {
				t.Fatalf("no error; videos: %d", len(m.Videos))
			}
			// One mistake, one error: no cascade from values that failed
			// upstream. A misspelt prompt is also a missing one.
			wantErrs := 1
			if tt.dir == "unknown_attribute" {
				wantErrs = 2
			}
			if n := len(diags.Errs()); n != wantErrs {
				t.Errorf("%d errors, want %d: %s", n, wantErrs, diags.Error())
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if d.Summary != tt.summary {
				t.Errorf("summary = %q, want %q (all: %s)", d.Summary, tt.summary, diags.Error())
			}
			wantFile := filepath.Join(dir, tt.file)
			if d.Subject == nil || d.Subject.Filename != wantFile || d.Subject.Start.Line != tt.line {
				t.Errorf("subject = %v, want %s line %d", d.Subject, wantFile, tt.line)
			}
			if !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", d.Detail, tt.detail)
			}
			if m.Files[wantFile] == nil {
				t.Errorf("Files lacks %s, so the diagnostic cannot show its source", wantFile)
			}
		})
	}
}

// writeManifest writes files (name → content) into a fresh directory.
func writeManifest(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLoad(t *testing.T, dir string, opts LoadOptions) *Manifest {
	t.Helper()
	m, diags := Load(dir, opts)
	if diags.HasErrors() {
		t.Fatalf("Load: %s", diags.Error())
	}
	return m
}

func byAddress(m *Manifest) map[string]*Video {
	out := map[string]*Video{}
	for _, v := range m.Videos {
		out[v.Address] = v
	}
	return out
}

func TestExpansion(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
locals {
  shots = { unboxing = "Unboxing", "close up/2" = "Close" }
}

defaults {
  resolution = "4K"
}

video "shot" {
  for_each = local.shots
  prompt   = "${each.value} (${each.key})"
  duration = 10
}

video "tag" {
  for_each = toset(["red", "blue"])
  prompt   = each.key
}

video "take" {
  count  = 2
  prompt = "take ${count.index}"
  seed   = count.index + 7
}

video "none" {
  count  = 0
  prompt = "never"
}

video "hero" {
  prompt     = "Hero"
  resolution = "1080p"
  output     = "renders/./hero.mp4"
}
`})
	m := mustLoad(t, dir, LoadOptions{})
	var addrs []string
	for _, v := range m.Videos {
		addrs = append(addrs, v.Address)
	}
	want := []string{`video.hero`, `video.shot["close up/2"]`, `video.shot["unboxing"]`, `video.tag["blue"]`, `video.tag["red"]`, `video.take[0]`, `video.take[1]`}
	if strings.Join(addrs, " ") != strings.Join(want, " ") {
		t.Fatalf("addresses = %q, want %q", addrs, want)
	}
	v := byAddress(m)
	checks := []struct {
		addr, prompt, resolution, output string
		duration                         float64
	}{
		{`video.shot["close up/2"]`, "Close (close up/2)", "4K", "out/shot/close_up_2.mp4", 10},
		{`video.shot["unboxing"]`, "Unboxing (unboxing)", "4K", "out/shot/unboxing.mp4", 10},
		{`video.tag["red"]`, "red", "4K", "out/tag/red.mp4", 8},
		{`video.take[1]`, "take 1", "4K", "out/take/1.mp4", 8},
		{`video.hero`, "Hero", "1080p", "renders/hero.mp4", 8},
	}
	for _, c := range checks {
		got := v[c.addr]
		if got.Prompt != c.prompt || got.Resolution != c.resolution || got.Output != c.output || got.Duration != c.duration {
			t.Errorf("%s = {%q %q %q %v}, want {%q %q %q %v}", c.addr, got.Prompt, got.Resolution, got.Output, got.Duration,
				c.prompt, c.resolution, c.output, c.duration)
		}
	}
	if s := v[`video.take[1]`].Seed; s == nil || *s != 8 {
		t.Errorf("seed of take[1] = %v, want 8", s)
	}
	if v[`video.shot["unboxing"]`].Key != "unboxing" || v[`video.take[0]`].Key != "0" || v[`video.hero`].Key != "" {
		t.Errorf("keys: %q %q %q", v[`video.shot["unboxing"]`].Key, v[`video.take[0]`].Key, v[`video.hero`].Key)
	}

	// Ranges: the attribute in the block, the defaults block's attribute, or
	// the block header for a built-in default.
	shot := v[`video.shot["unboxing"]`]
	if r := shot.Ranges["prompt"]; r.Start.Line != 12 {
		t.Errorf("prompt range line = %d, want 12", r.Start.Line)
	}
	if r := shot.Ranges["resolution"]; r.Start.Line != 7 {
		t.Errorf("resolution (from defaults) range line = %d, want 7", r.Start.Line)
	}
	if r := v[`video.tag["red"]`].Ranges["duration"]; r != v[`video.tag["red"]`].DeclRange || r.Start.Line != 16 {
		t.Errorf("built-in duration range = %v, want the block header at line 16", r)
	}
}

func TestVariablePrecedence(t *testing.T) {
	files := map[string]string{
		"main.ltx.hcl": `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }

video "v" {
  prompt = join(",", [var.a, var.b, var.c, var.d, var.e])
}
`,
		"1.auto.ltxvars.hcl": "c = \"auto1\"\nd = \"auto1\"\ne = \"auto1\"\n",
		"2.auto.ltxvars.hcl": "d = \"auto2\"\ne = \"auto2\"\n",
		"extra.ltxvars.hcl":  "e = \"file\"\n",
	}
	dir := writeManifest(t, files)
	env := []string{"LTX_VAR_b=env", "LTX_VAR_c=env", "LTX_VAR_d=env", "LTX_VAR_e=env", "OTHER=x"}

	// default < environment < auto files (sorted) < flags in order.
	m := mustLoad(t, dir, LoadOptions{Environ: env})
	if got := m.Videos[0].Prompt; got != "default,env,auto1,auto2,auto2" {
		t.Errorf("without flags: %q", got)
	}
	varFile := filepath.Join(dir, "extra.ltxvars.hcl")
	m = mustLoad(t, dir, LoadOptions{Environ: env, Flags: []VarFlag{{Value: "e=flag"}, {File: true, Value: varFile}}})
	if got := m.Videos[0].Prompt; got != "default,env,auto1,auto2,file" {
		t.Errorf("-var then -var-file: %q (the later flag wins)", got)
	}
	m = mustLoad(t, dir, LoadOptions{Environ: env, Flags: []VarFlag{{File: true, Value: varFile}, {Value: "e=flag"}}})
	if got := m.Videos[0].Prompt; got != "default,env,auto1,auto2,flag" {
		t.Errorf("-var-file then -var: %q", got)
	}
}

func TestVariableTypes(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
variable "seconds" {
  type    = number
  default = 8
}
variable "names" {
  type    = list(string)
  default = []
}
variable "label" {
  type    = string
  default = ""
}

video "v" {
  for_each = toset(var.names)
  prompt   = "${each.key} ${var.label}"
  duration = var.seconds
}
`})
	// Non-string variables parse -var values as HCL; strings take them literally.
	m := mustLoad(t, dir, LoadOptions{Flags: []VarFlag{{Value: "seconds=12"}, {Value: `names=["x","y"]`}, {Value: `label=["not", "parsed"]`}}})
	if len(m.Videos) != 2 || m.Videos[0].Duration != 12 || m.Videos[0].Prompt != `x ["not", "parsed"]` {
		t.Fatalf("videos = %+v", m.Videos)
	}
	_, diags := Load(dir, LoadOptions{Flags: []VarFlag{{Value: "seconds=ten"}}})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "var.seconds") {
		t.Errorf("seconds=ten: %v", diags)
	}
	_, diags = Load(dir, LoadOptions{Flags: []VarFlag{{Value: "nope=1"}}})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Value for undeclared variable") {
		t.Errorf("undeclared -var: %v", diags)
	}
	_, diags = Load(dir, LoadOptions{Flags: []VarFlag{{Value: "seconds"}}})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "NAME=VALUE") {
		t.Errorf("-var without '=': %v", diags)
	}
}

// TestSensitiveValuesStayHidden: HCL's writer prints the values an
// expression used ("with var.x as ..."); a sensitive variable must not show.
func TestSensitiveValuesStayHidden(t *testing.T) {
	const secret = "s3cr3t-token-value"
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
variable "token" {
  type      = string
  sensitive = true
}

video "v" {
  prompt = file(var.token)
}
`})
	m, diags := Load(dir, LoadOptions{Environ: []string{"LTX_VAR_token=" + secret}})
	if !diags.HasErrors() {
		t.Fatal("want the file() error")
	}
	var buf bytes.Buffer
	_ = hcl.NewDiagnosticTextWriter(&buf, m.Files, 100, false).WriteDiagnostics(diags)
	if strings.Contains(buf.String(), secret) {
		t.Errorf("the sensitive value reached the diagnostics:\n%s", buf.String())
	}
}

func TestFunctions(t *testing.T) {
	dir := writeManifest(t, map[string]string{
		"main.ltx.hcl": `
locals {
  names = ["b", "a"]
}

video "v" {
  prompt = format("%s|%s|%s|%d", upper("x"), join("-", sort(local.names)), trimspace(file("prompts/p.txt")), length(local.names))
}

video "t" {
  prompt = templatefile("prompts/t.tmpl", { product = "lamp" })
}
`,
		"prompts/p.txt":   "  from a file \n",
		"prompts/t.tmpl":  "Unboxing ${upper(product)}",
		"outside/ignored": "",
	})
	m := mustLoad(t, dir, LoadOptions{})
	v := byAddress(m)
	if got := v["video.v"].Prompt; got != "X|a-b|from a file|2" {
		t.Errorf("prompt = %q", got)
	}
	if got := v["video.t"].Prompt; got != "Unboxing LAMP" {
		t.Errorf("templatefile prompt = %q", got)
	}
}

func TestFileRefusesEscapes(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]string{
		"dotdot":   `file("../x.txt")`,
		"absolute": `file("` + filepath.ToSlash(filepath.Join(outside, "secret.txt")) + `")`,
		"symlink":  `file("link/secret.txt")`,
		"template": `templatefile("../x.tmpl", {})`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{"main.ltx.hcl": "video \"v\" {\n  prompt = " + call + "\n}\n"})
			if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
				t.Skip("no symlinks here:", err)
			}
			_, diags := Load(dir, LoadOptions{})
			if !diags.HasErrors() {
				t.Fatal("file outside the directory was read")
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if d.Subject == nil || d.Subject.Start.Line != 2 || !strings.Contains(d.Detail, "outside the manifest directory") {
				t.Errorf("got %s at %v", d.Detail, d.Subject)
			}
		})
	}
}

func TestSettingsBlocks(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
api {
  base_url    = "https://example.test"
  parallelism = 3
}

budget {
  max_credits = 500
}

pricing {
  credits_per_second = { "1080p" = 2, "4K" = 10 }
}

video "v" {
  prompt = "p"
}
`})
	m := mustLoad(t, dir, LoadOptions{})
	if a := m.API; a.BaseURL != "https://example.test" || a.RequestsPerMinute != 120 || a.Parallelism != 3 || a.MaxAttempts != 5 ||
		a.Provider != "" || a.MaxConcurrentTasks != 0 || a.TaskTimeout != 0 || a.IdempotencyKey != nil {
		t.Errorf("API = %+v", m.API)
	}
	if m.Budget == nil || m.Budget.MaxCost != 500 || m.Budget.Attribute != "max_credits" || m.Budget.Range.Start.Line != 8 {
		t.Errorf("Budget = %+v", m.Budget)
	}
	if len(m.Pricing) != 2 || m.Pricing["4K"] != 10 {
		t.Errorf("Pricing = %v", m.Pricing)
	}
	if !filepath.IsAbs(m.Dir) {
		t.Errorf("Dir %q is not absolute", m.Dir)
	}
}

func TestJSONManifest(t *testing.T) {
	dir := writeManifest(t, map[string]string{
		"a.ltx.json": `{"video": {"j": {"prompt": "from ${upper(\"json\")}", "duration": 10}}}`,
		"b.ltx.hcl":  "video \"h\" {\n  prompt = \"native\"\n}\n",
	})
	v := byAddress(mustLoad(t, dir, LoadOptions{}))
	if v["video.j"] == nil || v["video.j"].Prompt != "from JSON" || v["video.j"].Duration != 10 || v["video.h"] == nil {
		t.Errorf("videos = %v", v)
	}
}

func TestNoManifest(t *testing.T) {
	m, diags := Load(t.TempDir(), LoadOptions{})
	if !diags.HasErrors() || diags[0].Summary != "No manifest files" || m.Files == nil {
		t.Errorf("got %v", diags)
	}
}

func TestInvalidSettings(t *testing.T) {
	for name, tt := range map[string]struct{ src, summary string }{
		"base_url":    {"api {\n  base_url = \"api.example.com\"\n}\n", "Invalid base_url"},
		"parallelism": {"api {\n  parallelism = 0\n}\n", "Invalid parallelism"},
		"budget":      {"budget {\n  max_credits = \"100\"\n}\n", "Invalid max_credits"},
		"twice":       {"budget {\n  max_credits = 1\n}\nbudget {\n  max_credits = 2\n}\n", "Duplicate budget block"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{"main.ltx.hcl": tt.src + "video \"v\" {\n  prompt = \"p\"\n}\n"})
			_, diags := Load(dir, LoadOptions{})
			if !diags.HasErrors() || diags[0].Summary != tt.summary || diags[0].Subject == nil {
				t.Errorf("got %v, want %q with a range", diags, tt.summary)
			}
		})
	}
}

func TestSensitiveMarks(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
variable "names" {
  type      = set(string)
  default   = ["a", "b"]
  sensitive = true
}

variable "word" {
  type      = string
  default   = "secretword"
  sensitive = true
}

locals {
  joined = join(",", [for w in [var.word, "x"] : upper(w)])
}

video "plain" {
  prompt = strlen(var.word) > 3 ? "long" : "short"
}

video "marked" {
  prompt = local.joined
}

video "keys" {
  for_each = var.names
  prompt   = each.value
}
`})
	m, diags := Load(dir, LoadOptions{})
	if len(diags) != 1 || diags[0].Summary != "Invalid for_each argument" || !strings.Contains(diags[0].Detail, "sensitive") {
		t.Fatalf("diags = %v, want only the sensitive for_each refusal", diags)
	}
	v := byAddress(m)
	if v["video.marked"] == nil || v["video.marked"].Prompt != "SECRETWORD,X" || !v["video.marked"].Sensitive["prompt"] {
		t.Errorf("marked = %+v", v["video.marked"])
	}
	if p := v["video.plain"]; p == nil || p.Prompt != "long" {
		t.Errorf("plain = %+v", p)
	}
}

func TestOutputThroughSymlink(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": "video \"v\" {\n  prompt = \"p\"\n}\n\nvideo \"w\" {\n  prompt = \"p\"\n  output = \"inside/w.mp4\"\n}\n"})
	if err := os.Mkdir(filepath.Join(dir, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "out")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, diags := Load(dir, LoadOptions{})
	if len(diags) != 1 || diags[0].Summary != "Invalid output" || !strings.Contains(diags[0].Detail, "video.v") || diags[0].Subject.Start.Line != 1 {
		t.Errorf("got %v, want one refusal of video.v's default output at its block", diags)
	}
}

// TestOutputFileThatIsALinkOut: the directory is inside, but the file
// already there is a link to a file outside; writing it would write there.
func TestOutputFileThatIsALinkOut(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": "video \"v\" {\n  prompt = \"p\"\n}\n\nvideo \"w\" {\n  prompt = \"p\"\n}\n"})
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "v.mp4")
	if err := os.WriteFile(outside, []byte("someone else's video"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out", "v.mp4")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, diags := Load(dir, LoadOptions{})
	if len(diags) != 1 || diags[0].Summary != "Invalid output" || !strings.Contains(diags[0].Detail, "video.v") {
		t.Errorf("got %v, want one refusal, of video.v's output", diags)
	}
}

func TestWarnings(t *testing.T) {
	dir := writeManifest(t, map[string]string{
		"main.ltx.hcl":          "variable \"product\" {\n  default = \"x\"\n}\n\nvideo \"v\" {\n  prompt = var.product\n  output = \"out/v.mov\"\n}\n",
		"typo.auto.ltxvars.hcl": "prodcut = \"lamp\"\n",
	})
	m, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() || len(m.Videos) != 1 {
		t.Fatalf("warnings must not stop the load: %v", diags)
	}
	want := map[string]string{
		"Output is not an .mp4 file":    "main.ltx.hcl",
		"Value for undeclared variable": "typo.auto.ltxvars.hcl",
	}
	for _, d := range diags {
		file, ok := want[d.Summary]
		if !ok || d.Severity != hcl.DiagWarning || d.Subject == nil || filepath.Base(d.Subject.Filename) != file {
			t.Errorf("unexpected %v", d)
			continue
		}
		if d.Summary == "Value for undeclared variable" && !strings.Contains(d.Detail, `Did you mean "product"?`) {
			t.Errorf("no suggestion in %q", d.Detail)
		}
		delete(want, d.Summary)
	}
	if len(want) > 0 {
		t.Errorf("missing warnings: %v", want)
	}
}
