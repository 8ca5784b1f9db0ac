package state

import "github.com/ltxform/ltxform/internal/atomicfile"

// File modes: the state names prompts, task ids and output paths, which are
// nobody else's business on a shared machine.
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// writeFileAtomic replaces path with data, private to its owner, so that a
// reader, or a crash, sees either the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, fileMode)
}

// syncDir makes a rename or a new file in dir durable.
var syncDir = atomicfile.SyncDir
