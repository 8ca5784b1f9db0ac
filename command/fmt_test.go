package command

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fmtTestEnv() (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil },
	}, &out, &errb
}

// fmt -check reports ErrFormatNeeded (exit 3 in main) and leaves the file alone.
func TestFmtCheckNeedsFormat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "main.ltx.hcl")
	src := "video \"v\" {\nprompt = \"p\"\n}\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	env, out, _ := fmtTestEnv()
	err := runFmt(context.Background(), env, []string{"-check", dir})
	if !errors.Is(err, ErrFormatNeeded) {
		t.Fatalf("err = %v, want ErrFormatNeeded", err)
	}
	if !strings.Contains(out.String(), "main.ltx.hcl") {
		t.Errorf("stdout %q does not list the file", out.String())
	}
	if b, _ := os.ReadFile(path); string(b) != src {
		t.Errorf("-check changed the file to %q", b)
	}

	env, _, _ = fmtTestEnv()
	if err := runFmt(context.Background(), env, []string{dir}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want the original 0600 kept", info.Mode().Perm())
	}
	env, _, _ = fmtTestEnv()
	if err := runFmt(context.Background(), env, []string{"-check", dir}); err != nil {
		t.Errorf("after fmt, -check: %v", err)
	}
}

// -var and -var-file keep their command-line order for config.Load.
func TestVarFlagsKeepOrder(t *testing.T) {
	env, _, _ := fmtTestEnv()
	env.Environ = func() []string { return []string{"LTX_VAR_a=1"} }
	vf := &varFlags{}
	fs := newFlagSet("x", "", &commonArgs{})
	addVarFlags(fs, vf)
	if err := fs.Parse([]string{"-var", "a=1", "-var-file", "f.hcl", "-var", "b=2"}); err != nil {
		t.Fatal(err)
	}
	opts := vf.loadOptions(env)
	var got []string
	for _, f := range opts.Flags {
		got = append(got, map[bool]string{true: "file:", false: "var:"}[f.File]+f.Value)
	}
	if strings.Join(got, " ") != "var:a=1 file:f.hcl var:b=2" {
		t.Errorf("flags = %v", got)
	}
	if len(opts.Environ) != 1 {
		t.Errorf("opts = %+v", opts)
	}
}

// fmt on a symbolic link to a manifest rewrites the file the link leads to
// and leaves the link a link (it used to replace it with a formatted copy).
func TestFmtWritesThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	shared := filepath.Join(t.TempDir(), "shared.ltx.hcl")
	src := "video \"v\" {\nprompt = \"p\"\n}\n"
	if err := os.WriteFile(shared, []byte(src), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "main.ltx.hcl")
	if err := os.Symlink(shared, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	env, _, _ := fmtTestEnv()
	if err := runFmt(context.Background(), env, []string{dir}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("main.ltx.hcl is now %v, not a symbolic link", info.Mode())
	}
	got, err := os.ReadFile(shared)
	if err != nil {
		t.Fatal(err)
	}
	if want := "video \"v\" {\n  prompt = \"p\"\n}\n"; string(got) != want {
		t.Errorf("target = %q, want %q", got, want)
	}
	if st, _ := os.Stat(shared); st.Mode().Perm() != 0o640 {
		t.Errorf("target mode = %v, want 0640 kept", st.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(shared), ".fmt-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// fmt refuses a file nested too deep for HCL's parser, naming it, rather
// than crash with a stack overflow.
func TestFmtRefusesDeepNesting(t *testing.T) {
	dir := t.TempDir()
	src := "locals {\n  x = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + "\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _, errb := fmtTestEnv()
	if err := runFmt(context.Background(), env, []string{dir}); !errors.Is(err, ErrReported) {
		t.Fatalf("err = %v, want ErrReported", err)
	}
	if !strings.Contains(errb.String(), "Nesting too deep") || !strings.Contains(errb.String(), "main.ltx.hcl line 2") {
		t.Errorf("stderr = %q", errb.String())
	}
}
