package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Manifest file suffixes.
const (
	NativeSuffix   = ".ltx.hcl"
	JSONSuffix     = ".ltx.json"
	AutoVarsSuffix = ".auto.ltxvars.hcl"
)

// Load reads every *.ltx.hcl and *.ltx.json file in dir (not recursively,
// in name order) and evaluates it into videos. It keeps going after errors
// so that one run reports them all; Manifest.Files is filled even then, for
// rendering the diagnostics.
func Load(dir string, opts LoadOptions) (*Manifest, hcl.Diagnostics) {
	p := hclparse.NewParser()
	m := &Manifest{Files: p.Files(), API: API{
		RequestsPerMinute: DefaultRequestsPerMinute, Parallelism: DefaultParallelism, MaxAttempts: DefaultMaxAttempts,
	}}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return m, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid manifest directory", Detail: err.Error()}}
	}
	m.Dir = abs
	names, err := manifestFiles(dir)
	if err != nil {
		return m, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the manifest directory", Detail: unwrapPathError(err).Error() + ": " + dir}}
	}
	if len(names) == 0 {
		return m, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No manifest files",
			Detail:   fmt.Sprintf("The directory %s holds no *%s or *%s files.", dir, NativeSuffix, JSONSuffix),
		}}
	}

	var diags hcl.Diagnostics
	var blocks hcl.Blocks
	files := map[string]*hcl.File{}
	for _, name := range names {
		e := parseManifestFile(dir, name, false, nil)
		f, d := e.file, e.diags
		diags = append(diags, d...)
		if f == nil {
			continue
		}
		files[shownPath(dir, name)] = f
		content, d := f.Body.Content(fileSchema)
		diags = append(diags, d...)
		blocks = append(blocks, content.Blocks...)
	}

	d := m.decode(p, dir, blocks, opts)
	diags = append(diags, d...)
	diags = append(diags, checkOutputsSpareInputs(m, names, opts)...)
	m.reads.close() // the manifest directory, open for the load
	// p holds the variable files the decode read.
	for name, f := range p.Files() {
		files[name] = f
	}
	m.Files = files
	return m, cleanDiagnostics(diags, m.sensitiveStrings)
}

// parseBounded parses a manifest or variable file once ReadSource has
// checked its size and depth; a name ending in ".json" is HCL's JSON syntax.
func parseBounded(p *hclparse.Parser, path string) (*hcl.File, hcl.Diagnostics) {
	src, diags := ReadSource(path)
	if diags.HasErrors() {
		return nil, diags
	}
	if strings.HasSuffix(path, ".json") {
		return p.ParseJSON(src, path)
	}
	return p.ParseHCL(src, path)
}

// manifestFiles lists the manifest files of dir, sorted.
func manifestFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") {
			continue
		}
		if strings.HasSuffix(n, NativeSuffix) || strings.HasSuffix(n, JSONSuffix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// shownPath is the file name diagnostics show: relative to the current
// directory as the user named it ("main.ltx.hcl" when dir is ".").
func shownPath(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return filepath.Join(dir, name)
}

// decode evaluates the blocks of every file in HCL's phases
// (guide/go_patterns.rst): decode every block, evaluate the variables,
// order and evaluate the locals, then the settings and the videos that may
// refer to them.
func (m *Manifest) decode(p *hclparse.Parser, dir string, blocks hcl.Blocks, opts LoadOptions) hcl.Diagnostics {
	decl, diags := collectDeclarations(blocks)
	m.reads = newReadFiles(m.Dir)
	s := decl.scope()
	m.Workspace = chooseWorkspace(decl.singles["backend"], opts)
	ctx, d := m.evalVariables(p, dir, decl.vars, functions(m.reads), opts)
	diags = append(diags, d...)

	ordered, d := orderLocals(decl.locals)
	diags = append(diags, d...)
	_, d = evalLocals(ordered, decl.locals, ctx, s)
	diags = append(diags, d...)

	defaults, d := m.decodeSettings(decl, ctx, s)
	diags = append(diags, d...)
	diags = append(diags, m.expandVideos(decl, ctx, s, defaults)...)
	return diags
}

// declarations are a manifest's blocks once decoded, before any is
// evaluated: the phase that needs no values.
type declarations struct {
	vars     map[string]*variable
	locals   map[string]*local
	videos   []*videoBlock
	moves    []*Move
	notifies []*hcl.Block          // decoded with the variables
	singles  map[string]*hcl.Block // api, budget, pricing, defaults, backend, storage: one of each
}

// collectDeclarations decodes each block by its type and refuses a second
// declaration of a name (or of a block that may appear once).
func collectDeclarations(blocks hcl.Blocks) (*declarations, hcl.Diagnostics) {
	decl := &declarations{vars: map[string]*variable{}, locals: map[string]*local{}, singles: map[string]*hcl.Block{}}
	var diags hcl.Diagnostics
	for _, b := range blocks {
		switch b.Type {
		case "variable":
			v, d := decodeVariableBlock(b)
			diags = append(diags, d...)
			if prev, ok := decl.vars[v.Name]; ok {
				diags = append(diags, duplicate("variable", v.Name, prev.DeclRange, v.DeclRange))
				continue
			}
			decl.vars[v.Name] = v
		case "locals":
			ls, d := decodeLocalsBlock(b)
			diags = append(diags, d...)
			for _, l := range ls {
				if prev, ok := decl.locals[l.Name]; ok {
					diags = append(diags, duplicate("local value", l.Name, prev.DeclRange, l.DeclRange))
					continue
				}
				decl.locals[l.Name] = l
			}
		case "video":
			vb, d := decodeVideoBlock(b)
			diags = append(diags, d...)
			decl.videos = append(decl.videos, vb)
		case "notify":
			decl.notifies = append(decl.notifies, b)
		case "moved":
			mv, d := decodeMovedBlock(b)
			diags = append(diags, d...)
			if mv != nil {
				decl.moves = append(decl.moves, mv)
			}
		default:
			if prev, ok := decl.singles[b.Type]; ok {
				diags = append(diags, duplicate(b.Type+" block", "", prev.DefRange, b.DefRange))
				continue
			}
			decl.singles[b.Type] = b
		}
	}
	return decl, diags
}

// scope is the names declared, which references are checked against.
func (decl *declarations) scope() scope {
	s := scope{vars: map[string]bool{}, locals: map[string]bool{}}
	for n := range decl.vars {
		s.vars[n] = true
	}
	for n := range decl.locals {
		s.locals[n] = true
	}
	return s
}

// evalVariables gives each variable its value (from -var, files, the
// environment or its default, then validated) and returns the context the
// rest of the manifest is evaluated in: var, ltxform.workspace, and local
// once the locals are evaluated.
func (m *Manifest) evalVariables(p *hclparse.Parser, dir string, vars map[string]*variable, fns map[string]function.Function, opts LoadOptions) (*hcl.EvalContext, hcl.Diagnostics) {
	values, diags := variableValues(p, dir, dir, vars, opts)
	varValues, d := finalVariables(vars, values, func(one map[string]cty.Value) *hcl.EvalContext {
		return &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(one)}, Functions: fns}
	})
	diags = append(diags, d...)
	for name, v := range vars {
		if v.Sensitive {
			m.sensitiveStrings = append(m.sensitiveStrings, leafStrings(varValues[name])...)
		}
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(varValues), "local": cty.EmptyObjectVal,
			"ltxform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal(m.Workspace)})},
		Functions: fns,
	}, diags
}

// decodeSettings evaluates the blocks that configure a run rather than
// describe a video; it returns the defaults the videos start from.
func (m *Manifest) decodeSettings(decl *declarations, ctx *hcl.EvalContext, s scope) (*defaultsBlock, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var d hcl.Diagnostics
	if b := decl.singles["api"]; b != nil {
		api, d := decodeAPIBlock(b, ctx, s)
		diags = append(diags, d...)
		m.API = *api
	}
	if b := decl.singles["budget"]; b != nil {
		m.Budget, d = decodeBudgetBlock(b, ctx, s)
		diags = append(diags, d...)
	}
	if b := decl.singles["pricing"]; b != nil {
		m.Pricing, m.PricingAttribute, m.PricingRange, d = decodePricingBlock(b, ctx, s)
		diags = append(diags, d...)
	}
	if b := decl.singles["backend"]; b != nil {
		_, d = decodeBackendBlock(b) // commands open the store through LoadBackend
		diags = append(diags, d...)
	}
	for _, b := range decl.notifies {
		n, d := decodeNotifyBlock(b, ctx, s)
		diags = append(diags, d...)
		if n != nil && !d.HasErrors() {
			m.Notify = append(m.Notify, n)
		}
	}
	if b := decl.singles["storage"]; b != nil {
		m.Storage, d = decodeStorageBlock(b)
		diags = append(diags, d...)
	}
	var defaults *defaultsBlock
	if b := decl.singles["defaults"]; b != nil {
		defaults, d = decodeDefaultsBlock(b)
		diags = append(diags, d...)
	}
	return defaults, diags
}

// expandVideos expands each video block (for_each, count) into videos,
// sorted by address, then checks what needs them all: output paths and
// moved blocks.
func (m *Manifest) expandVideos(decl *declarations, ctx *hcl.EvalContext, s scope, defaults *defaultsBlock) hcl.Diagnostics {
	var diags hcl.Diagnostics
	declared := map[string]*videoBlock{}
	for _, vb := range decl.videos {
		if prev, ok := declared[vb.Name]; ok {
			diags = append(diags, duplicate("video", vb.Name, prev.DeclRange, vb.DeclRange))
			continue
		}
		declared[vb.Name] = vb
		videos, invalid, d := vb.expand(ctx, s, defaults, m.reads)
		diags = append(diags, d...)
		m.Videos = append(m.Videos, videos...)
		m.Invalid = append(m.Invalid, invalid...)
	}
	sort.Slice(m.Videos, func(i, j int) bool { return m.Videos[i].Address < m.Videos[j].Address })
	diags = append(diags, checkOutputPaths(m.reads, m.Videos)...)
	moves, d := checkMoves(decl.moves, declared, m.Videos)
	m.Moves = moves
	return append(diags, d...)
}

func duplicate(what, name string, first, second hcl.Range) *hcl.Diagnostic {
	label := what
	if name != "" {
		label = fmt.Sprintf("%s %q", what, name)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + what,
		Detail:   fmt.Sprintf("A %s was already declared at %s:%d. Each must be declared once across all the manifest files.", label, first.Filename, first.Start.Line),
		Subject:  second.Ptr(),
	}
}
