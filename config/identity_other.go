//go:build !unix

package config

import "io/fs"

// fileKey buckets file identities so that each output is compared with the
// few read files that may be it, not all of them; os.SameFile decides. Here
// the file's size and kind are all there is to go by.
type fileKey struct {
	size int64
	dir  bool
}

func keyOf(info fs.FileInfo) fileKey {
	if info.IsDir() {
		return fileKey{dir: true}
	}
	return fileKey{size: info.Size()}
}
