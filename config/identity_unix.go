//go:build unix

package config

import (
	"io/fs"
	"syscall"
)

// fileKey buckets file identities so that each output is compared with the
// few read files that may be it, not all of them; os.SameFile decides.
type fileKey struct{ dev, ino uint64 }

func keyOf(info fs.FileInfo) fileKey {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)}
	}
	return fileKey{}
}
