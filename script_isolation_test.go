package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
)

// rewriteScriptFiles replaces old with new in every file of a script's work
// directory: backend settings are literals, and each script needs a state
// of its own (another script's workspaces would share its key or schema).
func rewriteScriptFiles(workDir, old, new string) error {
	return filepath.WalkDir(workDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(data, []byte(old)) {
			return err
		}
		return os.WriteFile(path, bytes.ReplaceAll(data, []byte(old), []byte(new)), 0o644)
	})
}
