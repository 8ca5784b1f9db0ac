package executor

import (
	"os"
	"path/filepath"
)

// keepMovedOutput keeps, as a take, the file a replace leaves behind when
// it also changes the video's output: the paid video at the old path is
// never left outside the state. A file there that is no longer the one the
// state recorded (another video's now, or changed by hand) is not this
// video's to move.
func (v *video) keepMovedOutput(newSum string) error {
	prior := v.ch.Prior
	if prior == nil || prior.Output == "" || prior.Output == v.ch.Output || prior.SHA256 == "" {
		return nil
	}
	old := filepath.Join(v.r.plan.Dir, filepath.FromSlash(prior.Output))
	if info, err := os.Lstat(old); err != nil || !info.Mode().IsRegular() {
		return nil
	}
	if sum, err := sha256File(old); err != nil || sum != prior.SHA256 {
		return nil
	}
	return v.keepTake(old, newSum)
}
