package config

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
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

// outputEscapes reports whether the output path, though written inside dir,
// leads outside it through a symbolic link in the part that already exists
// (say out -> /mnt/shared).
func outputEscapes(dir, output string) bool {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	p := filepath.Join(dir, filepath.FromSlash(output))
	for ; p != dir && len(p) > len(dir); p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return false
		}
		rel, err := filepath.Rel(realDir, real)
		return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	return false
}
