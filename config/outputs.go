package config

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// checkOutputPaths checks the videos' output paths against each other and
// the manifest directory (files's root): it refuses two videos writing one
// file, an output that is the directory of another, and outputs that a
// symbolic link in the directory leads outside it. (plan's checkOutputs is
// another job: whether a downloaded file is still what was downloaded.)
func checkOutputPaths(files *readFiles, videos []*Video) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]*Video{}
	escapes := newEscapeChecker(files)
	for _, v := range videos {
		if escapes.escapes(v.Output) {
			r := v.Ranges["output"]
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid output",
				Detail:   fmt.Sprintf("The output of %s, %q, %s.", v.Address, v.Output, files.linkRefusal(v.Output)),
				Subject:  &r,
			})
		}
		key := strings.ToLower(v.Output) // one file on case-insensitive file systems
		prev, ok := seen[key]
		if !ok {
			seen[key] = v
			continue
		}
		r := v.Ranges["output"]
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Two videos write the same file",
			Detail:   fmt.Sprintf("%s and %s both write %q. Give one of them another output.", prev.Address, v.Address, v.Output),
			Subject:  &r,
		})
	}
	// An output that is the directory of another: one of the two writes
	// must fail, after the first has been paid for.
	for _, v := range videos {
		for dir := path.Dir(v.Output); dir != "." && dir != "/"; dir = path.Dir(dir) {
			parent, ok := seen[strings.ToLower(dir)]
			if !ok {
				continue
			}
			r := parent.Ranges["output"]
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "An output is the directory of another",
				Detail: fmt.Sprintf("%s writes the file %q, but %s writes %q inside it: one path cannot be both a file and a directory. Give one of them another output.",
					parent.Address, parent.Output, v.Address, v.Output),
				Subject: &r,
			})
			break
		}
	}
	return diags
}

// protectedSuffixes name manifest and variable files wherever they are.
var protectedSuffixes = []string{NativeSuffix, JSONSuffix, AutoVarsSuffix, ".ltxvars.hcl", ".ltxvars.json"}

// checkOutputsSpareInputs refuses an output that would overwrite (or
// replace the directory of) something the manifest is made of: the state
// under .ltxform/, a manifest or variable file, a -var-file, a file read by
// file() or templatefile(), or an image_file. Read files are spared by path
// and, for an output that reaches one through a link, by file identity.
func checkOutputsSpareInputs(m *Manifest, manifestNames []string, opts LoadOptions) hcl.Diagnostics {
	protected := map[string]string{} // lower-case slash path → what it is
	for _, n := range manifestNames {
		protected[strings.ToLower(n)] = "a manifest file"
	}
	for _, f := range opts.Flags {
		if !f.File {
			continue
		}
		abs, err := filepath.Abs(f.Value)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(m.Dir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			protected[strings.ToLower(filepath.ToSlash(rel))] = "a -var-file"
		}
	}
	if m.reads != nil {
		for p, why := range m.reads.paths {
			if _, ok := protected[p]; !ok {
				protected[p] = why
			}
		}
	}
	var diags hcl.Diagnostics
	for _, v := range m.Videos {
		out := strings.ToLower(v.Output)
		what := ""
		switch {
		case out == ".ltxform" || strings.HasPrefix(out, ".ltxform/"):
			what = "ltxform's own state under .ltxform/"
		case protected[out] != "":
			what = fmt.Sprintf("%s, which is %s", v.Output, protected[out])
		default:
			for _, suffix := range protectedSuffixes {
				if strings.HasSuffix(out, suffix) {
					what = fmt.Sprintf("%s, which is named as a manifest or variable file (*%s)", v.Output, suffix)
					break
				}
			}
			if what == "" {
				for _, p := range sortedKeys(protected) {
					if strings.HasPrefix(p, out+"/") {
						what = fmt.Sprintf("the directory holding %s, which is %s", p, protected[p])
						break
					}
				}
			}
			if what == "" {
				what = m.reads.aliasOf(v.Output)
			}
		}
		if what == "" {
			continue
		}
		r := v.Ranges["output"]
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid output",
			Detail:   fmt.Sprintf("The output of %s would overwrite %s. Write videos to their own files, such as \"out/%s.mp4\".", v.Address, what, v.Name),
			Subject:  &r,
		})
	}
	return diags
}

// aliasOf describes the read file, or the directory holding one, that the
// existing output (a clean slash path) is under another name, or returns "".
// An output that does not exist yet is no file read.
func (r *readFiles) aliasOf(output string) string {
	if r == nil || r.root == nil || len(r.identities) == 0 {
		return ""
	}
	info, err := r.root.Stat(filepath.FromSlash(output))
	if err != nil {
		return ""
	}
	id, ok := r.sameAs(info)
	switch {
	case !ok:
		return ""
	case id.holds:
		return fmt.Sprintf("%s, the directory holding the file read as %s, which is %s", output, id.path, id.why)
	default:
		return fmt.Sprintf("%s, the file read as %s, which is %s", output, id.path, id.why)
	}
}
