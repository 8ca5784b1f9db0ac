package command

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// viewWriters are the view's raw writers (views_common.go): a command
// calls a named view method instead, so only views_*.go call these.
var viewWriters = map[string]bool{"printf": true, "eprintf": true, "println": true, "printWrapped": true}

// fmtWriters are the fmt calls that print; with a sentence in their
// arguments, they belong in a views_*.go file. fmt.Sprintf is not among
// them: it also builds error messages, which commands return.
var fmtWriters = map[string]bool{"Fprint": true, "Fprintf": true, "Fprintln": true, "Print": true, "Printf": true, "Println": true, "WriteString": true}

// printsOutsideViews are the functions outside views_*.go allowed to print
// sentences, "FILE:FUNC" ("FILE:*" for every function of FILE), with why.
var printsOutsideViews = map[string]string{
	"arguments.go:print":        "a command's usage text: its usage line, then the flag package's own defaults",
	"command.go:printUsage":     "the usage text of ltxform itself, generated from the verbs table",
	"workspace.go:runWorkspace": "workspace's usage text, printed by its dispatcher like printUsage",
	"completion.go:*":           "writes shell completion scripts, not sentences",
	// Another branch of issue #23 puts runs and state on the shared view:
	// when it lands, these two entries match nothing and this test asks to
	// remove them.
	"runs.go:*":  "runs keeps its own view type until it moves to the shared view",
	"state.go:*": "state keeps its own view type until it moves to the shared view",
}

// formatVerb is a fmt verb with its flags, width and precision.
var formatVerb = regexp.MustCompile(`%[-+# 0]*(\*|[0-9]+)?(\.(\*|[0-9]+)?)?[a-zA-Z%]`)

// word is what makes a literal a sentence rather than a layout ("%s\n",
// "  %-13s %s\n").
var word = regexp.MustCompile(`[A-Za-z]{2,}`)

// TestSentencesLiveInViews keeps every sentence a command prints in a
// views_*.go file, behind a named method (issue #23): a command file
// neither prints a sentence with fmt nor calls the view's raw writers.
// Errors and warnings are not output of this kind: a command returns its
// error, and v.Warn is the view's one way to warn.
func TestSentencesLiveInViews(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := map[string]bool{}
	var found []string
	for _, name := range files {
		if strings.HasPrefix(name, "views_") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			for _, call := range printsIn(fn.Body) {
				key := name + ":" + fn.Name.Name
				if _, ok := printsOutsideViews[key]; ok {
					used[key] = true
					continue
				}
				if _, ok := printsOutsideViews[name+":*"]; ok {
					used[name+":*"] = true
					continue
				}
				found = append(found, fset.Position(call.Pos()).String()+": "+call.what)
			}
		}
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s: a command file prints; give the view a named method in a views_*.go file and call that", f)
	}
	for key := range printsOutsideViews {
		if !used[key] {
			t.Errorf("printsOutsideViews lists %s, which prints no sentence now: remove it", key)
		}
	}
}

type printCall struct {
	ast.Node
	what string
}

// printsIn are the calls in body that print a sentence or use a raw
// writer of the view.
func printsIn(body *ast.BlockStmt) []printCall {
	var out []printCall
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, _ := sel.X.(*ast.Ident)
		switch {
		case viewWriters[sel.Sel.Name]:
			out = append(out, printCall{call, "calls the view's raw writer " + sel.Sel.Name})
		case pkg != nil && (pkg.Name == "fmt" || pkg.Name == "io") && fmtWriters[sel.Sel.Name]:
			if s := sentenceIn(call.Args); s != "" {
				out = append(out, printCall{call, pkg.Name + "." + sel.Sel.Name + " " + strconv.Quote(s)})
			}
		}
		return true
	})
	return out
}

// sentenceIn is the first string literal in args, however deep, that has
// words once its format verbs are gone; "" when there is none.
func sentenceIn(args []ast.Expr) string {
	found := ""
	for _, arg := range args {
		ast.Inspect(arg, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || found != "" {
				return found == ""
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && word.MatchString(formatVerb.ReplaceAllString(s, "")) {
				found = s
			}
			return false
		})
	}
	return found
}
