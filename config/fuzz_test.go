package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary text to the loader as a manifest: whatever it
// is, Load must return (diagnostics, not a panic) with Files filled.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*", "*.ltx.hcl"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`video "a" { for_each = { x = 1 } prompt = each.value }`))
	f.Add([]byte(`locals { a = local.a }`))
	f.Add([]byte(`variable "v" { type = map(list(number)) default = { a = [1] } }`))
	f.Add([]byte(`video "c" { count = -1 prompt = "${count.index}" }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		m, _ := Load(dir, LoadOptions{})
		if m == nil || m.Files == nil {
			t.Fatal("Load returned no manifest or no files")
		}
		for _, v := range m.Videos {
			if v.Address == "" || v.Ranges == nil {
				t.Fatalf("video without address or ranges: %+v", v)
			}
		}
	})
}

// fuzzMaxSourceBytes stands for MaxSourceBytes while fuzzing.
const fuzzMaxSourceBytes = 64 << 10

// FuzzLoadBounded writes the input as one of the four kinds of file the
// loader parses and loads it: whatever its depth or size, Load must answer
// with diagnostics, never a stack overflow. Its corpus is in
// testdata/fuzz/FuzzLoadBounded; the seeds below add the deep and large
// inputs too long to keep there (TestDeepNestingRefused has 100,000 levels). The size bound is lowered to 64 KiB while it
// runs, so that a mutated input can cross it.
func FuzzLoadBounded(f *testing.F) {
	f.Add(uint8(0), []byte("locals {\n  x = "+strings.Repeat("(", 2000)+"\n}\n"))
	f.Add(uint8(1), []byte(`{"locals": {"x": `+strings.Repeat("[", 2000)+`}}`))
	f.Add(uint8(2), []byte("x = "+strings.Repeat(`"${`, 1000)))
	f.Add(uint8(3), []byte("x = "+strings.Repeat("{a=", 1000)))
	f.Add(uint8(0), []byte("locals {\n  x = <<EOT\n"+strings.Repeat("%{if true}", 1000)+"\nEOT\n}\n"))
	f.Add(uint8(0), []byte("# "+strings.Repeat("x", fuzzMaxSourceBytes)))
	saved := maxSourceBytes
	maxSourceBytes = fuzzMaxSourceBytes // reach the size bound cheaply
	f.Cleanup(func() { maxSourceBytes = saved })
	names := []string{"main.ltx.hcl", "main.ltx.json", "a.auto.ltxvars.hcl", "vars.hcl"}
	f.Fuzz(func(t *testing.T, kind uint8, src []byte) {
		dir := t.TempDir()
		name := names[int(kind)%len(names)]
		files := map[string][]byte{name: src}
		if name != "main.ltx.hcl" && name != "main.ltx.json" {
			files["main.ltx.hcl"] = []byte("variable \"x\" {\n  default = 1\n}\nvideo \"v\" {\n  prompt = \"p\"\n}\n")
		}
		for n, b := range files {
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		opts := LoadOptions{}
		if name == "vars.hcl" {
			opts.Flags = []VarFlag{{File: true, Value: filepath.Join(dir, name)}}
		}
		m, diags := Load(dir, opts)
		if m == nil || m.Files == nil {
			t.Fatal("Load returned no manifest or no files")
		}
		if len(src) > fuzzMaxSourceBytes && !diags.HasErrors() {
			t.Fatalf("a file of %d bytes was accepted", len(src))
		}
	})
}
