package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// oneError loads dir and expects exactly one error, at file:line, whose
// detail holds every one of words.
func oneError(t *testing.T, dir string, opts LoadOptions, summary, file string, line int, words ...string) {
	t.Helper()
	_, diags := Load(dir, opts)
	errs := diags.Errs()
	if len(errs) != 1 {
		t.Fatalf("%d errors, want 1: %v", len(errs), diags)
	}
	d := errs[0].(*hcl.Diagnostic)
	if d.Summary != summary || d.Subject == nil || filepath.Base(d.Subject.Filename) != file || d.Subject.Start.Line != line {
		t.Errorf("got %q at %v (%s), want %q at %s line %d", d.Summary, d.Subject, d.Detail, summary, file, line)
	}
	for _, w := range words {
		if !strings.Contains(d.Detail, w) {
			t.Errorf("detail %q lacks %q", d.Detail, w)
		}
	}
}

// An output may not overwrite what the manifest is made of (issue 14.1).
func TestOutputSparesInputs(t *testing.T) {
	tests := []struct {
		name, output string
		words        []string
	}{
		{"journal", ".ltxform/journal.jsonl", []string{"video.v", ".ltxform/"}},
		{"state dir", ".ltxform", []string{".ltxform/"}},
		{"manifest", "main.ltx.hcl", []string{"main.ltx.hcl", "a manifest file"}},
		{"manifest in other case", "MAIN.LTX.HCL", []string{"MAIN.LTX.HCL", "a manifest file"}},
		{"json manifest name", "sub/x.ltx.json", []string{"*.ltx.json"}},
		{"auto vars", "prod.auto.ltxvars.hcl", []string{"prod.auto.ltxvars.hcl"}},
		{"var file", "vars/extra.hcl", []string{"vars/extra.hcl", "-var-file"}},
		{"file()", "prompts/hero.txt", []string{"prompts/hero.txt", "file() or templatefile()"}},
		{"templatefile()", "prompts/t.tmpl", []string{"prompts/t.tmpl", "file() or templatefile()"}},
		{"file() through a cleaned path", "prompts/../prompts/hero.txt", []string{"prompts/hero.txt"}},
		{"directory of a read file", "prompts", []string{"the directory holding prompts/hero.txt"}},
		{"image_file", "frames/first.png", []string{"frames/first.png", "an image_file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, map[string]string{
				"main.ltx.hcl": `
video "v" {
  prompt = file("prompts/hero.txt")
  output = "` + tt.output + `"
}

video "w" {
  prompt     = templatefile("prompts/t.tmpl", {})
  image_file = "frames/first.png"
}
`,
				"prompts/hero.txt": "hero", "prompts/t.tmpl": "t", "frames/first.png": "png", "vars/extra.hcl": "",
			})
			oneError(t, dir, LoadOptions{Flags: []VarFlag{{File: true, Value: filepath.Join(dir, "vars", "extra.hcl")}}}, "Invalid output", "main.ltx.hcl", 4, tt.words...)
		})
	}
}

// A file read through a link protects the link's target too.
func TestOutputSparesTargetOfReadLink(t *testing.T) {
	dir := writeManifest(t, map[string]string{
		"main.ltx.hcl":     "video \"v\" {\n  prompt = file(\"hero.txt\")\n  output = \"prompts/real.txt\"\n}\n",
		"prompts/real.txt": "hero",
	})
	if err := os.Symlink(filepath.Join("prompts", "real.txt"), filepath.Join(dir, "hero.txt")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	oneError(t, dir, LoadOptions{}, "Invalid output", "main.ltx.hcl", 3, "prompts/real.txt")
}

// issue 14.2: one path cannot be a file and a directory.
func TestOutputIsDirectoryOfAnother(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
video "a" {
  prompt = "a"
  output = "out/shots"
}

video "b" {
  prompt = "b"
  output = "out/./shots/b.mp4"
}
`})
	oneError(t, dir, LoadOptions{}, "An output is the directory of another", "main.ltx.hcl", 4, "video.a", "video.b", `"out/shots"`, `"out/shots/b.mp4"`)

	dir = writeManifest(t, map[string]string{"main.ltx.hcl": "video \"a\" {\n  prompt = \"a\"\n  output = \"out//a.mp4\"\n}\n\nvideo \"b\" {\n  prompt = \"b\"\n  output = \"./out/a.mp4\"\n}\n"})
	oneError(t, dir, LoadOptions{}, "Two videos write the same file", "main.ltx.hcl", 8, "video.a and video.b")
}

// issue 14.3: a URL is not a path (it made a local "s3:" directory).
func TestOutputURL(t *testing.T) {
	for _, u := range []string{"s3://bucket/a.mp4", "https://cdn.test/a.mp4", "file:///tmp/a.mp4"} {
		dir := writeManifest(t, map[string]string{"main.ltx.hcl": "video \"v\" {\n  prompt = \"p\"\n  output = \"" + u + "\"\n}\n"})
		oneError(t, dir, LoadOptions{}, "Invalid output", "main.ltx.hcl", 3, "is a URL", u)
	}
}

// issue 14.7: output paths are printed and stored.
func TestOutputSensitive(t *testing.T) {
	dir := writeManifest(t, map[string]string{"main.ltx.hcl": `
variable "client" {
  default   = "secret-client-name"
  sensitive = true
}

video "v" {
  prompt = "p"
  output = "out/${var.client}.mp4"
}
`})
	oneError(t, dir, LoadOptions{}, "Invalid output", "main.ltx.hcl", 9, "sensitive")
	_, diags := Load(dir, LoadOptions{})
	if strings.Contains(diags.Error(), "secret-client-name") {
		t.Errorf("the value leaked: %s", diags.Error())
	}
}

// issue 14.4: a file nested 100,000 deep crashed the process with a stack
// overflow; now it is one error at its file and line, for every kind of
// file the loader parses.
func TestDeepNestingRefused(t *testing.T) {
	deep := func(open, close string) string {
		return strings.Repeat(open, 100000) + "1" + strings.Repeat(close, 100000)
	}
	video := "video \"v\" {\n  prompt = \"p\"\n}\n"
	tests := []struct {
		name  string
		files map[string]string
		file  string
		line  int
		opts  func(dir string) LoadOptions
	}{
		{"native parens", map[string]string{"main.ltx.hcl": "locals {\n  x = " + deep("(", ")") + "\n}\n" + video}, "main.ltx.hcl", 2, nil},
		{"native brackets", map[string]string{"main.ltx.hcl": video + "locals {\n  x = " + deep("[", "]") + "\n}\n"}, "main.ltx.hcl", 5, nil},
		{"interpolations", map[string]string{"main.ltx.hcl": "locals {\n  x = " + strings.Repeat(`"${`, 50000) + "1" + strings.Repeat(`}"`, 50000) + "\n}\n" + video}, "main.ltx.hcl", 2, nil},
		{"unary", map[string]string{"main.ltx.hcl": "locals {\n  x = " + strings.Repeat("!", 1000000) + "true\n}\n" + video}, "main.ltx.hcl", 2, nil},
		{"operators", map[string]string{"main.ltx.hcl": "locals {\n  x = 1" + strings.Repeat("+1", 1000000) + "\n}\n" + video}, "main.ltx.hcl", 2, nil},
		{"json", map[string]string{"main.ltx.json": `{"locals": {"x": ` + deep("[", "]") + `}}`, "v.ltx.hcl": video}, "main.ltx.json", 1, nil},
		{"json interpolation", map[string]string{"main.ltx.json": `{"locals": {"x": "${` + deep("(", ")") + `}"}}`, "v.ltx.hcl": video}, "main.ltx.json", 1, nil},
		{"auto vars", map[string]string{"main.ltx.hcl": video, "a.auto.ltxvars.hcl": "\nx = " + deep("(", ")") + "\n"}, "a.auto.ltxvars.hcl", 2, nil},
		{"var file", map[string]string{"main.ltx.hcl": video, "deep.hcl": "x = " + deep("{a=", "}")}, "deep.hcl", 1,
			func(dir string) LoadOptions {
				return LoadOptions{Flags: []VarFlag{{File: true, Value: filepath.Join(dir, "deep.hcl")}}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeManifest(t, tt.files)
			opts := LoadOptions{}
			if tt.opts != nil {
				opts = tt.opts(dir)
			}
			oneError(t, dir, opts, "Nesting too deep", tt.file, tt.line, "256")
			if !strings.HasSuffix(tt.file, NativeSuffix) && !strings.HasSuffix(tt.file, JSONSuffix) {
				return
			}
			// Commands read the backend block before the manifest (apply
			// did, and crashed here): the same error, not a stack overflow.
			_, _, diags := LoadBackend(dir)
			if errs := diags.Errs(); len(errs) != 1 || errs[0].(*hcl.Diagnostic).Summary != "Nesting too deep" {
				t.Errorf("LoadBackend: %v, want one \"Nesting too deep\"", diags)
			}
		})
	}
}

// Plain text with unmatched brackets, and reasonable nesting, still load.
func TestNestingWithinBoundsLoads(t *testing.T) {
	var prompts strings.Builder
	for i := 0; i < 400; i++ {
		prompts.WriteString("video \"v" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\" {\n  prompt = \"sad face :( [draft ${1 + 1} {\"\n}\n")
	}
	dir := writeManifest(t, map[string]string{
		"main.ltx.hcl": prompts.String() + "locals {\n  x = " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + "\n  h = <<-EOT\n    ((( ${upper(\"a\")} [[[\n    EOT\n}\n",
		"j.ltx.json":   `{"video": {"j": {"prompt": "json :( [[[ ${upper(\"x\")}"}}}`,
	})
	m := mustLoad(t, dir, LoadOptions{})
	if len(m.Videos) != 401 {
		t.Errorf("%d videos, want 401", len(m.Videos))
	}
}

func TestSourceTooLarge(t *testing.T) {
	dir := writeManifest(t, map[string]string{
		"main.ltx.hcl": "video \"v\" {\n  prompt = \"p\"\n}\n",
		"big.ltx.hcl":  "# " + strings.Repeat("x", MaxSourceBytes),
	})
	oneError(t, dir, LoadOptions{}, "File too large", "big.ltx.hcl", 1, "8 MiB")
}

// issue 14.5: file() on a named pipe blocked the load for ever; on a
// directory it failed obscurely.
func TestFileRefusesNonRegular(t *testing.T) {
	for _, fn := range []string{`file("%s")`, `templatefile("%s", {})`} {
		dir := writeManifest(t, map[string]string{"prompts/ok.txt": "ok"})
		pipe := filepath.Join(dir, "prompts", "pipe")
		if runtime.GOOS == "windows" {
			t.Skip("no named pipes in the file system here")
		}
		if err := syscall.Mkfifo(pipe, 0o600); err != nil {
			t.Skip("cannot make a named pipe:", err)
		}
		for name, want := range map[string]string{"prompts/pipe": "a named pipe", "prompts": "a directory"} {
			call := strings.Replace(fn, "%s", name, 1)
			if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte("video \"v\" {\n  prompt = "+call+"\n}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			oneError(t, dir, LoadOptions{}, "Invalid function argument", "main.ltx.hcl", 2, want, "regular file")
		}
	}
}

// issue 14.6: a prompt that is not valid UTF-8 or holds NUL is refused,
// with the byte offset, rather than sent altered.
func TestPromptBytes(t *testing.T) {
	dir := writeManifest(t, map[string]string{
		"main.ltx.hcl":   "video \"v\" {\n  prompt = file(\"p.txt\")\n}\n",
		"p.txt":          "café \xff\xfe latte",
		"other.ltx.hcl":  "video \"n\" {\n  prompt = \"before\\u0000after\"\n}\n",
		"prompts/ok.txt": "ok",
	})
	_, diags := Load(dir, LoadOptions{})
	var got []string
	for _, d := range diags.Errs() {
		d := d.(*hcl.Diagnostic)
		got = append(got, filepath.Base(d.Subject.Filename)+":"+string(rune('0'+d.Subject.Start.Line))+" "+d.Detail)
	}
	if len(got) != 2 || !strings.Contains(got[0], "main.ltx.hcl:2") || !strings.Contains(got[0], "not valid UTF-8") || !strings.Contains(got[0], "byte offset 6") ||
		!strings.Contains(got[1], "other.ltx.hcl:2") || !strings.Contains(got[1], "NUL") || !strings.Contains(got[1], "byte offset 6") {
		t.Errorf("got %q", got)
	}
}
