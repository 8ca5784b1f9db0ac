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

func TestLoadS3Backend(t *testing.T) {
	dir := writeBackendManifest(t, map[string]string{"main.ltx.hcl": backendTestVideo + `
backend "s3" {
  bucket     = "team-state"
  key        = "shots/launch"
  workspace  = "nightly"
  region     = "eu-west-1"
  endpoint   = "http://127.0.0.1:7070"
  path_style = true
}
`})
	be, _, diags := LoadBackend(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := Backend{Type: "s3", SchemaName: "ltxform", Workspace: "nightly", Bucket: "team-state", Key: "shots/launch",
		Region: "eu-west-1", Endpoint: "http://127.0.0.1:7070", PathStyle: true}
	if be == nil {
		t.Fatal("no backend")
	}
	got := *be
	got.DeclRange = want.DeclRange
	if got != want {
		t.Fatalf("backend = %+v\nwant %+v", got, want)
	}
	if _, diags := Load(dir, LoadOptions{}); diags.HasErrors() {
		t.Fatalf("Load of a manifest with a backend \"s3\" block: %v", diags)
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
		{"unknown type", `backend "gcs" {}`, `main.ltx.hcl:1,9-14: Unsupported backend type`},
		{"s3 without a bucket", `backend "s3" { key = "x" }`, `Missing required argument`},
		{"s3 path_style a string", `backend "s3" {
  bucket     = "b"
  path_style = "yes"
}`, `path_style must be a bool`},
		{"s3 endpoint not a URL", `backend "s3" {
  bucket   = "b"
  endpoint = "minio:9000"
}`, `must be a URL`},
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

func TestLtxformWorkspaceInExpressions(t *testing.T) {
	const manifest = `
video "a" {
  prompt = "a cat in ${ltxform.workspace}"
  output = "out/${ltxform.workspace}/a.mp4"
}
`
	for _, tc := range []struct {
		name, backend string
		opts          LoadOptions
		want          string
	}{
		{"local state", "", LoadOptions{}, "default"},
		{"block", `backend "s3" {
  bucket    = "b"
  workspace = "nightly"
}`, LoadOptions{}, "nightly"},
		{"environment over block", `backend "pg" { workspace = "nightly" }`, LoadOptions{Environ: []string{"LTXFORM_WORKSPACE=staging"}}, "staging"},
		{"flag over environment", `backend "pg" {}`, LoadOptions{Environ: []string{"LTXFORM_WORKSPACE=staging"}, Workspace: "alice"}, "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, diags := Load(writeBackendManifest(t, map[string]string{"main.ltx.hcl": tc.backend + manifest}), tc.opts)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if v := m.Videos[0]; m.Workspace != tc.want || v.Output != "out/"+tc.want+"/a.mp4" || !strings.HasSuffix(v.Prompt, tc.want) {
				t.Fatalf("workspace %q, output %q, prompt %q; want %q in each", m.Workspace, v.Output, v.Prompt, tc.want)
			}
		})
	}
	_, diags := Load(writeBackendManifest(t, map[string]string{"main.ltx.hcl": `
video "a" {
  prompt = "a cat in ${ltxform.worksapce}"
}
`}), LoadOptions{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "main.ltx.hcl:3") || !strings.Contains(diags.Error(), "ltxform has one attribute, ltxform.workspace") {
		t.Fatalf("a misspelt ltxform.workspace: %v", diags)
	}
}
