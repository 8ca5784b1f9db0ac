// Package atomicfile replaces files so that a reader, or a crash, sees the
// old file or the new one, never a mixture: write a temporary file beside
// the target, fsync it, rename it over the target, fsync the directory.
// It is the one way ltxform writes a file it may be replacing: the state,
// run records, plan files, fmt's rewrites, downloads and reports.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// File is a temporary file beside its target: write to it, then Commit to
// put it in the target's place, or Abort to throw it away.
type File struct {
	*os.File
	path string
	perm os.FileMode
	done bool
}

// Create makes the temporary file for path, named ".NAME.*.part" in the
// same directory, so that the rename stays on one file system and a file
// left by a crash is recognisable (and hidden). perm is the mode the file
// gets on Commit; until then only its owner can read it.
func Create(path string, perm os.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return nil, err
	}
	return &File{File: tmp, path: path, perm: perm}, nil
}

// Leftovers are the temporary files for path that a crash (a SIGKILL, a
// power cut) left behind; only the writer of path may remove them.
func Leftovers(path string) []string {
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".*.part"))
	return names
}

// Commit syncs the file, gives it its mode, renames it over the target and
// syncs the directory, so that the rename survives a power cut. On an error
// the temporary file is removed and the target is as it was (unless only
// the directory sync failed: then the new file is in place, not yet durable).
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: Commit after Commit or Abort")
	}
	f.done = true
	err := f.Sync()
	if err == nil {
		err = f.Chmod(f.perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return SyncDir(filepath.Dir(f.path))
}

// Abort closes and removes the temporary file; after Commit it does
// nothing, so that it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// WriteFile replaces path with data, atomically and durably, with mode perm.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// SyncDir makes a rename or a new file in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		// EINVAL: the file system cannot sync directories; nothing more to do.
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
