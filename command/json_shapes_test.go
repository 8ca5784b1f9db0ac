package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The JSON goldens: each public shape as the real command writes it, on a
// small fixed project, in testdata/json/NAME.golden. Run
//
//	go test ./command -run TestJSONShapes -update
//
// to rewrite them after a deliberate change, and read the diff: it is what
// every script reading ltxform's JSON will see.

// shapesProject is the fixed input: one video to buy, then a second and a
// changed prompt to plan.
const shapesManifest = `api {
  requests_per_minute = 6000
}

video "hero" {
  prompt   = "A slow dolly shot down a corridor"
  duration = 6
}
`

const shapesManifestChanged = `api {
  requests_per_minute = 6000
}

video "hero" {
  prompt   = "A slow dolly shot down a corridor at dusk"
  duration = 6
}

video "pan" {
  prompt     = "A slow pan across a harbour"
  duration   = 8
  resolution = "1440p"
}
`

// shapesBroken has an error (an unknown attribute) for the diagnostics.
const shapesBroken = `video "hero" {
  prompt   = "A slow dolly shot down a corridor"
  duration = 6
  promt    = "typo"
}
`

// volatile are the values that differ from run to run, each with what
// stands in for it in a golden: times, run ids, the simulator's port, its
// task and request ids and its video's hash and size, the state's lineage and the
// idempotency keys made from it, the process and machine that ran an
// apply, the Go toolchain. Everything
// else the commands print for the fixed input is the same every time.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"`), `"<time>"`},
	{regexp.MustCompile(`\d{8}T\d{6}Z(-[0-9a-f]+)?`), `<run-id>`},
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+`), `http://127.0.0.1:<port>`},
	{regexp.MustCompile(`\btask_[a-z0-9]{20}\b`), `<task-id>`},
	{regexp.MustCompile(`\breq_[a-z0-9]{20}\b`), `<request-id>`},
	{regexp.MustCompile(`"(host|made_by)": "[^"]*"`), `"$1": "<host>"`},
	{regexp.MustCompile(`"lineage": "[0-9a-f]+"`), `"lineage": "<lineage>"`},
	// The key is made from the lineage; the simulator's video from its task.
	{regexp.MustCompile(`\bltxform-[0-9a-f]{32}-\d+\b`), `<idempotency-key>`},
	{regexp.MustCompile(`"sha256": "[0-9a-f]{64}"`), `"sha256": "<sha256 of the simulator's video>"`},
	{regexp.MustCompile(`"bytes": \d+`), `"bytes": <size of the simulator's video>`},
	{regexp.MustCompile(`"pid": \d+`), `"pid": <pid>`},
	{regexp.MustCompile(`"go_version": "[^"]*"`), `"go_version": "<go>"`},
	{regexp.MustCompile(`"platform": "[^"]*"`), `"platform": "<os>_<arch>"`},
	{regexp.MustCompile(`"version": "[^"]*"`), `"version": "<version>"`},
}

// normalise replaces the project's temporary directory and the volatile
// values in out.
func normalise(out []byte, dir string) []byte {
	s := string(out)
	if real, err := filepath.EvalSymlinks(dir); err == nil && real != dir {
		s = strings.ReplaceAll(s, real, "<dir>")
	}
	s = strings.ReplaceAll(s, dir, "<dir>")
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return []byte(s)
}

// assertJSONGolden compares got with testdata/json/name.golden.
func assertJSONGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "json", name+".golden")
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./command -run TestJSONShapes -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (rerun with -update if the change is meant, and say so in the format version's notes)\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

// runJSON runs ltxform args in-process and returns its stdout, normalised;
// wantErr is the outcome the command must end with.
func runShapesCommand(t *testing.T, dir string, wantErr error, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil }}
	err := Run(context.Background(), env, args)
	if wantErr == nil && err != nil || wantErr != nil && !errors.Is(err, wantErr) {
		t.Fatalf("ltxform %s: %v, want %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, wantErr, stdout.String(), stderr.String())
	}
	return normalise(stdout.Bytes(), dir)
}

func writeManifest(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestJSONShapes writes every public JSON shape through its command, in the
// order a user meets them, and holds each to its golden.
func TestJSONShapes(t *testing.T) {
	dir := t.TempDir()
	broken := t.TempDir()
	writeManifest(t, broken, shapesBroken)
	golden := func(name string, wantErr error, args ...string) {
		t.Helper()
		dirOf := dir
		if slices.Contains(args, broken) {
			dirOf = broken
		}
		assertJSONGolden(t, name, runShapesCommand(t, dirOf, wantErr, args...))
	}

	golden("version", nil, "version", "-json")
	golden("validate", ErrReported, "validate", "-json", broken)
	// apply -json's diagnostics are lines of their own, then the error line.
	golden("apply_diagnostics", ErrReported, "apply", "-json", "-auto-approve", broken)

	writeManifest(t, dir, shapesManifest)
	golden("state_list_none", nil, "state", "list", "-json", dir)
	// A poll that finds the task still at work is a progress line or none,
	// as the timing falls: those lines are left out.
	applied := runShapesCommand(t, dir, nil, "apply", "-json", "-simulate", "-auto-approve", dir)
	applied = regexp.MustCompile(`(?m)^.*"kind":"progress".*\n`).ReplaceAll(applied, nil)
	assertJSONGolden(t, "apply", applied)

	writeManifest(t, dir, shapesManifestChanged)
	golden("plan", ErrPlanHasChanges, "plan", "-json", "-detailed-exitcode", dir)
	planFile := filepath.Join(dir, "shapes.plan")
	runShapesCommand(t, dir, nil, "plan", "-out", planFile, dir)
	golden("show_plan", nil, "show", "-json", planFile)
	golden("plan_compare", nil, "plan", "-compare", "-json", dir)

	golden("state_list", nil, "state", "list", "-json", dir)
	golden("state_show", nil, "state", "show", "-json", "video.hero", dir)
	golden("runs", nil, "runs", "-json", dir)
	golden("runs_show", nil, "runs", "show", "-json", "latest", dir)
	golden("state_rm", nil, "state", "rm", "-json", "video.hero", dir)
}

// shapeRoots are the documents and lines a script reads: every type in
// json_shapes.go is one of them or part of one.
var shapeRoots = []struct {
	what  string
	shape any
}{
	{"-json error, warning, interrupt and report lines", jsonMessageLine{}},
	{"-json diagnostic lines", jsonDiagnosticLine{}},
	{"plan -json, show -json PLANFILE", planJSON{}},
	{"apply -json plan and no_changes lines", jsonPlanLine{}},
	{"apply -json planned_change lines", jsonPlannedChange{}},
	{"apply -json event lines", jsonEventLine{}},
	{"apply -json resume_run line", jsonResumeLine{}},
	{"apply -json results line", jsonResults{}},
	{"validate -json", validateJSON{}},
	{"version -json", versionJSON{}},
	{"plan -compare -json", compareJSON{}},
	{"runs -json", jsonRunsList{}},
	{"runs show -json", jsonRunShow{}},
	{"state list -json, show -json DIR", jsonStateList{}},
	{"state show -json", jsonStateShow{}},
	{"state rm -json", jsonStateRemoved{}},
}

// TestJSONShapesFields holds every field of every shape, with its JSON
// name and kind, to testdata/json/fields.golden: a field renamed, removed
// or added fails it even where the outputs above leave it out (omitempty),
// and so does a change to a type of another package that a shape prints
// as it is (plan.Totals, media.Info).
func TestJSONShapesFields(t *testing.T) {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	for _, root := range shapeRoots {
		fmt.Fprintf(&b, "%s:\n", root.what)
		writeFields(&b, reflect.TypeOf(root.shape), "  ", seen)
	}
	assertJSONGolden(t, "fields", []byte(b.String()))

	// A shape declared in json_shapes.go and reached from no root would be
	// left out of the golden.
	for _, name := range declaredShapes(t) {
		found := false
		for typ := range seen {
			if typ.Name() == name && typ.PkgPath() == reflect.TypeOf(planJSON{}).PkgPath() {
				found = true
			}
		}
		if !found {
			t.Errorf("%s is declared in json_shapes.go but no root in shapeRoots holds it; add it there", name)
		}
	}
}

// writeFields lists t's JSON fields, one a line, nested types indented
// under their field.
func writeFields(b *strings.Builder, t reflect.Type, indent string, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			seen[f.Type] = true
			writeFields(b, f.Type, indent, seen)
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, omitempty := strings.CutSuffix(tag, ",omitempty")
		name, omitzero := strings.CutSuffix(name, ",omitzero")
		kind := jsonKind(f.Type)
		if omitempty || omitzero {
			kind = strings.TrimSuffix(kind, " or null") + ", left out when empty"
		}
		fmt.Fprintf(b, "%s%s: %s\n", indent, name, kind)
		writeFields(b, f.Type, indent+"  ", seen)
	}
}

// jsonKind is what a field of type t is in the JSON: the shape a script
// reads, not the Go type that holds it.
func jsonKind(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Pointer:
		return jsonKind(t.Elem()) + " or null"
	case t == reflect.TypeOf(time.Time{}):
		return "time"
	case t.Kind() == reflect.Slice:
		return "array of " + jsonKind(t.Elem())
	case t.Kind() == reflect.Map:
		return "object of " + jsonKind(t.Elem())
	case t.Kind() == reflect.Struct:
		return "object"
	case t.Kind() == reflect.String:
		return "string"
	case t.Kind() == reflect.Bool:
		return "bool"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return "number"
	}
	return t.String()
}

// declaredShapes are the struct types json_shapes.go declares.
func declaredShapes(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "json_shapes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok {
			for _, s := range g.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					if _, ok := ts.Type.(*ast.StructType); ok {
						names = append(names, ts.Name.Name)
					}
				}
			}
		}
	}
	return names
}
