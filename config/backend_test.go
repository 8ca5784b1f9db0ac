package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeBackendManifest(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const backendTestVideo = `
video "a" {
  prompt = "a cat"
}
`

func TestLoadBackend(t *testing.T) {
	dir := writeBackendManifest(t, map[string]string{"main.ltx.hcl": backendTestVideo + `
backend "pg" {
  workspace = "nightly"
  conn_str  = "postgres://ltx@db.internal/shots"
}
`})
	be, _, diags := LoadBackend(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if be == nil || be.Type != "pg" || be.SchemaName != "ltxform" || be.Workspace != "nightly" || be.ConnStr != "postgres://ltx@db.internal/shots" {
		t.Fatalf("backend = %+v", be)
	}
	// The full load accepts the block too.
	if _, diags := Load(dir, LoadOptions{}); diags.HasErrors() {
		t.Fatalf("Load of a manifest with a backend block: %v", diags)
	}
}

func TestNoBackendIsLocal(t *testing.T) {
	be, _, diags := LoadBackend(writeBackendManifest(t, map[string]string{"main.ltx.hcl": backendTestVideo}))
	if be != nil || diags.HasErrors() {
		t.Fatalf("LoadBackend without a block = %+v, %v; want nil", be, diags)
	}
}

func TestBackendErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown type", `backend "s3" {}`, `main.ltx.hcl:1,9-13: Unsupported backend type`},
		{"unknown attribute", `backend "pg" { bucket = "x" }`, `Unsupported argument`},
		{"variable", `backend "pg" { workspace = var.ws }`, `main.ltx.hcl:1,28-34: Backend settings are literals`},
		{"bad schema", `backend "pg" { schema_name = "Robert'); DROP" }`, `Invalid schema_name`},
		{"bad workspace", `backend "pg" { workspace = "../x" }`, `Invalid workspace`},
		{"password in URL", `backend "pg" { conn_str = "postgres://ltx:hunter2@db/shots" }`, `main.ltx.hcl:1,16-24: conn_str holds a password`},
		{"password in pairs", `backend "pg" { conn_str = "host=db password=hunter2" }`, `conn_str holds a password`},
		{"two blocks", "backend \"pg\" {}\nbackend \"pg\" {}", `main.ltx.hcl:2,1-13: Duplicate backend block`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeBackendManifest(t, map[string]string{"main.ltx.hcl": tc.text + "\n" + backendTestVideo})
			_, _, diags := LoadBackend(dir)
			got := diags.Error()
			if !strings.Contains(got, tc.want) {
				t.Fatalf("diagnostics %q do not contain %q", got, tc.want)
			}
			if strings.Contains(got, "hunter2") {
				t.Fatalf("diagnostics %q show the password", got)
			}
		})
	}
}
