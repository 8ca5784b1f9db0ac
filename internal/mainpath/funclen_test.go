package mainpath

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// maxFunctionLines is the longest a function on the main path may be,
// from its func keyword to its closing brace (ARCHITECTURE.md, «Rules each
// room keeps»): a longer one is cut along its phases, so that a reader sees
// the steps by name.
const maxFunctionLines = 80

// mainPath is the rooms every run goes through, with their sub-packages.
var mainPath = []string{"config", "plan", "executor", "ltx", "state", "command"}

// TestNoLongFunctionOnTheMainPath fails on each function of the main path's
// production code longer than maxFunctionLines. Data tables (package-level
// variables) are no functions and are not counted.
func TestNoLongFunctionOnTheMainPath(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	for _, room := range mainPath {
		root := filepath.Join("..", "..", room)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			files++
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
				if n := end.Line - start.Line + 1; n > maxFunctionLines {
					t.Errorf("%s:%d: %s is %d lines; the main path keeps functions to %d: cut it along its phases",
						filepath.ToSlash(strings.TrimPrefix(path, filepath.Join("..", "..")+string(filepath.Separator))), start.Line, funcName(fn), n, maxFunctionLines)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files == 0 {
		t.Fatal("no Go file found on the main path: the test looks in the wrong place")
	}
}

// funcName is fn's name, with its receiver's type for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if index, ok := typ.(*ast.IndexExpr); ok {
		typ = index.X
	}
	if ident, ok := typ.(*ast.Ident); ok {
		return ident.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}
