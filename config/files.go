package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// MaxReadFileBytes bounds what file() and templatefile() read: a prompt is
// at most a few thousand characters, and the bound keeps a mistaken path
// (a video, a disk image) from filling memory.
const MaxReadFileBytes = 8 << 20

// readFiles remembers every file the manifest reads during evaluation
// (file(), templatefile(), image_file), so that no output may overwrite one.
type readFiles struct {
	dir   string
	paths map[string]string // lower-case slash path relative to dir → what reads it
	// images caches image_file results: a for_each block of a thousand
	// videos with one image hashes it once.
	images map[string]imageFile
}

type imageFile struct {
	sha256 string
	size   int64
	err    error
}

func newReadFiles(dir string) *readFiles {
	return &readFiles{dir: dir, paths: map[string]string{}, images: map[string]imageFile{}}
}

// note records a path read, both as written and as resolved through
// symbolic links, for it is the resolved file that an output would replace.
func (r *readFiles) note(clean, realRel, why string) {
	for _, p := range []string{clean, realRel} {
		if p == "" || p == "." || strings.HasPrefix(p, "../") {
			continue
		}
		if _, ok := r.paths[strings.ToLower(p)]; !ok {
			r.paths[strings.ToLower(p)] = why
		}
	}
}

// openRegularInside opens name, a slash path relative to dir, for reading.
// It refuses a path that leads outside dir (by "..", an absolute path or a
// symbolic link) and anything but a regular file: a named pipe would block
// the load forever, a device would read without end. The type is checked
// before opening, and again on the open file (opened without blocking, in
// case the path changed between the two), through os.Root so that the open
// itself cannot leave dir. It returns the clean path and the real path, both
// relative to dir.
func openRegularInside(dir, name string) (f *os.File, clean, realRel string, err error) {
	clean, err = cleanRelative(name)
	if err != nil {
		return nil, "", "", err
	}
	realPath, err := resolveInside(dir, clean)
	if err != nil {
		return nil, "", "", err
	}
	info, err := os.Stat(realPath)
	if err != nil {
		return nil, "", "", fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))
	}
	if err := requireRegular(name, info.Mode()); err != nil {
		return nil, "", "", err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", "", err
	}
	defer root.Close()
	f, err = root.OpenFile(filepath.FromSlash(clean), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, "", "", fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))
	}
	info, err = f.Stat()
	if err == nil {
		err = requireRegular(name, info.Mode())
	}
	if err != nil {
		f.Close()
		return nil, "", "", err
	}
	if realDir, e := filepath.EvalSymlinks(dir); e == nil {
		if rel, e := filepath.Rel(realDir, realPath); e == nil {
			realRel = filepath.ToSlash(rel)
		}
	}
	return f, clean, realRel, nil
}

func requireRegular(name string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	what := "something else"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0, mode&fs.ModeCharDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%q is %s, not a regular file", name, what)
}

// readInside reads name, which must be a regular file inside dir of at most
// MaxReadFileBytes, and records it as read.
func (r *readFiles) readInside(name string) ([]byte, error) {
	f, clean, realRel, err := openRegularInside(r.dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r.note(clean, realRel, "a file the manifest reads with file() or templatefile()")
	b, err := io.ReadAll(io.LimitReader(f, MaxReadFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))
	}
	if len(b) > MaxReadFileBytes {
		return nil, fmt.Errorf("%q is larger than %d MiB; a manifest reads only small text files", name, MaxReadFileBytes>>20)
	}
	return b, nil
}

// image checks an image_file and takes its sha256 and size. It returns the
// clean slash path relative to dir.
func (r *readFiles) image(name string) (clean string, info imageFile) {
	clean, err := cleanRelative(name)
	if err != nil {
		return "", imageFile{err: err}
	}
	if cached, ok := r.images[clean]; ok {
		return clean, cached
	}
	info = hashImage(r, name)
	r.images[clean] = info
	return clean, info
}

func hashImage(r *readFiles, name string) imageFile {
	f, clean, realRel, err := openRegularInside(r.dir, name)
	if err != nil {
		return imageFile{err: err}
	}
	defer f.Close()
	r.note(clean, realRel, "an image_file")
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return imageFile{err: fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))}
	}
	return imageFile{sha256: hex.EncodeToString(h.Sum(nil)), size: n}
}
