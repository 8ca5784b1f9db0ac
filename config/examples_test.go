package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/plan"
)

// TestExamples loads every example with the API limits checked, expects no
// diagnostic at all, and expects the files to be in canonical format.
func TestExamples(t *testing.T) {
	for _, name := range []string{"quickstart", "campaign", "lightricks", "ltx2api", "fal", "replicate"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "examples", name)
			m, diags := config.Load(dir, config.LoadOptions{})
			diags = append(diags, plan.CheckManifest(m, time.Now())...)
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %s", diags.Error())
			}
			if len(m.Videos) < 2 {
				t.Errorf("%d videos, want several", len(m.Videos))
			}
			if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
				t.Error(err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
			for _, f := range files {
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if string(hclwrite.Format(src)) != string(src) {
					t.Errorf("%s is not formatted; run ltxform fmt", f)
				}
			}
		})
	}
}

// TestExampleScriptCopies keeps the copies of the examples embedded in the
// CLI script identical to examples/.
func TestExampleScriptCopies(t *testing.T) {
	script := filepath.Join("..", "testdata", "script", "validate_examples.txtar")
	ar, err := txtar.ParseFile(script)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "examples/") {
			continue
		}
		seen[f.Name] = true
		if ext := filepath.Ext(f.Name); ext == ".png" || ext == ".jpg" || ext == ".webp" {
			continue
		}
		want, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(f.Name)))
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if string(want) != string(f.Data) {
			t.Errorf("%s differs from its copy in %s", f.Name, script)
		}
	}
	_ = filepath.WalkDir(filepath.Join("..", "examples"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Only the inputs: apply leaves out/ and .ltxform/ behind.
		if d.IsDir() && (d.Name() == "out" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() == "README.md" || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if ext := filepath.Ext(d.Name()); ext == ".png" || ext == ".jpg" || ext == ".webp" {
			return nil // pictures: the script has a stand-in of its own
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, ".."+string(filepath.Separator)))
		if !seen[rel] {
			t.Errorf("%s has no copy in %s", rel, script)
		}
		return nil
	})
}
