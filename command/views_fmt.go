package command

import (
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// unformatted names a file that fmt formats (with -check, would): one path
// a line, as gofmt -l, for a script to read.
func (v *view) unformatted(path string) {
	v.printf("%s\n", path)
}

// formatDiff is fmt -diff's unified diff of path, from src to formatted,
// as it is.
func (v *view) formatDiff(path string, src, formatted []byte) {
	name := strings.TrimPrefix(filepath.ToSlash(path), "/")
	v.printf("%s", diff.Diff("old/"+name, src, "new/"+name, formatted))
}
