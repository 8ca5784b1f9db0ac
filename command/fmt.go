package command

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/ltxform/ltxform/config"
	"github.com/ltxform/ltxform/internal/atomicfile"
)

// fmtArgs are fmt's arguments.
type fmtArgs struct {
	Common    commonArgs
	Path      string // a directory or a file; "." when not given
	Check     bool   // -check
	Diff      bool   // -diff
	Recursive bool   // -recursive
}

func parseFmt(args []string) (fmtArgs, error) {
	var a fmtArgs
	fs := newFlagSet("fmt", "[-check] [-diff] [-recursive] [DIR | FILE]", &a.Common)
	fs.BoolVar(&a.Check, "check", false, "write nothing; exit 3 when a file is not formatted")
	fs.BoolVar(&a.Diff, "diff", false, "print the changes as a unified diff")
	fs.BoolVar(&a.Recursive, "recursive", false, "also format files in subdirectories")
	if err := fs.parse(args); err != nil {
		return a, err
	}
	path, err := oneOptionalArg(fs)
	a.Path = dirOrCurrent(path)
	return a, err
}

// runFmt rewrites manifests and variable files in the canonical format.
func runFmt(ctx context.Context, env *Env, args []string) error {
	a, err := parseFmt(args)
	if err != nil {
		return err
	}
	a.Common.applyTo(env)
	v := newView(env, false)
	files, err := formattableFiles(a.Path, a.Recursive)
	if err != nil {
		return err
	}

	var diags hcl.Diagnostics
	srcs := map[string]*hcl.File{}
	changed := 0
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		// ReadSource bounds size and depth before HCL's parser recurses.
		src, d := config.ReadSource(path)
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		// hclwrite formats whatever it is given; refuse a file that does
		// not parse rather than "format" it into something else.
		f, d := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		srcs[path] = f
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		out := hclwrite.Format(src)
		if bytes.Equal(src, out) {
			continue
		}
		changed++
		v.unformatted(path)
		if a.Diff {
			v.formatDiff(path, src, out)
		}
		if !a.Check {
			if err := writeFileKeepMode(path, out); err != nil {
				return err
			}
		}
	}
	if diags.HasErrors() {
		v.Diagnostics(srcs, diags)
		return ErrReported
	}
	if a.Check && changed > 0 {
		return ErrFormatNeeded
	}
	return nil
}

// formattableFiles lists the native-syntax files fmt handles under target (a
// directory, or one file), sorted. Hidden directories (.ltxform, .git) are skipped.
func formattableFiles(target string, recursive bool) ([]string, error) {
	info, err := os.Stat(target)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{target}, nil
	}
	var files []string
	err = filepath.WalkDir(target, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != target && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		n := d.Name()
		if strings.HasSuffix(n, config.NativeSuffix) || strings.HasSuffix(n, config.AutoVarsSuffix) || strings.HasSuffix(n, ".ltxvars.hcl") {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// writeFileKeepMode replaces path's content atomically, so that an
// interrupted fmt never leaves half a manifest. When path is a symbolic
// link, the file it leads to is rewritten and the link stays a link:
// renaming over the link itself would turn it into a copy.
func writeFileKeepMode(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(target, data, info.Mode().Perm())
}
