package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// cleanRelative checks that a slash-separated path written in a manifest
// stays inside the manifest directory, and returns it cleaned.
func cleanRelative(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("the path is empty")
	}
	if filepath.IsAbs(name) || path.IsAbs(name) || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("%q is an absolute path, outside the manifest directory; write it relative to the directory", name)
	}
	clean := path.Clean(filepath.ToSlash(name))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("%q is outside the manifest directory", name)
	}
	if clean == "." {
		return "", fmt.Errorf("%q names the manifest directory itself, not a file", name)
	}
	return clean, nil
}

// unwrapPathError keeps "no such file or directory" without repeating the path.
func unwrapPathError(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

// escapeChecker tells whether outputs, though written inside the manifest
// directory, lead outside it through a symbolic link in the part that
// already exists (say out -> /mnt/shared). The directory's os.Root judges:
// it refuses to resolve a path that leaves it. Each directory is resolved
// once: a manifest of thousands of videos shares a few output directories.
type escapeChecker struct {
	files *readFiles
	dirs  map[string]bool // slash directory → escapes
	links map[string]bool // slash directory → holds a symbolic link
}

func newEscapeChecker(files *readFiles) *escapeChecker {
	return &escapeChecker{files: files, dirs: map[string]bool{}, links: map[string]bool{}}
}

// escapes reports whether the output, a clean slash path relative to the
// directory, leads outside it.
func (c *escapeChecker) escapes(output string) bool {
	if c.files.root == nil {
		return false // the directory cannot be opened: nothing is refused
	}
	d := path.Dir(output)
	if c.holdsLinks(d) {
		if info, err := c.files.root.Lstat(filepath.FromSlash(output)); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return c.leadsOut(output) // the file itself is a link
		}
	}
	return c.dirEscapes(d)
}

// holdsLinks reports whether directory d may hold a symbolic link: one
// listing per directory, so that the thousands of outputs of a for_each cost
// one read of their directory rather than a stat each. A directory that
// cannot be listed may hold anything; one that does not exist holds nothing.
func (c *escapeChecker) holdsLinks(d string) bool {
	if v, ok := c.links[d]; ok {
		return v
	}
	v := true
	if f, err := c.files.root.Open(filepath.FromSlash(d)); errors.Is(err, fs.ErrNotExist) {
		v = false
	} else if err == nil {
		entries, err := f.ReadDir(-1) // unsorted, unlike os.ReadDir
		f.Close()
		if err == nil {
			v = slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Type()&fs.ModeSymlink != 0 })
		}
	}
	c.links[d] = v
	return v
}

// dirEscapes resolves the deepest existing ancestor of d, once per directory.
func (c *escapeChecker) dirEscapes(d string) bool {
	if d == "." || d == "/" {
		return false
	}
	if out, ok := c.dirs[d]; ok {
		return out
	}
	var out bool
	switch _, err := c.files.root.Stat(filepath.FromSlash(d)); {
	case err == nil:
	case c.files.escapes(err):
		out = true
	default:
		out = c.dirEscapes(path.Dir(d)) // not made yet: where its parent leads decides
	}
	c.dirs[d] = out
	return out
}

// leadsOut reports whether the root refuses to resolve p, a link, because it
// leads outside.
func (c *escapeChecker) leadsOut(p string) bool {
	_, err := c.files.root.Stat(filepath.FromSlash(p))
	return c.files.escapes(err)
}
