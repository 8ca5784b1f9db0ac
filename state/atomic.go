package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// File modes: the state names prompts, task ids and output paths, which are
// nobody else's business on a shared machine.
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// writeFileAtomic replaces path with data so that a reader, or a crash, sees
// either the old file or the new one, never a mixture: write a temporary file
// in the same directory, fsync it, rename it over path, fsync the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(fileMode); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	ok = true
	return syncDir(dir)
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
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
