package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// resolveInside returns the real path of name relative to dir, refusing
// anything (.. or a symlink) that leads outside dir.
func resolveInside(dir, name string) (string, error) {
	clean, err := cleanRelative(name)
	if err != nil {
		return "", err
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	realPath, err := filepath.EvalSymlinks(filepath.Join(dir, filepath.FromSlash(clean)))
	if err != nil {
		return "", fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))
	}
	rel, err := filepath.Rel(realDir, realPath)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%q leads outside the manifest directory (through a symbolic link)", name)
	}
	return realPath, nil
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

// escapeChecker tells whether outputs, though written inside dir, lead
// outside it through a symbolic link in the part that already exists (say
// out -> /mnt/shared). It resolves each directory once: a manifest of
// thousands of videos shares a few output directories.
type escapeChecker struct {
	dir, realDir string
	dirs         map[string]bool // directory → escapes
	links        map[string]bool // directory → holds a symbolic link
}

func newEscapeChecker(dir string) *escapeChecker {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		realDir = "" // the directory cannot be resolved: nothing is refused
	}
	return &escapeChecker{dir: dir, realDir: realDir, dirs: map[string]bool{}, links: map[string]bool{}}
}

// escapes reports whether the output path leads outside the directory.
func (c *escapeChecker) escapes(output string) bool {
	if c.realDir == "" {
		return false
	}
	p := filepath.Join(c.dir, filepath.FromSlash(output))
	d := filepath.Dir(p)
	if c.holdsLinks(d) {
		if info, err := os.Lstat(p); err == nil && info.Mode()&os.ModeSymlink != 0 {
			return c.leadsOut(p) // the file itself is a link
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
	if f, err := os.Open(d); errors.Is(err, fs.ErrNotExist) {
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
	if d == c.dir || len(d) <= len(c.dir) {
		return false
	}
	if out, ok := c.dirs[d]; ok {
		return out
	}
	var out bool
	if _, err := os.Lstat(d); err != nil {
		out = c.dirEscapes(filepath.Dir(d)) // not made yet: where its parent leads decides
	} else {
		out = c.leadsOut(d)
	}
	c.dirs[d] = out
	return out
}

func (c *escapeChecker) leadsOut(p string) bool {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(c.realDir, real)
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
