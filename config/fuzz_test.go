package config

import (
	"os"
	"path/filepath"
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
