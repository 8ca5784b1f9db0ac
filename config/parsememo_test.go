package config

import (
	"os"
	"path/filepath"
	"testing"
)

// plan loads the manifest from the directory as typed, then opens the state
// through LoadBackend with the absolute directory: the second read reuses
// the first parse instead of parsing every file again.
func TestBackendReusesTheLoadsParse(t *testing.T) {
	dir := writeBackendManifest(t, map[string]string{"main.ltx.hcl": backendTestVideo})
	t.Chdir(dir)
	m := mustLoad(t, ".", LoadOptions{})
	be, files, diags := LoadBackend(dir)
	if be != nil || diags.HasErrors() {
		t.Fatalf("LoadBackend = %v, %v; want no backend, no diagnostics", be, diags)
	}
	if files["main.ltx.hcl"] != m.Files["main.ltx.hcl"] {
		t.Errorf("LoadBackend parsed main.ltx.hcl again; files = %v", files)
	}
}

// apply reads the backend first and loads the manifest from the same
// directory: the load reuses that parse.
func TestLoadReusesTheBackendsParse(t *testing.T) {
	dir := writeBackendManifest(t, map[string]string{"main.ltx.hcl": backendTestVideo})
	_, files, diags := LoadBackend(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	m := mustLoad(t, dir, LoadOptions{})
	name := filepath.Join(dir, "main.ltx.hcl")
	if files[name] == nil || m.Files[name] != files[name] {
		t.Errorf("Load parsed main.ltx.hcl again")
	}
}

// A file edited between the two reads is read as it is now.
func TestEditedFileIsParsedAgain(t *testing.T) {
	dir := writeBackendManifest(t, map[string]string{"main.ltx.hcl": backendTestVideo})
	if _, _, diags := LoadBackend(dir); diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte("video \"b\" {\n  prompt = \"a dog\"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := mustLoad(t, dir, LoadOptions{})
	if len(m.Videos) != 1 || m.Videos[0].Address != "video.b" {
		t.Errorf("videos = %v, want video.b from the edited file", m.Videos)
	}
}

// A backend block in a file loaded under another name is read from a parse
// of its own, so that its ranges name the file as LoadBackend was given it;
// a file that does not parse gives LoadBackend its errors too.
func TestBackendAfterLoadUnderAnotherName(t *testing.T) {
	dir := writeBackendManifest(t, map[string]string{
		"main.ltx.hcl": backendTestVideo + "backend \"pg\" {\n  workspace = \"nightly\"\n}\n",
	})
	t.Chdir(dir)
	mustLoad(t, ".", LoadOptions{})
	be, _, diags := LoadBackend(dir)
	if diags.HasErrors() || be == nil || be.Workspace != "nightly" {
		t.Fatalf("LoadBackend = %+v, %v", be, diags)
	}
	if want := filepath.Join(dir, "main.ltx.hcl"); be.DeclRange.Filename != want {
		t.Errorf("backend declared in %q, want %q", be.DeclRange.Filename, want)
	}

	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte("video \"a\" {\n  prompt = \n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, diags := Load(".", LoadOptions{}); !diags.HasErrors() {
		t.Fatal("Load of a broken file: no error")
	}
	_, _, diags = LoadBackend(dir)
	if !diags.HasErrors() || diags[0].Subject == nil || diags[0].Subject.Filename != filepath.Join(dir, "main.ltx.hcl") {
		t.Errorf("LoadBackend of a broken file: %v, want its syntax error at %s", diags, filepath.Join(dir, "main.ltx.hcl"))
	}
}

// Two loads in a row parse twice: the memo is for the backend read and the
// load of one command, and a benchmark of Load measures a parse.
func TestLoadsDoNotShareAParse(t *testing.T) {
	dir := writeBackendManifest(t, map[string]string{"main.ltx.hcl": backendTestVideo})
	a := mustLoad(t, dir, LoadOptions{})
	b := mustLoad(t, dir, LoadOptions{})
	name := filepath.Join(dir, "main.ltx.hcl")
	if a.Files[name] == b.Files[name] {
		t.Error("the second Load reused the first's parse")
	}
}
